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
import { kernels, programs, realisations, argumentRules, errno as ERRNO, errnoText } from "../generated/index.ts";
import type { ArgSpec, PairRealisation, SlotRealisation, SyscallRow } from "../gen/types.ts";
import type { Cpu } from "../impl/cpu/cpu.ts";
import { areasOf, layerOf } from "../impl/kernel/layered.ts";
import type { KernelOptions } from "../impl/kernel/kernel.ts";
import type { GuestMemory, Machine } from "../impl/kernel/machine.ts";
import { newCpuMachine } from "../impl/kernel/cpu-machine.ts";
import type { Thread } from "../impl/kernel/process.ts";

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
    const inner = base.machine ?? newCpuMachine();
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
    const argText = decodeArgs(mem, slot.id, sig.args, args, null, this.opts.maxString ?? 32);
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
      resultText = errno === null ? "-1 (errno unreadable)" : `-1 ${errorText(errno)}`;
    } else if (p.sig.ret === "ptr") resultText = hex(a0);
    else resultText = String(a0);
    // Arguments the call writes are shown as it left them (strace shows read's buffer after the call).
    const argText = returned && errno === null ? decodeArgs(mem, p.slot.id, p.sig.args, p.args, a0, this.opts.maxString ?? 32, p.argText) : p.argText;
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
      argText,
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

// ---- Decoding arguments by the spec (spec/errors.md, "How arguments read") ----

type Rule = (typeof argumentRules)[number];
const RULES = new Map<string, Rule>(argumentRules.map((r) => [`${r.call}.${r.arg}`, r]));
const ERRNO_TEXT = errnoText as Readonly<Record<string, string>>;

/** The spec's rule for one argument of one call (a row for the call, else a `*` row), or null. */
export function argumentRule(call: string, arg: string): Rule | null {
  return RULES.get(`${call}.${arg}`) ?? RULES.get(`*.${arg}`) ?? null;
}

/** `ENOENT (No such file or directory)`, as strace shows an error; the text is the errno table's. */
export function errorText(errno: number): string {
  const name = ERRNO_NAMES.get(errno);
  return name ? `${name} (${ERRNO_TEXT[name] ?? "?"})` : `errno ${errno}`;
}

/**
 * All arguments of one call. `result` is the call's result when it has returned successfully
 * (then `out` and `inout` arguments are decoded as the call left them), else null (entry: those
 * show as pointers, or `before[i]` when given).
 */
export function decodeArgs(mem: GuestMemory, call: string, sig: readonly ArgSpec[], args: readonly number[], result: number | null, max = 32, before?: readonly string[]): string[] {
  const byName = (n: string) => {
    const i = sig.findIndex((a) => a.name === n);
    return i < 0 ? null : args[i]! >>> 0;
  };
  return sig.map((a, i) => {
    const rule = argumentRule(call, a.name);
    const writes = rule !== null && rule.direction !== "in";
    if (result === null && writes && rule.direction === "out") return ptrText(args[i]!);
    if (result !== null && !writes && before) return before[i]!;
    return decodeArg(mem, a, args[i]!, rule, max, (n) => (rule?.direction === "out" && result !== null && n === rule.length ? result >>> 0 : byName(n)));
  });
}

/** One argument: by its rule when the spec has one, else by its type (pointers hex, ints signed). */
export function decodeArg(mem: GuestMemory, a: ArgSpec, v: number, rule: Rule | null, max = 32, lengthOf: (arg: string) => number | null = () => null): string {
  const format = rule?.format ?? (a.type === "cstr" ? "string" : null);
  switch (format) {
    case "string": {
      if (v === 0) return "NULL";
      const b = readCString(mem, v >>> 0, max + 1);
      return b === null ? hex(v) : quote(b, max);
    }
    case "bytes": {
      const n = rule?.length ? lengthOf(rule.length) : null;
      if (v === 0) return "NULL";
      if (n === null) return hex(v);
      const b = mem.readBytes(v >>> 0, Math.min(n, max + 1));
      return b === null ? hex(v) : quote(b, max);
    }
    case "flags":
      return flagsText(v, rule!.names, rule!.mask);
    case "enum":
      return rule!.names.find((c) => c.value === (v | 0) || c.value === v >>> 0)?.name ?? String(a.type.startsWith("u") ? v >>> 0 : v | 0);
    case "octal":
      return `0${(v >>> 0).toString(8)}`.replace(/^00$/, "0");
  }
  if (a.type.startsWith("ptr")) return ptrText(v);
  if (a.type === "uint" || a.type === "usize" || a.type.startsWith("u")) return String(v >>> 0);
  return String(v | 0);
}

