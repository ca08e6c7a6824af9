// Syscall fuzzer: seeded random system calls on every kernel ABI (10,000 each by default, 100,000
// under KILN_FUZZ=long: tests/support/budget.ts), issued from the thread of a real (layered, p3) process by driving the kernel's trap path directly: the test sets
// a7 and a0-a5, then calls the kernel's ecall handler for that thread, exactly what runSlice does on
// an `ecall` exit. On k3 a third of the calls are ring_enter with random messages queued in the
// thread's ring first. Numbers are mostly valid (some invalid); arguments are biased toward
// interesting values (0, -1, small ints, live fds, pointers into mapped / unmapped / read-only
// memory, huge lengths, addresses near 0xFFFFFFFF).
//
// Asserted for every call: no host exception; every handler result is an integer >= -4095 (any
// 32-bit word for calls returning a pointer), a negative one being one of the spec's errno values,
// or a Blocked wait whose poll and interrupt also behave; every byte the kernel writes into guest
// memory lies in a buffer the call targeted (a pointer argument plus the largest length argument,
// an iovec, the ring, the shared page, the signal frame below sp, or a fresh mapping).
// Calls that end the process (exit, kill of itself with a fatal signal, a bad rt_sigreturn) are
// allowed: the process is replaced and fuzzing goes on. clone and execve are left out (a child
// would start running the image's code).
// After the fuzzing, a well-formed program runs in the SAME kernel instance (same VFS, same
// process table) with exact output and status.
import { describe, expect, it } from "vitest";
import type { KernelDispatch, MessageRow, SyscallRow } from "../../gen/types.ts";
import { Memory } from "../../impl/cpu/memory.ts";
import { cpuMachine } from "../../impl/kernel/cpu-machine.ts";
import { errno as ERRNO } from "../../generated/index.ts";
import { handlers as defaultHandlers } from "../../impl/kernel/handlers/index.ts";
import { NORETURN } from "../../impl/kernel/handlers/types.ts";
import type { Handler } from "../../impl/kernel/handlers/types.ts";
import { areasOf, layerOf } from "../../impl/kernel/layered.ts";
import { installLayers } from "../../harness/install.ts";
import { Kernel } from "../../impl/kernel/kernel.ts";
import { PAGE_SIZE, PERM_R, PERM_W } from "../../impl/kernel/machine.ts";
import type { Process, Thread } from "../../impl/kernel/process.ts";
import { BufferStdio } from "../../impl/kernel/stdio.ts";
import { Vfs } from "../../impl/kernel/vfs.ts";
import { asm } from "./helpers.ts";
import { DISPATCH, KERNEL_NAMES, guest, haveCrossCompiler } from "./layered-helpers.ts";
import type { KernelName } from "./layered-helpers.ts";
import { unitPrng } from "../support/prng.ts";
import { fuzzBudget } from "../support/budget.ts";

const cc = haveCrossCompiler();
if (!cc) console.warn("SKIPPED tests/kernel/fuzz: riscv64-unknown-elf-gcc is not installed");

const CALLS_PER_KERNEL = fuzzBudget(10_000, 100_000);
const SEED = 0x6b696c6e;
/** Print figures (calls, duration) only when asked: KILN_FUZZ_REPORT=1. */
const REPORT = process.env["KILN_FUZZ_REPORT"] === "1";

const SCRATCH = 0x4000_0000;
const SCRATCH_SIZE = 16 * PAGE_SIZE;
const STRINGS = SCRATCH + 12 * PAGE_SIZE;
const RO_PAGE = SCRATCH + SCRATCH_SIZE + PAGE_SIZE;
const RETIRE_EVERY = 3000;
const ERRNOS = new Set(Object.values(ERRNO));
const NO_FUZZ = new Set(["clone", "execve"]);
const RARE = new Set(["exit", "exit_group", "rt_sigreturn"]);

// ------------------------------------------------------------------ deterministic randomness

