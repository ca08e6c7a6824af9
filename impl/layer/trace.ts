// The layer call tracer (`kiln run --trace`, `kiln matrix`): reports every call a layered program
// makes through its stub table — which slot, its decoded arguments, the route the (program,
// kernel) pair realises it by, the kernel calls and ring messages it made, its result (errno
// decoded) and its exact cost in guest instructions and traps.
//
// How: every thread's CPU carries an entry watch (impl/cpu Cpu.watch). While no call is in flight
// the watch is the process's stub region (layerOf(vm)); the CPU stops before the first
// instruction of a slot, the tracer records a0–a5, ra and instret and moves the watch to [ra,
// ra+4); the CPU stops again when the call returns there. Traps are counted from the kernel's
// per-syscall `trace` callback, ring messages from the submissions between entry and return.
// A fresh CPU starts with a watch over the whole address space, so its first instruction stops it
// and the tracer can aim the watch at that process's stub region (threads, fork children, execve).
//
// Counting: instructions are those the calling thread retired from the `jal` into the slot
// (counted: +1) through the slot's return, i.e. instret(at return) - instret(at slot) + 1.
// Limits: a call the program makes from a signal handler that runs during another call is part of
// that call (one watch per thread); calls an object loaded with dlopen makes through its own stub
// table are not reported (the watch covers the program's stub region only).
import { kernels, programs, realisations } from "../../generated/index.ts";
import { errno as ERRNO } from "../../generated/spec.ts";
import type { PairRealisation, SlotRealisation } from "../abi/types.ts";
import type { Cpu } from "../cpu/cpu.ts";
import { areasOf, layerOf } from "../kernel/layered.ts";
import type { KernelOptions } from "../kernel/kernel.ts";
import type { GuestMemory, Machine } from "../kernel/machine.ts";
import { cpuMachine } from "../kernel/cpu-machine.ts";
import type { Thread } from "../kernel/process.ts";

/** One completed (or abandoned) call through the stub table. */
export interface TracedCall {
  readonly tid: number;
  readonly pid: number;
  readonly program: string;
  readonly kernel: string;
  readonly slot: number;
  readonly id: string;
  readonly route: string;
  readonly recipe: string | null;
  /** The kernel call or message the route names (null for recipes without one). */
  readonly call: string | null;
  readonly nr: number | null;
  /** The slot's arguments as passed (a0..a_{n-1}, signed 32-bit). */
  readonly args: readonly number[];
  /** The arguments decoded by the slot's signature. */
  readonly argText: readonly string[];
  /** a0 at return (signed), or null when the call never returned (exit, successful execve). */
  readonly result: number | null;
  /** a1:a0 for u64 results. */
  readonly result64: bigint | null;
  /** The error number read through tp+4 when the call returned -1, else null. */
  readonly errno: number | null;
  readonly resultText: string;
  /** Guest instructions from the jal into the slot (counted) through the return. */
  readonly insns: number;
  /** ecalls the thread took meanwhile. */
  readonly traps: number;
  /** The kernel calls those traps made, in order (ids from the kernel ABI). */
  readonly kernelCalls: readonly string[];
  /** The ring messages submitted meanwhile, in order (ids from the kernel ABI). */
  readonly messages: readonly string[];
}

export interface RouteStats {
  calls: number;
  insns: number;
  traps: number;
}

interface Pending {
  readonly cpu: Cpu;
  readonly slot: SlotRealisation;
  readonly sig: SlotSig;
  readonly program: string;
  readonly kernel: string;
  readonly ra: number;
  readonly start: number;
  readonly args: number[];
  readonly argText: string[];
  readonly ring: number;
  readonly sqTail: number;
  traps: number;
  readonly kernelCalls: string[];
}

interface SlotSig {
  readonly args: readonly { readonly name: string; readonly type: string }[];
  readonly ret: string;
}

const ERRNO_NAMES = new Map<number, string>(Object.entries(ERRNO).map(([n, v]) => [v as number, n]));
const FULL: { lo: number; hi: number } = Object.freeze({ lo: 0, hi: 0x100000000 });
const AT_FDCWD = -100;