/** `O_WRONLY|O_CREAT|O_CLOEXEC`: the mask's field by name, then every known bit, then the rest in hex. */
export function flagsText(v: number, names: readonly { name: string; value: number }[], mask: { value: number } | null): string {
  let rest = v >>> 0;
  const parts: string[] = [];
  if (mask) {
    const field = rest & mask.value;
    const named = names.find((c) => c.value === field && (c.value & ~mask.value) === 0);
    if (named) {
      parts.push(named.name);
      rest &= ~mask.value >>> 0;
    }
  }
  for (const c of names) {
    if (c.value <= 0 || (mask && (c.value & mask.value) !== 0)) continue;
    if ((rest & c.value) >>> 0 === c.value) {
      parts.push(c.name);
      rest = (rest & ~c.value) >>> 0;
    }
  }
  if (rest !== 0 || parts.length === 0) {
    const zero = v === 0 ? names.find((c) => c.value === 0) : undefined;
    parts.push(zero ? zero.name : hex(rest));
  }
  return parts.join("|");
}

/** Bytes as a C string literal the way strace writes them, cut at `max` bytes with `...` after. */
export function quote(bytes: Uint8Array, max = 32): string {
  let s = '"';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    const next = i + 1 < n ? bytes[i + 1]! : -1;
    if (c === 0x22) s += '\\"';
    else if (c === 0x5c) s += "\\\\";
    else if (c === 0x0a) s += "\\n";
    else if (c === 0x09) s += "\\t";
    else if (c === 0x0d) s += "\\r";
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += next >= 0x30 && next <= 0x37 ? `\\${c.toString(8).padStart(3, "0")}` : `\\${c.toString(8)}`;
  }
  return `${s}"${bytes.length > max ? "..." : ""}`;
}

function readCString(mem: GuestMemory, addr: number, max: number): Uint8Array | null {
  const bytes: number[] = [];
  for (let i = 0; i < max; i++) {
    const b = mem.readBytes((addr + i) >>> 0, 1);
    if (b === null) return bytes.length ? Uint8Array.from(bytes) : null;
    if (b[0] === 0) break;
    bytes.push(b[0]!);
  }
  return Uint8Array.from(bytes);
}

const ptrText = (v: number) => (v === 0 ? "NULL" : hex(v));

/**
 * One kernel call as `kiln run --strace` shows it: `[tid] openat(AT_FDCWD, "/x", O_RDONLY, 0) = 3`,
 * errors as `= -1 ENOENT (No such file or directory)`; arguments decoded like the layer trace's.
 */