class Rng {
  private readonly next: () => number;
  constructor(seed: number) { this.next = unitPrng(seed); }
  float(): number { return this.next(); }
  int(n: number): number { return Math.floor(this.next() * n); }
  u32(): number { return (this.next() * 4294967296) >>> 0; }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]!; }
  chance(p: number): boolean { return this.next() < p; }
}

// ------------------------------------------------------------------ a memory that logs kernel writes

interface Watch { on: boolean; log: [addr: number, len: number][] }
const watch: Watch = { on: false, log: [] };

class WatchedMemory extends Memory {
  override writeBytes(addr: number, bytes: Uint8Array, force = false): boolean {
    if (watch.on && bytes.length > 0) watch.log.push([addr >>> 0, bytes.length]);
    return super.writeBytes(addr, bytes, force);
  }
}
const watchedMachine = { newMemory: () => new WatchedMemory(), newCpu: cpuMachine.newCpu };

// ------------------------------------------------------------------ result recording

interface Seen { row: SyscallRow | MessageRow; r: unknown }
let seen: Seen[] = [];

/** Every default handler, wrapped to record what it returned (message handlers included). */
const recordingHandlers: Record<string, Handler> = Object.fromEntries(
  Object.entries(defaultHandlers).map(([name, fn]) => [
    name,
    ((ctx, ...args) => {
      try {
        const r = fn(ctx, ...args);
        seen.push({ row: ctx.row, r });
        return r;
      } catch (e) {
        seen.push({ row: ctx.row, r: e });
        throw e;
      }
    }) as Handler,
  ]),
);

// ------------------------------------------------------------------ the fuzzer

const STRINGS_LIST = [
  "a.txt", "d", "d/x", "new", "new2", "sym", "loop", "..", ".", "/fz/b", "", "/", "d/", "a.txt/", "/fz",
  "x".repeat(300), "d/../a.txt", "/fz/d/deep", "nodir/x",
];

/** Errors a call returned that its spec row does not list: a test failure. */
const undeclared = new Set<string>();

interface Failure { kernel: string; i: number; what: string }

interface FuzzStats { calls: number; ms: number; respawns: number; blocked: number; ringEntries: number; byErrno: Map<number, number> }

/** An init that reaps children until there are none (so the post-fuzz program is not init). */
function reaper(d: KernelDispatch): Uint8Array {
  const nr = (id: string) => d.syscalls.find((r) => r.id === id)!.nr;
  return asm(`
  .text
  .globl _start
_start:
1:
  li a0, 0
  li a1, 0
  li a2, 0
  li a3, 4
  li a4, 0
  li a7, ${nr("waitid")}
  ecall
  li t0, -10
  bne a0, t0, 1b
  li a0, 0
  li a7, ${nr("exit_group")}
  ecall
`);
}

class Fuzzer {
  readonly rng: Rng;
  readonly k: Kernel;
  readonly stdio = new BufferStdio("some stdin for the fuzzer\n");
  readonly failures: Failure[] = [];
  readonly stats: FuzzStats = { calls: 0, ms: 0, respawns: 0, blocked: 0, ringEntries: 0, byErrno: new Map() };
  private p!: Process;
  private t!: Thread;
  private sp = 0;
  private fds: number[] = [];
  private strAddrs: number[] = [];
  private readonly rows: SyscallRow[];
  private readonly ringRow: SyscallRow | undefined;
  private readonly syscallOf: (t: Thread) => void;

