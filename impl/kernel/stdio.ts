// The guest's view of the host's standard streams. Writes go through without loss; stdin is read
// synchronously (the whole machine waits), retrying on EAGAIN when the host stream is non-blocking.
import * as fs from "node:fs";

export interface Stdio {
  /** Up to `max` bytes from stdin; an empty array means end of file. */
  read(max: number): Uint8Array;
  /** Writes all of `bytes` to host fd 1 or 2. Returns false if the host stream is gone (EPIPE). */
  write(fd: number, bytes: Uint8Array): boolean;
  /** True if host fd 0, 1 or 2 is a terminal (ioctl TCGETS answers ENOTTY otherwise). */
  isTty?(fd: number): boolean;
}

// Made on first use: a browser page without cross-origin isolation has no SharedArrayBuffer, and
// must still be able to import the kernel (the playground never uses hostStdio).
let nap: Int32Array | null = null;
const sleep = (ms: number): void => void Atomics.wait((nap ??= new Int32Array(new SharedArrayBuffer(4))), 0, 0, ms);

export const hostStdio: Stdio = {
  isTty(fd) {
    // A character device other than the memory devices (major 1: /dev/null, /dev/zero, …).
    try {
      const st = fs.fstatSync(fd);
      return st.isCharacterDevice() && Math.floor(st.rdev / 256) % 4096 !== 1;
    } catch {
      return false;
    }
  },
  read(max) {
    const buf = new Uint8Array(Math.max(0, Math.min(max, 1 << 20)));
    for (;;) {
      try {
        const n = fs.readSync(0, buf, 0, buf.length, null);
        return buf.subarray(0, n);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") { sleep(5); continue; }
        if (code === "EOF") return new Uint8Array(0);
        return new Uint8Array(0);
      }
    }
  },
  write(fd, bytes) {
    let off = 0;
    while (off < bytes.length) {
      try {
        off += fs.writeSync(fd, bytes, off, bytes.length - off);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EAGAIN") { sleep(1); continue; }
        return false;
      }
    }
    return true;
  },
};

/** In-memory stdio for tests and embedding. */
export class BufferStdio implements Stdio {
  private input: Uint8Array;
  readonly out: Uint8Array[] = [];
  readonly err: Uint8Array[] = [];
  constructor(input: string | Uint8Array = "") {
    this.input = typeof input === "string" ? new TextEncoder().encode(input) : input;
  }
  read(max: number): Uint8Array {
    const n = Math.min(max, this.input.length);
    const r = this.input.slice(0, n);
    this.input = this.input.subarray(n);
    return r;
  }
  write(fd: number, bytes: Uint8Array): boolean {
    (fd === 2 ? this.err : this.out).push(bytes.slice());
    return true;
  }
  get stdout(): string { return utf8(this.out); }
  get stderr(): string { return utf8(this.err); }
}

/** Decodes collected chunks as UTF-8 without Node's Buffer, so the class also runs in a browser. */
function utf8(parts: readonly Uint8Array[]): string {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(all);
}
