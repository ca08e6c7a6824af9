// Helpers for the hostile-guest tests: a layered process driven call by call (the kernel's trap
// path, as runSlice takes it on an `ecall`), and ring entries queued by hand.
import { installLayers } from "../../harness/install.ts";
import { Kernel } from "../../impl/kernel/kernel.ts";
import type { KernelOptions } from "../../impl/kernel/kernel.ts";
import { PAGE_SIZE } from "../../impl/kernel/machine.ts";
import type { Process, Thread } from "../../impl/kernel/process.ts";
import { BufferStdio } from "../../impl/kernel/stdio.ts";
import { DISPATCH, guest } from "./layered-helpers.ts";
import type { KernelName } from "./layered-helpers.ts";

export interface Target {
  kernel: Kernel;
  p: Process;
  t: Thread;
  call(id: string, ...args: number[]): number;
  callOn(t: Thread, id: string, ...args: number[]): number;
  trap: { syscall(t: Thread): void; tryWake(t: Thread): void };
  scratch(len?: number): number;
  cstr(s: string): number;
}

/** A layered p3 process on kernel `k`, not yet run, and a way to trap on any of its threads. */
export function target(k: KernelName, opts: Partial<KernelOptions> = {}): Target {
  const kernel = new Kernel({ dispatch: DISPATCH[k], stdio: new BufferStdio(), maxInsns: 1_000_000, ...opts });
  installLayers(kernel.vfs);
  const p = kernel.spawn(guest("after_fuzz", "p3"), ["t"]);
  const t0 = p.threads[0]!;
  const trap = kernel as unknown as Target["trap"];
  const callOn = (t: Thread, id: string, ...args: number[]): number => {
    const row = DISPATCH[k].syscalls.find((r) => r.id === id)!;
    t.cpu.regs[17] = row.nr;
    args.forEach((a, i) => (t.cpu.regs[10 + i] = a | 0));
    trap.syscall(t);
    return t.cpu.regs[10]!;
  };
  const call = (id: string, ...args: number[]): number => callOn(t0, id, ...args);
  const scratch = (len = PAGE_SIZE): number => call("mmap2", 0, len, 3, 0x22, -1, 0) >>> 0;
  const cstr = (s: string): number => {
    const at = scratch();
    kernel.copyOut(t0, at, new TextEncoder().encode(s + "\0"));
    return at;
  };
  return { kernel, p, t: t0, call, callOn, trap, scratch, cstr };
}

const off = (s: { fields: readonly { name: string; offset: number }[] }, f: string): number => s.fields.find((x) => x.name === f)!.offset;

/** Queues one message (opcode, user_data, up to six argument words) on a ring; returns false if the ring is not writable. */
export function queueMessage(k: Kernel, t: Thread, ring: number, opcode: number, userData: number, args: number[]): boolean {
  const r = k.dispatch.structs[k.dispatch.ring!]!;
  const sqe = k.dispatch.structs["sqe"]!;
  const mem = t.proc.vm.mem;
  const tb0 = mem.readBytes(ring + off(r, "sq_tail"), 4);
  if (tb0 === null) return false;
  const tail = new DataView(tb0.buffer, tb0.byteOffset).getUint32(0, true);
  const b = new Uint8Array(sqe.size);
  const dv = new DataView(b.buffer);
  dv.setUint16(off(sqe, "opcode"), opcode & 0xffff, true);
  dv.setUint32(off(sqe, "user_data"), userData >>> 0, true);
  args.slice(0, 6).forEach((v, i) => dv.setUint32(off(sqe, "args") + 4 * i, v >>> 0, true));
  // The kernel's own offsets (spec/ring.md), not the guest-writable sq_offset, place the entry.
  const at = ring + Math.ceil(r.size / 32) * 32 + (tail & 63) * sqe.size;
  const tb = new Uint8Array(4);
  new DataView(tb.buffer).setUint32(0, (tail + 1) >>> 0, true);
  return mem.writeBytes(at, b) && mem.writeBytes(ring + off(r, "sq_tail"), tb);
}

/** Writes a ring counter (sq_head, sq_tail, cq_head, cq_tail) as a hostile guest would. */
export function setRingField(k: Kernel, t: Thread, ring: number, field: string, v: number): void {
  const r = k.dispatch.structs[k.dispatch.ring!]!;
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  t.proc.vm.mem.writeBytes(ring + off(r, field), b);
}