  constructor(readonly name: KernelName, readonly image: Uint8Array, seed: number) {
    this.rng = new Rng(seed);
    const d = DISPATCH[name];
    let kref: Kernel | null = null;
    const vfs = new Vfs({ now: () => (kref ? kref.realtimeNs() : 0n), capacity: 64 * 1024 * 1024 });
    this.k = new Kernel({ dispatch: d, stdio: this.stdio, vfs, machine: watchedMachine, memoryCap: 48 * 1024 * 1024, maxInsns: 500_000_000, handlers: recordingHandlers });
    kref = this.k;
    installLayers(this.k.vfs);
    this.k.vfs.writeFile("/fz/a.txt", "hello fuzz\n".repeat(40));
    this.k.vfs.writeFile("/fz/d/inner", "inner\n");
    const fz = this.k.vfs.lookup(this.k.vfs.root, "/fz");
    this.k.vfs.symlink(fz, "sym", "a.txt");
    this.k.vfs.symlink(fz, "loop", "loop");
    this.k.spawn(reaper(d), ["init"]);
    this.rows = d.syscalls.filter((r) => !NO_FUZZ.has(r.handler));
    this.ringRow = d.syscalls.find((r) => r.handler === "ring_enter");
    // The kernel's trap path for one thread (what runSlice calls on an `ecall` exit).
    const kk = this.k as unknown as { syscall(t: Thread): void };
    this.syscallOf = (t) => kk.syscall(t);
    this.spawnTarget();
  }

  private spawnTarget(): void {
    // The fuzzer may have renamed or removed /fz: start in / then.
    let cwd = "/fz";
    try { if (!this.k.vfs.lookup(this.k.vfs.root, cwd).isDir) cwd = "/"; } catch { cwd = "/"; }
    this.p = this.k.spawn(this.image, ["fuzz"], ["FUZZ=1"], { cwd });
    this.p.ppid = 0; // not init's child: released at once when it ends
    this.t = this.p.threads[0]!;
    this.sp = (this.t.cpu.regs[2]! >>> 0) - 512;
    const vm = this.p.vm;
    vm.map(SCRATCH, SCRATCH_SIZE, PERM_R | PERM_W);
    vm.map(RO_PAGE, PAGE_SIZE, PERM_R);
    vm.mem.writeBytes(RO_PAGE, new TextEncoder().encode("a.txt\0read-only\0"), true);
    this.writeStrings();
    this.fds = [0, 1, 2];
  }

  private writeStrings(): void {
    const mem = this.p.vm.mem;
    let at = STRINGS;
    this.strAddrs = [];
    for (const s of STRINGS_LIST) {
      const b = new TextEncoder().encode(s + "\0");
      mem.writeBytes(at, b, true);
      this.strAddrs.push(at);
      at += (b.length + 7) & ~7;
    }
  }

  private retire(): void {
    if (this.p.state === "live") this.k.exitProcess(this.p, { code: 0, signal: 0, core: false });
  }

  // ---- argument generators

  private ptr(cstr: boolean): number {
    const r = this.rng;
    const m = layerOf(this.p.vm);
    const x = r.int(100);
    if (cstr && x < 45) return r.pick(this.strAddrs);
    if (x < 65) return SCRATCH + r.pick([0, 8, 64, 100, 0xff0, 0x1000, 0x2ffc, 0x8000, SCRATCH_SIZE - 8]);
    if (x < 72) return RO_PAGE + r.pick([0, 6, 0xff8]);
    if (x < 80) return r.pick([0, 1, 4, 0x1000, 0x3000_0000, 0x5000_0000, 0x7fff_fff0]);
    if (x < 86) return r.pick([0xffff_ffff, 0xffff_fffc, 0xffff_fff0, 0xffff_f000, 0xfff0_0000]);
    if (x < 90) return this.sp - r.pick([0, 64, 4096, 200_000]);
    if (x < 94 && m) return r.pick([m.stubAddr, m.codeAddr, m.sharedPage || m.stubAddr]);
    if (x < 96) return 0x10000 + r.int(0x400) * 4; // program text (read-only)
    return r.u32();
  }

  private len(): number {
    const r = this.rng;
    return r.chance(0.7)
      ? r.pick([0, 1, 2, 4, 8, 16, 64, 100, 255, 256, 4096, 4097, 8192, 65536, 1 << 20])
      : r.pick([0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0xffff_f000, 16 << 20, (16 << 20) + 1, r.u32()]);
  }

