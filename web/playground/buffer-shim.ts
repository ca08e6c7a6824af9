// Injected by esbuild into the browser bundle of the engine (web/playground/bundle.ts): the few
// kernel and tracer lines that use Node's Buffer (concat, byteLength, from; toString as utf8 or
// latin1) get this instead. Not imported by anything that runs in Node.
const dec = new TextDecoder("utf-8", { fatal: false });
const enc = new TextEncoder();

class Bytes extends Uint8Array {
  override toString(encoding?: string): string {
    if (encoding === "latin1" || encoding === "binary") return String.fromCharCode(...this);
    return encoding === undefined || /^utf-?8$/i.test(encoding) ? dec.decode(this) : super.toString();
  }
}

export const Buffer = {
  concat(list: readonly Uint8Array[]): Bytes {
    const out = new Bytes(list.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of list) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  },
  byteLength(s: string | Uint8Array): number {
    return typeof s === "string" ? enc.encode(s).length : s.byteLength;
  },
  from(x: string | ArrayLike<number>): Bytes {
    return typeof x === "string" ? new Bytes(enc.encode(x)) : new Bytes(Array.from(x));
  },
};