export interface TracerOptions {
  /** Called for every finished call, in the order calls finish. */
  onCall?: (c: TracedCall) => void;
  /** Keep every call in `calls` (default true). */
  keep?: boolean;
  /** Longest decoded string argument (default 32 bytes). */
  maxString?: number;
}

export class LayerTracer {
  readonly calls: TracedCall[] = [];
  /** Per "pN-kM" pair and route: totals. */
  readonly stats = new Map<string, Map<string, RouteStats>>();
  private readonly pending = new Map<number, Pending>();
  private readonly opts: TracerOptions;

  constructor(opts: TracerOptions = {}) {
    this.opts = opts;
  }

  /** Kernel options that turn the tracer on; `base` is merged (its trace callback still runs). */
  kernelOptions<T extends Partial<KernelOptions>>(base: T): T & Pick<KernelOptions, "machine" | "onWatch" | "trace"> {
    const inner = base.machine ?? cpuMachine;
    const machine: Machine = {
      newMemory: () => inner.newMemory(),
      newCpu: (mem: GuestMemory) => {
        const cpu = inner.newCpu(mem) as Partial<Cpu>;
        if ("watch" in cpu) cpu.watch = FULL;
        return cpu as ReturnType<Machine["newCpu"]>;
      },
    };
    const prevTrace = base.trace;
    return {
      ...base,
      machine,
      onWatch: (t: Thread) => this.onWatch(t),
      trace: (line: string) => {
        this.onTrap(line);
        prevTrace?.(line);
      },
    };
  }

  /** Calls still in flight (a thread that exited inside one): reported with result "?". */
  finish(): void {
    for (const [tid, p] of [...this.pending]) {
      this.pending.delete(tid);
      this.complete(tid, -1, p, null);
    }
  }