  private fd(): number {
    const r = this.rng;
    return r.chance(0.75) ? r.pick(this.fds) : r.pick([-1, -100, 3, 4, 5, 63, 255, 256, 1024, 0x7fff_ffff, r.u32() | 0]);
  }

  private int(): number {
    const r = this.rng;
    const x = r.int(10);
    if (x < 5) return r.pick([0, 1, -1, 2, 3, 4, 9, 10, 12, 15, 17, 19, 64, 65, -100, -2]);
    if (x < 8) return r.int(32);
    return r.u32() | 0;
  }

  private flags(): number {
    const r = this.rng;
    if (r.chance(0.2)) return 0;
    if (r.chance(0.15)) return r.u32();
    const bits = [0x1, 0x2, 0x4, 0x10, 0x20, 0x40, 0x80, 0x100, 0x200, 0x400, 0x800, 0x1000, 0x4000, 0x10000, 0x20000, 0x80000, 0x100000, 0x200000, 0x80000000];
    let f = 0;
    for (let n = 1 + r.int(3); n > 0; n--) f |= r.pick(bits);
    return f >>> 0;
  }

  private pid(): number {
    return this.rng.pick([0, -1, 1, this.p.pid, this.p.pid, 2, 9999, -this.p.pid, this.rng.u32() | 0]);
  }

  private arg(type: string): number {
    const t = type.trim();
    if (t === "cstr") return this.ptr(true);
    if (t.startsWith("ptr")) return this.ptr(false);
    if (t === "fd") return this.fd();
    if (t === "usize" || t === "ssize") return this.len();
    if (t === "pid" || t === "tid") return this.pid();
    if (t === "int" || t === "sig" || t === "off" || t === "clockid") return this.int();
    return this.rng.chance(0.5) ? this.flags() : this.int() >>> 0;
  }

  /** Keeps kill/tgkill away from init (pid 1): the reaper must survive to run the last program. */
  private sanitize(row: { handler: string }, a: number[]): void {
    if (row.handler === "kill") {
      const pid = a[0]! | 0;
      if (pid === 1 || (pid === 0 && this.p.pgid === 1)) a[0] = this.p.pid;
    }
    if (row.handler === "tgkill" && (a[0]! | 0) === 1) a[0] = this.p.pid;
  }

  // ---- k3: random messages in the thread's ring

