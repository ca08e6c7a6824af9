// Builds the number -> handler table of one kernel ABI from its generated rows. Argument decoding
// follows each row's declared types: signed C types are read as int32, everything else unsigned.
import type { ArgSpec, KernelDispatch, MessageRow, SyscallRow } from "../../gen/types.ts";
import type { Handler } from "./handlers/types.ts";

export interface Entry {
  row: SyscallRow | MessageRow;
  fn: Handler | undefined;
  signed: boolean[];
}

const SIGNED = new Set(["int", "i32", "fd", "pid", "tid", "off", "off_t", "ssize", "long", "clockid", "sig"]);

export function isSignedType(type: string): boolean {
  return SIGNED.has(type.trim());
}

function entry(row: SyscallRow | MessageRow, handlers: Readonly<Record<string, Handler>>): Entry {
  return {
    row,
    fn: Object.prototype.hasOwnProperty.call(handlers, row.handler) ? handlers[row.handler] : undefined,
    signed: row.args.map((a: ArgSpec) => isSignedType(a.type)),
  };
}

/** a7 number -> entry. */
export function buildTable(d: KernelDispatch, handlers: Readonly<Record<string, Handler>>): Map<number, Entry> {
  const table = new Map<number, Entry>();
  for (const row of d.syscalls) table.set(row.nr >>> 0, entry(row, handlers));
  return table;
}

/** Message-ring opcode -> entry (k3 and later). */
export function buildMessageTable(d: KernelDispatch, handlers: Readonly<Record<string, Handler>>): Map<number, Entry> {
  const table = new Map<number, Entry>();
  for (const row of d.messages) table.set(row.opcode, entry(row, handlers));
  return table;
}

/** Decodes raw argument words (from a ring entry) as the row declares them. */
export function decodeWords(e: Entry, words: readonly number[]): number[] {
  return e.signed.map((s, i) => (s ? words[i]! | 0 : words[i]! >>> 0));
}

/** Reads a0..a5 as the row declares them. */
export function decodeArgs(e: Entry, regs: Int32Array): number[] {
  const out = new Array<number>(e.signed.length);
  for (let i = 0; i < e.signed.length && i < 6; i++) out[i] = e.signed[i] ? regs[10 + i]! | 0 : regs[10 + i]! >>> 0;
  return out;
}