  private onTrap(line: string): void {
    const m = /^\[(\d+)\] (?:syscall (\d+)|([\w.]+)\()/.exec(line);
    if (!m) return;
    const p = this.pending.get(Number(m[1]));
    if (!p) return;
    p.traps++;
    p.kernelCalls.push(m[3] ?? `syscall_${m[2]}`);
  }

  private onWatch(t: Thread): void {
    const cpu = t.cpu as unknown as Cpu;
    const layer = layerOf(t.proc.vm);
    const p = this.pending.get(t.tid);
    if (p && p.cpu !== cpu) {
      // The thread's image was replaced inside the call: a successful execve.
      this.pending.delete(t.tid);
      this.complete(t.tid, t.proc.pid, p, null, 0);
    }
    if (!layer) {
      cpu.watch = null; // a raw program: nothing crosses a layer
      return;
    }
    const stubs = { lo: layer.stubAddr, hi: layer.stubAddr + layer.stubSize };
    const pc = cpu.pc >>> 0;
    const cur = this.pending.get(t.tid);
    if (cur && pc === cur.ra) {
      this.pending.delete(t.tid);
      this.complete(t.tid, t.proc.pid, cur, cpu);
      cpu.watch = stubs;
      return;
    }
    const pair = realisations[`${layer.program}-${layer.kernel}`];
    const prog = (programs as Record<string, { slotSize: number; slots: readonly ({ slot: number } & SlotSig)[] }>)[layer.program];
    const off = pc - layer.stubAddr;
    if (!cur && pair && prog && pc >= stubs.lo && pc < stubs.hi && off % prog.slotSize === 0) {
      const n = off / prog.slotSize;
      const slot = pair.slots.find((s) => s.slot === n);
      const sig = prog.slots.find((s) => s.slot === n);
      if (slot && sig) {
        this.enter(t, cpu, pair, slot, sig);
        return;
      }
    }
    // First instruction of a fresh CPU, or a thread resuming inside a slot (clone's child).
    cpu.watch = cur ? { lo: cur.ra, hi: cur.ra + 4 } : stubs;
  }

  private enter(t: Thread, cpu: Cpu, pair: PairRealisation, slot: SlotRealisation, sig: SlotSig): void {
    const r = cpu.regs;
    const mem = t.proc.vm.mem;
    const args = sig.args.map((_, i) => r[10 + i]!);
    const argText = sig.args.map((a, i) => decodeArg(mem, a.name, a.type, args[i]!, this.opts.maxString ?? 32));
    const ra = r[1]! >>> 0;
    const ring = areasOf(t)?.ring ?? 0;
    const p: Pending = {
      cpu,
      slot,
      sig,
      program: pair.program,
      kernel: pair.kernel,
      ra,
      start: cpu.instret,
      args,
      argText,
      ring,
      sqTail: ring ? readU32(mem, ring + ringField(pair.kernel, "sq_tail")) : 0,
      traps: 0,
      kernelCalls: [],
    };
    this.pending.set(t.tid, p);
    cpu.watch = { lo: ra, hi: ra + 4 };
  }

  private complete(tid: number, pid: number, p: Pending, cpu: Cpu | null, forced?: number): void {
    const mem = p.cpu.mem as unknown as GuestMemory;
    const returned = cpu !== null;
    const a0 = returned ? cpu.regs[10]! : forced ?? null;
    const a1 = returned ? cpu.regs[11]! : 0;
    let errno: number | null = null;
    let result64: bigint | null = null;
    let resultText: string;
    if (a0 === null) resultText = "?";
    else if (p.sig.ret === "u64" && returned) {
      result64 = (BigInt(a1 >>> 0) << 32n) | BigInt(a0 >>> 0);
      resultText = result64.toString();
    } else if (a0 === -1 && returned && p.sig.ret !== "noreturn") {
      const ep = readU32(mem, (cpu.regs[4]! >>> 0) + 4);
      errno = ep ? readU32(mem, ep) : null;
      resultText = `-1 errno=${errno === null ? "?" : ERRNO_NAMES.get(errno) ?? String(errno)}`;
    } else if (p.sig.ret === "ptr") resultText = hex(a0);
    else resultText = String(a0);
    const messages: string[] = [];
    // A ring that is gone (the process exited and its memory was freed) has no messages to show.
    if (p.ring && mem.readBytes(p.ring, 4)) {
      const k = kernels[p.kernel];
      const end = readU32(mem, p.ring + ringField(p.kernel, "sq_tail"));
      const entries = readU32(mem, p.ring + ringField(p.kernel, "sq_entries")) || 1;
      const sqOff = readU32(mem, p.ring + ringField(p.kernel, "sq_offset"));
      const sqeSize = k?.structs.sqe?.size ?? 64;
      const opOff = k?.structs.sqe?.fields.find((f) => f.name === "opcode")?.offset ?? 0;
      for (let i = p.sqTail; i !== end && messages.length < 4096; i = (i + 1) >>> 0) {
        const at = p.ring + sqOff + (i & (entries - 1)) * sqeSize + opOff;
        const b = mem.readBytes(at, 2);
        const op = b ? b[0]! | (b[1]! << 8) : -1;
        messages.push(k?.messages.find((m) => m.opcode === op)?.id ?? `op${op}`);
      }
    }
    const call: TracedCall = {
      tid,
      pid,
      program: p.program,
      kernel: p.kernel,
      slot: p.slot.slot,
      id: p.slot.id,
      route: p.slot.route,
      recipe: p.slot.recipe,
      call: p.slot.call,
      nr: p.slot.nr,
      args: p.args,
      argText: p.argText,
      result: returned ? a0 : null,
      result64,
      errno,
      resultText,
      insns: (returned ? cpu.instret : p.cpu.instret) - p.start + 1,
      traps: p.traps,
      kernelCalls: p.kernelCalls,
      messages,
    };
    const pair = `${p.program}-${p.kernel}`;
    let routes = this.stats.get(pair);
    if (!routes) this.stats.set(pair, (routes = new Map()));
    let s = routes.get(call.route);
    if (!s) routes.set(call.route, (s = { calls: 0, insns: 0, traps: 0 }));
    s.calls++;
    s.insns += call.insns;
    s.traps += call.traps;
    if (this.opts.keep !== false) this.calls.push(call);
    this.opts.onCall?.(call);
  }
}

/**
 * One line per call, strace-like:
 *   [tid] pN.slot(args) = result  <route what; T trap(s), I insns[; via …]>
 * `what` is the recipe for userspace and emulated routes, else the kernel call (with its number)
 * or message the route names; `via` lists the kernel calls and ring messages the call made when
 * they are not just that one call or message (ring messages in braces after ring_enter, runs of
 * the same id as id×n).
 */
export function formatCall(c: TracedCall): string {
  const what = c.recipe ?? (c.route === "message" ? c.call ?? c.id : c.nr !== null ? `${c.call ?? c.id}#${c.nr}` : c.call ?? c.id);
  const expected = c.route === "message" && !c.recipe ? ["ring_enter"] : c.nr !== null && !c.recipe ? [c.call ?? c.id] : [];
  const expectedMsgs = c.route === "message" && !c.recipe ? [c.call ?? c.id] : [];
  const sameCalls = c.kernelCalls.join(",") === expected.join(",");
  const sameMsgs = c.messages.join(",") === expectedMsgs.join(",");
  let via = "";
  if (!(sameCalls && sameMsgs) && (c.kernelCalls.length > 0 || c.messages.length > 0)) {
    const calls = runs(c.kernelCalls);
    const msgs = c.messages.length ? `{${runs(c.messages)}}` : "";
    via = `; via ${calls || "-"}${msgs}`;
  }
  const traps = `${c.traps} trap${c.traps === 1 ? "" : "s"}`;
  return `[${c.tid}] ${c.program}.${c.id}(${c.argText.join(", ")}) = ${c.resultText}  <${c.route} ${what}; ${traps}, ${c.insns} insns${via}>`;
}

function runs(ids: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j < ids.length && ids[j] === ids[i]) j++;
    out.push(j - i > 1 ? `${ids[i]}×${j - i}` : ids[i]!);
    i = j;
  }
  return out.join(", ");
}