  private queueMessages(d: KernelDispatch): number[] {
    const areas = areasOf(this.t);
    const ring = areas?.ring;
    const s = d.structs;
    if (!ring || !s["ring"] || !s["sqe"]) return [];
    const mem = this.p.vm.mem;
    const rd = (off: number) => { const b = mem.readBytes(ring + off, 4); return b ? new DataView(b.buffer, b.byteOffset).getUint32(0, true) : 0; };
    const wr = (off: number, v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v >>> 0, true); mem.writeBytes(ring + off, b, true); };
    const f = (st: string, n: string) => s[st]!.fields.find((x) => x.name === n)!.offset;
    const sqOffset = Math.ceil(s["ring"].size / 32) * 32;
    const words: number[] = [];
    let tail = rd(f("ring", "sq_tail"));
    if (this.rng.chance(0.1)) wr(f("ring", "cq_head"), rd(f("ring", "cq_tail")));
    const n = this.rng.chance(0.1) ? 64 : 1 + this.rng.int(8);
    for (let i = 0; i < n; i++) {
      const msg = this.rng.chance(0.9) ? this.rng.pick(d.messages) : null;
      const opcode = msg ? msg.opcode : this.rng.int(0x10000);
      const args = [0, 1, 2, 3, 4, 5].map((j) => (msg && j < msg.args.length ? this.arg(msg.args[j]!.type) : this.rng.u32()) >>> 0);
      if (msg) this.sanitize(msg, args);
      const e = new Uint8Array(s["sqe"].size);
      const dv = new DataView(e.buffer);
      dv.setUint16(f("sqe", "opcode"), opcode, true);
      dv.setUint32(f("sqe", "user_data"), this.rng.u32(), true);
      args.forEach((w, j) => dv.setUint32(f("sqe", "args") + 4 * j, w, true));
      mem.writeBytes(ring + sqOffset + (tail & 63) * s["sqe"].size, e, true);
      tail = (tail + 1) >>> 0;
    }
    wr(f("ring", "sq_tail"), tail);
    this.stats.ringEntries += n;
    // Every entry still queued (earlier calls may have left some): its words are targets.
    const head = rd(f("ring", "sq_head"));
    for (let c = head, left = 64; c !== tail && left > 0; c = (c + 1) >>> 0, left--) {
      const e = mem.readBytes(ring + sqOffset + (c & 63) * s["sqe"].size, s["sqe"].size);
      if (!e) break;
      const dv = new DataView(e.buffer, e.byteOffset);
      const args = [0, 1, 2, 3, 4, 5].map((j) => dv.getUint32(f("sqe", "args") + 4 * j, true));
      words.push(...args);
      const msg = d.messages.find((x) => x.opcode === dv.getUint16(f("sqe", "opcode"), true));
      if (msg?.handler === "readv") words.push(...this.iovecBases(args[1]!, args[2]!));
    }
    return words;
  }

  /** iovec bases and lengths a readv may write to (read before the call). */
  private iovecBases(iov: number, cnt: number): number[] {
    const out: number[] = [];
    const n = Math.min(cnt | 0, 1024);
    for (let i = 0; i < n; i++) {
      const b = this.p.vm.mem.readBytes((iov + i * 8) >>> 0, 8);
      if (!b) break;
      const dv = new DataView(b.buffer, b.byteOffset);
      out.push(dv.getUint32(0, true), dv.getUint32(4, true));
    }
    return out;
  }

  // ---- one call

  step(i: number): void {
    const r = this.rng;
    const d = this.k.dispatch;
    let nr: number;
    let row: SyscallRow | undefined;
    if (r.chance(0.06)) {
      nr = r.chance(0.5) ? r.int(600) : r.u32();
      row = d.syscalls.find((x) => x.nr >>> 0 === nr >>> 0);
      if (row && NO_FUZZ.has(row.handler)) nr = 0xffff_ffff;
      if (row && NO_FUZZ.has(row.handler)) row = undefined;
    } else {
      row = this.ringRow && r.chance(0.34) ? this.ringRow : r.pick(this.rows);
      if (RARE.has(row.handler) && !r.chance(0.02)) row = r.pick(this.rows.filter((x) => !RARE.has(x.handler)));
      nr = row.nr;
    }
    const args = row ? row.args.map((a) => this.arg(a.type) >>> 0) : [0, 1, 2, 3, 4, 5].map(() => r.u32());
    if (row) this.sanitize(row, args);
    while (args.length < 6) args.push(r.u32());
    const extra: number[] = [];
    if (row?.handler === "ring_enter") {
      extra.push(...this.queueMessages(d));
      if (r.chance(0.7)) args[0] = r.pick([1, 8, 64, 65, 0]);
      if (r.chance(0.7)) args[1] = r.pick([0, 1, 64, 65]);
    }
    if (row?.handler === "readv") extra.push(...this.iovecBases(args[1]!, args[2]!));

    const cpu = this.t.cpu;
    cpu.regs.fill(0);
    cpu.regs[2] = this.sp;
    cpu.regs[17] = nr | 0;
    for (let j = 0; j < 6; j++) cpu.regs[10 + j] = args[j]! | 0;

    // Buffers this call may write: each argument word (and ring message word) as a base, bounded
    // by the largest length-like word; the ring and shared page; the signal frame below sp.
    const words = [...args, ...extra];
    const bound = Math.max(1024, ...words.filter((w) => w <= 16 << 20).map((w) => w + 1024));
    const areas = areasOf(this.t);
    const m = layerOf(this.p.vm);
    const allowed: [number, number][] = words.map((w) => [w, w + bound]);
    allowed.push([this.sp - 2048, this.sp + 16]);
    // set_tid_address named this word earlier: zeroed when the thread ends (CLONE_CHILD_CLEARTID).
    if (this.t.clearChildTid) allowed.push([this.t.clearChildTid, this.t.clearChildTid + 4]);
    if (areas?.ring) allowed.push([areas.ring, areas.ring + PAGE_SIZE]);
    if (m?.sharedPage) allowed.push([m.sharedPage, m.sharedPage + PAGE_SIZE]);

    seen = [];
    watch.log = [];
    watch.on = true;
    const where = `${this.name} call #${i}: ${row ? row.id : "nr " + nr}(${args.slice(0, row ? row.args.length : 6).map((a) => "0x" + a.toString(16)).join(", ")})`;
    try {
      this.syscallOf(this.t);
      if (this.t.state === "blocked") {
        this.stats.blocked++;
        const b = this.t.block!;
        const pr = b.poll();
        if (pr !== undefined) this.checkNumber(where + " poll", row, pr, row?.ret ?? "int");
        if (b.interrupt) this.checkNumber(where + " interrupt", row, b.interrupt(), row?.ret ?? "int");
        this.t.block = null;
        this.t.state = "runnable";
        this.k.cancelFutex(this.t);
      }
      if (this.t.state === "runnable" && this.p.state === "live") this.k.deliverSignals(this.t);
    } catch (e) {
      this.fail(where, `host exception: ${(e as Error).stack ?? String(e)}`);
    } finally {
      watch.on = false;
    }
    if (!row) {
      if (cpu.regs[10] !== -ERRNO.ENOSYS) this.fail(where, `unknown number gave ${cpu.regs[10]}, not -ENOSYS`);
    }
    for (const s of seen) {
      if (s.r instanceof Error) {
        if (!("errno" in s.r)) this.fail(where, `handler ${s.row.id} threw ${String(s.r)}`);
        else this.checkNumber(`${where} [${s.row.id}]`, s.row, -(s.r as { errno: number }).errno, s.row.ret);
        continue;
      }
      if (s.r === NORETURN) continue;
      if (typeof s.r === "object" && s.r !== null && typeof (s.r as { poll?: unknown }).poll === "function") continue;
      this.checkNumber(`${where} [${s.row.id}]`, s.row, s.r, s.row.ret);
    }
    // A mapping the call made is its own target.
    for (const s of seen) if (s.row.handler === "mmap2" && typeof s.r === "number" && !(s.r >= -4095 && s.r < 0)) allowed.push([s.r >>> 0, (s.r >>> 0) + (args[1]! >>> 0) + PAGE_SIZE]);
    for (const [a, len] of watch.log) {
      const ok = allowed.some(([lo, hi]) => a >= lo && a + len <= hi);
      if (!ok) this.fail(where, `wrote ${len} bytes at 0x${a.toString(16)}, outside every targeted buffer`);
    }
    // Track descriptors the call created.
    for (const s of seen) {
      if (typeof s.r === "number" && s.r >= 3 && s.r < 256 && ["openat", "dup", "dup3", "fcntl64"].includes(s.row.handler)) this.fds.push(s.r);
      if (s.row.handler === "pipe2" && s.r === 0) {
        const b = this.p.vm.mem.readBytes(args[0]!, 8);
        if (b) { const dv = new DataView(b.buffer, b.byteOffset); this.fds.push(dv.getInt32(0, true), dv.getInt32(4, true)); }
      }
    }
    if (this.fds.length > 40) this.fds = [0, 1, 2, ...this.fds.slice(-20)];
    this.stats.calls++;
    if (this.p.state !== "live" || this.t.state === "dead" || this.stats.calls % RETIRE_EVERY === 0) {
      this.retire();
      this.stats.respawns++;
      this.spawnTarget();
    } else if (this.stats.calls % 500 === 0) {
      this.writeStrings();
    }
  }

  private count(r: number): void {
    if (r < 0) this.stats.byErrno.set(-r, (this.stats.byErrno.get(-r) ?? 0) + 1);
  }

  private checkNumber(where: string, row: SyscallRow | MessageRow | undefined, r: unknown, ret: string): void {
    if (typeof r !== "number" || !Number.isInteger(r)) {
      this.fail(where, `result ${String(r)} is not an integer`);
      return;
    }
    const isPtr = ret.startsWith("ptr");
    const lo = isPtr ? -0x8000_0000 : -4095;
    if (r < lo || r > 0xffff_ffff) this.fail(where, `result ${r} out of range for ${ret}`);
    if (r < 0 && r >= -4095 && !ERRNOS.has(-r)) this.fail(where, `error ${-r} is not in the spec's errno table`);
    if (REPORT && r < 0 && r >= -4095 && row) {
      const name = Object.entries(ERRNO).find(([, v]) => v === -r)?.[0] ?? String(-r);
      if (!row.errors.includes(name)) undeclared.add(`${row.id}:${name}`);
    }
    this.count(r);
  }

  private fail(where: string, what: string): void {
    if (this.failures.length < 20) this.failures.push({ kernel: this.name, i: this.stats.calls, what: `${where}: ${what}` });
  }

  /** Ends the fuzzing and runs `image` in the same kernel; its stdout (only) and exit status. */
  finish(image: Uint8Array): { stdout: string; status: number | null; outcome: string } {
    this.retire();
    const before = this.stdio.out.length;
    const p = this.k.spawn(image, ["after"], []);
    const r = this.k.run();
    const stdout = Buffer.concat(this.stdio.out.slice(before)).toString("utf8");
    const status = p.exit ? (p.exit.signal ? 128 + p.exit.signal : p.exit.code) : null;
    return { stdout, status, outcome: `${r.outcome.kind} ${JSON.stringify(r.outcome)}` };
  }
}