export function formatSyscall(tid: number, mem: GuestMemory, row: Pick<SyscallRow, "id" | "args" | "ret">, args: readonly number[], result: number | "blocked" | "noreturn", max = 32): string {
  let res: string;
  let ok: number | null = null;
  if (result === "blocked") res = "? <blocked>";
  else if (result === "noreturn") res = "?";
  else if (result < 0 && result >= -4095) res = `-1 ${errorText(-result)}`;
  else {
    ok = result;
    res = row.ret === "ptr" ? hex(result) : String(result);
  }
  const text = decodeArgs(mem, row.id, row.args, args, ok, max);
  return `[${tid}] ${row.id}(${text.join(", ")}) = ${res}`;
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

// ---- Where trace lines go (kiln run) ----

/**
 * Trace lines on a stream the guest also writes to never land in the middle of a guest line:
 * while the guest's last write to that stream ended mid-line, lines wait, and go out right after
 * the guest ends the line (or at `close`, after a newline of their own). At most `limit` lines
 * wait; beyond that they go out after a newline, so a guest that never ends its line cannot make
 * the host hold an unbounded queue.
 */
export class TraceSink {
  private midLine = false;
  private readonly waiting: string[] = [];
  constructor(
    private readonly write: (text: string) => void,
    private readonly limit = 1024,
  ) {}

  /** One trace line (without its newline). */
  line(text: string): void {
    if (!this.midLine) return this.write(`${text}\n`);
    this.waiting.push(text);
    if (this.waiting.length >= this.limit) this.release(true);
  }

  /**
   * The guest writes `bytes` to the stream the trace shares, through `write`. Waiting lines go out
   * right after the guest's last complete line in them, before the rest.
   */
  guestWrite(bytes: Uint8Array, write: (b: Uint8Array) => boolean): boolean {
    if (bytes.length === 0) return write(bytes);
    const nl = bytes.lastIndexOf(0x0a);
    if (!this.waiting.length || nl < 0 || nl === bytes.length - 1) {
      const ok = write(bytes);
      this.guestWrote(bytes);
      return ok;
    }
    const head = bytes.subarray(0, nl + 1);
    const ok = write(head);
    this.guestWrote(head);
    return write(bytes.subarray(nl + 1)) && ok && (this.guestWrote(bytes.subarray(nl + 1)), true);
  }

  /** The guest wrote these bytes to the stream the trace shares. */
  guestWrote(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.midLine = bytes[bytes.length - 1] !== 0x0a;
    if (!this.midLine && this.waiting.length) this.release(false);
  }

  /** At the end of the run: what still waits goes out, after a newline if the guest left its line open. */
  close(): void {
    if (this.waiting.length) this.release(this.midLine);
  }

  private release(breakLine: boolean): void {
    this.write(`${breakLine ? "\n" : ""}${this.waiting.map((l) => `${l}\n`).join("")}`);
    this.waiting.length = 0;
    if (breakLine) this.midLine = false;
  }
}

/** Totals per slot and route (`kiln run --summary`, like strace -c). */
export class CallSummary {
  private readonly rows = new Map<string, { slot: string; route: string; calls: number; errors: number; traps: number; insns: number }>();

  add(c: TracedCall): void {
    const slot = `${c.program}.${c.id}`;
    const what = c.recipe ?? (c.route === "message" ? c.call ?? c.id : c.nr !== null ? `${c.call ?? c.id}#${c.nr}` : c.call ?? c.id);
    const route = `${c.route} ${what}`;
    const key = `${slot} ${route}`;
    let r = this.rows.get(key);
    if (!r) this.rows.set(key, (r = { slot, route, calls: 0, errors: 0, traps: 0, insns: 0 }));
    r.calls++;
    if (c.errno !== null) r.errors++;
    r.traps += c.traps;
    r.insns += c.insns;
  }

  /** The table, most instructions first, with a total line. */
  lines(): string[] {
    const rows = [...this.rows.values()].sort((a, b) => b.insns - a.insns || a.slot.localeCompare(b.slot));
    const total = rows.reduce((t, r) => ({ slot: "total", route: "", calls: t.calls + r.calls, errors: t.errors + r.errors, traps: t.traps + r.traps, insns: t.insns + r.insns }), { slot: "total", route: "", calls: 0, errors: 0, traps: 0, insns: 0 });
    const num = (n: number, w: number) => String(n).padStart(w);
    const fmt = (r: typeof total) => `${num(r.calls, 7)} ${num(r.errors, 7)} ${num(r.traps, 7)} ${num(r.insns, 11)} ${r.calls ? (r.insns / r.calls).toFixed(1).padStart(10) : "".padStart(10)}  ${r.slot.padEnd(18)} ${r.route}`.trimEnd();
    const rule = `${"-".repeat(7)} ${"-".repeat(7)} ${"-".repeat(7)} ${"-".repeat(11)} ${"-".repeat(10)}  ${"-".repeat(18)} ${"-".repeat(12)}`;
    return [`${"calls".padStart(7)} ${"errors".padStart(7)} ${"traps".padStart(7)} ${"insns".padStart(11)} ${"insns/call".padStart(10)}  ${"slot".padEnd(18)} route`, rule, ...rows.map(fmt), rule, fmt(total)];
  }
}

/** Kernel calls by id (`kiln run --summary`): calls and errors, as strace -c counts them. */
export class SyscallSummary {
  private readonly rows = new Map<string, { calls: number; errors: number }>();

  add(id: string, result: number | "blocked" | "noreturn"): void {
    let r = this.rows.get(id);
    if (!r) this.rows.set(id, (r = { calls: 0, errors: 0 }));
    r.calls++;
    if (typeof result === "number" && result < 0 && result >= -4095) r.errors++;
  }

  /** The table, most calls first, with a total line; empty when no kernel call was made. */
  lines(): string[] {
    const rows = [...this.rows].sort(([a, x], [b, y]) => y.calls - x.calls || a.localeCompare(b));
    if (rows.length === 0) return [];
    const total = rows.reduce((t, [, r]) => ({ calls: t.calls + r.calls, errors: t.errors + r.errors }), { calls: 0, errors: 0 });
    const fmt = (calls: number, errors: number, what: string) => `${String(calls).padStart(7)} ${String(errors).padStart(7)}  ${what}`;
    const rule = `${"-".repeat(7)} ${"-".repeat(7)}  ${"-".repeat(18)}`;
    const head = `${"calls".padStart(7)} ${"errors".padStart(7)}  kernel call`;
    return [head, rule, ...rows.map(([id, r]) => fmt(r.calls, r.errors, id)), rule, fmt(total.calls, total.errors, "total")];
  }
}