const HEX_NAMES = /flags|prot|mode_flags|how|options|which/;

/** One argument by its spec type: ints signed, pointers hex, cstr quoted from guest memory. */
export function decodeArg(mem: GuestMemory, name: string, type: string, v: number, max = 32): string {
  if (type === "cstr") {
    if (v === 0) return "NULL";
    const s = readCString(mem, v >>> 0, max + 1);
    if (s === null) return hex(v);
    return JSON.stringify(s.length > max ? s.slice(0, max) : s) + (s.length > max ? "..." : "");
  }
  if (type.startsWith("ptr")) return v === 0 ? "NULL" : hex(v);
  if (type === "fd" && v === AT_FDCWD) return "AT_FDCWD";
  if (type === "uint" && HEX_NAMES.test(name)) return hex(v);
  if (type === "uint" || type === "usize" || type.startsWith("u")) return String(v >>> 0);
  return String(v | 0);
}

function readCString(mem: GuestMemory, addr: number, max: number): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < max; i++) {
    const b = mem.readBytes((addr + i) >>> 0, 1);
    if (b === null) return bytes.length ? String.fromCharCode(...bytes) : null;
    if (b[0] === 0) break;
    bytes.push(b[0]!);
  }
  return Buffer.from(bytes).toString("latin1");
}

const hex = (v: number) => `0x${(v >>> 0).toString(16)}`;

function readU32(mem: GuestMemory, addr: number): number {
  const b = mem.readBytes(addr >>> 0, 4);
  return b ? (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0 : 0;
}

function ringField(kernel: string, f: string): number {
  const r = kernels[kernel]?.structs.ring;
  return r?.fields.find((x) => x.name === f)?.offset ?? 0;
}

/** Route totals of several pairs' stats, as plain objects (for JSON). */
export function statsObject(s: Map<string, RouteStats> | undefined): Record<string, RouteStats> {
  const out: Record<string, RouteStats> = {};
  for (const [k, v] of [...(s ?? new Map<string, RouteStats>())].sort(([a], [b]) => a.localeCompare(b))) out[k] = { ...v };
  return out;
}