describe.skipIf(!cc)("syscall fuzzer", () => {
  for (const [n, name] of KERNEL_NAMES.entries()) {
    it(`${CALLS_PER_KERNEL} random calls on ${name}: no host exception, results in range, writes only where targeted; then a program runs correctly in the same kernel`, () => {
      const fuzzImage = guest("after_fuzz", "p3");
      const after = guest("after_fuzz", "p2");
      const f = new Fuzzer(name, fuzzImage, SEED + n);
      const t0 = performance.now();
      for (let i = 0; i < CALLS_PER_KERNEL; i++) f.step(i);
      f.stats.ms = performance.now() - t0;
      expect(f.failures).toEqual([]);
      expect(f.stats.calls).toBe(CALLS_PER_KERNEL);
      const r = f.finish(after);
      expect(r, r.outcome).toMatchObject({ stdout: "pipe: child says hi\nchild exit 7\nfile: 3456 size 10\n", status: 0 });
      expect(r.outcome).toMatch(/^exited/);
      // The spec's errors column is the contract: every error a call returns is listed in its row.
      expect([...undeclared].sort(), "errors returned but not listed in the spec row").toEqual([]);
      if (REPORT) {
        const top = [...f.stats.byErrno.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([e, c]) => `${e}:${c}`).join(" ");
        console.log(`undeclared errors: ${[...undeclared].sort().join(" ")}`);
        console.log(`fuzz ${name}: ${f.stats.calls} calls in ${f.stats.ms.toFixed(0)} ms; ${f.stats.respawns} processes; ${f.stats.blocked} blocked; ${f.stats.ringEntries} ring messages; errnos ${top}`);
      }
    }, fuzzBudget(120_000, 1_200_000));
  }
});
