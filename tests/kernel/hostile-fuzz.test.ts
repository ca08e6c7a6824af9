// Hostile fuzzers (issue 12): seeded random calls on the paths the syscall fuzzer leaves out —
// clone with random flags, exit signals and pointers, and the message ring with random entries,
// corrupted heads and tails, rings unmapped by another thread while their thread is blocked — on
// several threads of one layered process, driven through the kernel's trap path in-process.
//
// Default: 100,000 calls in all (traps, and messages queued on rings); KILN_HOSTILE_FUZZ=long runs
// a million, KILN_HOSTILE_FUZZ_CALLS=n any number.
// Asserted for every call: no host exception; a result is a tid/count >= 0 or a negative errno
// listed in the call's spec row; a blocked call wakes (by a signal, a pipe write or its ring going
// away) with the same; a failed clone leaves no thread; memory stays within the cap; a clean
// program then runs to its exit.
import { describe, expect, it } from "vitest";
import { errno as ERRNO } from "../../generated/index.ts";
import { areasOf, layerOf } from "../../impl/kernel/layered.ts";
import { PAGE_SIZE } from "../../impl/kernel/machine.ts";
import type { Thread } from "../../impl/kernel/process.ts";
import { unitPrng } from "../support/prng.ts";
import { queueMessage, setRingField, target } from "./hostile-helpers.ts";
import type { Target } from "./hostile-helpers.ts";
import { DISPATCH, KERNEL_NAMES, haveCrossCompiler } from "./layered-helpers.ts";
import type { KernelName } from "./layered-helpers.ts";

const cc = haveCrossCompiler();
const LONG = process.env["KILN_HOSTILE_FUZZ"] === "long";
const TOTAL = Number(process.env["KILN_HOSTILE_FUZZ_CALLS"] ?? (LONG ? 1_000_000 : 100_000));
const SEED = 0x686f7374;
const NAME_OF = new Map(Object.entries(ERRNO).map(([n, v]) => [v, n]));

class Rng {
  private readonly next: () => number;
  constructor(seed: number) { this.next = unitPrng(seed); }
  int(n: number): number { return Math.floor(this.next() * n); }
  u32(): number { return (this.next() * 4294967296) >>> 0; }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]!; }
  chance(p: number): boolean { return this.next() < p; }
}

const CLONE_BITS = [0x100, 0x200, 0x400, 0x800, 0x1000, 0x2000, 0x4000, 0x8000, 0x10000, 0x40000, 0x80000, 0x100000, 0x200000, 0x400000, 0x1000000, 0x2000000];
const THREAD = 0x100 | 0x800 | 0x10000;

/** Checks one result against the row's errors; records violations. */
function check(k: KernelName, id: string, r: number, bad: Set<string>): void {
  if (r >= 0) return;
  const row = DISPATCH[k].syscalls.find((x) => x.id === id)!;
  const name = NAME_OF.get(-r);
  if (!name || !row.errors.includes(name)) bad.add(`${id}:${name ?? r}`);
}

function pointers(tg: Target, rng: Rng, extra: number[]): number {
  const m = layerOf(tg.p.vm);
  return rng.pick([0, 0x10, 0xfffffffc, 0x7ffff000, m?.stubAddr ?? 0x1000, ...extra, rng.u32() & ~3]);
}

/** clone with random flags, exit signals and pointers; each child ends at once, some are reaped. */
function fuzzClone(k: KernelName, calls: number, seed: number, bad: Set<string>): void {
  const rng = new Rng(seed);
  const tg = target(k, { memoryCap: 48 * 1024 * 1024, maxThreads: 64, maxProcesses: 32 });
  const scratch = tg.scratch(4 * PAGE_SIZE);
  const info = scratch + 2 * PAGE_SIZE;
  for (let i = 0; i < calls; i++) {
    let flags = rng.chance(0.6) ? THREAD : 0;
    for (const b of CLONE_BITS) if (rng.chance(0.12)) flags |= b;
    if (rng.chance(0.05)) flags |= rng.u32() & ~0xff;
    flags = (flags & ~0xff) | rng.pick([0, 17, 10, 64, 65, 100, 255, rng.int(256)]);
    const stack = rng.chance(0.5) ? scratch + PAGE_SIZE : pointers(tg, rng, [scratch]);
    const tls = rng.chance(0.5) ? scratch + 64 : pointers(tg, rng, [scratch + 64]);
    const ptid = rng.chance(0.5) ? scratch + 16 : pointers(tg, rng, [scratch + 16]);
    const ctid = rng.chance(0.5) ? scratch + 32 : pointers(tg, rng, [scratch + 32]);
    const before = tg.kernel.threads.length;
    let r = tg.call("clone", flags, stack, ptid, tls, ctid);
    const status = { code: rng.int(256), signal: rng.chance(0.2) ? rng.pick([9, 11, 15]) : 0, core: false };
    const end = (child: Thread) => (child.proc === tg.p ? tg.kernel.exitThread(child, status) : tg.kernel.exitProcess(child.proc, status));
    if (tg.t.state === "blocked") {
      // CLONE_VFORK: the parent waits for the child, which ends now.
      end(tg.kernel.threads[tg.kernel.threads.length - 1]!);
      tg.trap.tryWake(tg.t);
      r = tg.t.cpu.regs[10]!;
      expect(r).toBeGreaterThan(0);
    } else if (r > 0) {
      const child = tg.kernel.threads.find((t) => t.tid === r);
      expect(child, "a successful clone made a thread").toBeDefined();
      end(child!);
    }
    check(k, "clone", r, bad);
    if (r <= 0) {
      expect(tg.kernel.threads.length, "a failed clone leaves no thread").toBe(before);
    }
    if (rng.chance(0.3)) check(k, "waitid", tg.call("waitid", 0, 0, info, 4 | 1 | 0x40000000), bad);
    // Signals sent by the children's exits: drop them so the fuzzing thread lives on.
    tg.t.pending = 0n;
    tg.p.pending = 0n;
    tg.t.pendingInfo.clear();
    tg.p.pendingInfo.clear();
    tg.t.state = "runnable";
    tg.t.block = null;
    expect(tg.kernel.memoryUsed()).toBeLessThanOrEqual(48 * 1024 * 1024);
  }
}

/** The ring: random messages, corrupted counters, several threads, rings unmapped under waiters. */
function fuzzRing(k: KernelName, calls: number, seed: number, bad: Set<string>): void {
  const rng = new Rng(seed);
  let tg = target(k, { memoryCap: 48 * 1024 * 1024 });
  let threads: Thread[] = [];
  let pipeFds: [number, number] = [-1, -1];
  let buf = 0;
  let setups = 0;
  const setup = () => {
    setups++;
    tg = target(k, { memoryCap: 48 * 1024 * 1024 });
    buf = tg.scratch(4 * PAGE_SIZE);
    expect(tg.call("pipe2", buf, 0)).toBe(0);
    pipeFds = [tg.kernel.readU32(tg.t, buf), tg.kernel.readU32(tg.t, buf + 4)];
    threads = [tg.t];
    for (let i = 0; i < 3; i++) {
      const tid = tg.call("clone", THREAD, buf + 4 * PAGE_SIZE, 0, 0, 0);
      expect(tid).toBeGreaterThan(0);
      threads.push(tg.kernel.threads.find((t) => t.tid === tid)!);
    }
  };
  setup();
  const messages = DISPATCH[k].messages;
  // A call is a trap or a message queued on the ring (each runs a handler).
  for (let i = 0; i < calls; i++) {
    const live = threads.filter((t) => t.state !== "dead");
    if (live.length === 0 || tg.p.state !== "live") {
      setup();
      continue;
    }
    const t = rng.pick(live);
    const ring = areasOf(t)?.ring ?? 0;
    if (t.state === "blocked") {
      // Wake it one way or another: a pipe write, a signal, or its ring taken away by another thread.
      const how = rng.int(3);
      if (how === 0) tg.p.fds.has(pipeFds[1]) && tg.p.fds.get(pipeFds[1]).pipe?.write(new Uint8Array(rng.int(64) + 1));
      else if (how === 1) tg.kernel.sendSignal(tg.p, t, 10, { signo: 10, code: 0 });
      else {
        const other = live.find((x) => x !== t && x.state === "runnable");
        if (other && ring) check(k, "munmap", tg.callOn(other, "munmap", ring, PAGE_SIZE), bad);
      }
      tg.trap.tryWake(t);
      if ((t.state as string) === "runnable") {
        const r = t.cpu.regs[10]!;
        check(k, "ring_enter", r, bad);
      }
      t.pending = 0n;
      t.pendingInfo.clear();
      continue;
    }
    if (ring) {
      const n = rng.int(6);
      for (let j = 0; j < n; j++) {
        const row = rng.chance(0.9) ? rng.pick(messages) : null;
        const opcode = row ? row.opcode : rng.int(0x10000);
        const fd = rng.pick([pipeFds[0], pipeFds[1], 0, -1, 99, rng.int(16)]);
        i++;
        queueMessage(tg.kernel, t, ring, opcode, rng.u32(), [fd, rng.pick([buf, buf + 100, 0, 0x10, rng.u32()]), rng.pick([0, 1, 64, 4096, rng.u32()]), rng.u32(), rng.u32(), rng.u32()]);
      }
      if (rng.chance(0.02)) setRingField(tg.kernel, t, ring, rng.pick(["sq_head", "sq_tail", "cq_head", "cq_tail"]), rng.chance(0.5) ? rng.u32() : rng.int(200));
    }
    // Mostly a few entries; now and then the whole ring (or a wild count).
    const toSubmit = rng.chance(0.02) ? rng.u32() : rng.chance(0.05) ? rng.int(70) : rng.int(8);
    const minComplete = rng.chance(0.05) ? rng.u32() : rng.int(3);
    const r = tg.callOn(t, "ring_enter", toSubmit, minComplete);
    if ((t.state as string) !== "blocked") check(k, "ring_enter", r, bad);
    // Keep the pipe from filling for good.
    if (rng.chance(0.2) && tg.p.fds.has(pipeFds[0])) tg.p.fds.get(pipeFds[0]).pipe?.read(1 << 16);
    t.pending = 0n;
    t.pendingInfo.clear();
    if (t.state === "dead" || tg.p.state !== "live") setup();
  }
  if (process.env["KILN_FUZZ_REPORT"] === "1") console.log(`ring fuzz ${k}: ${calls} calls, ${setups} processes`);
}

describe.skipIf(!cc)(`hostile fuzzers (${TOTAL} calls${LONG ? ", long mode" : ""})`, () => {
  const ringKernels = KERNEL_NAMES.filter((n) => DISPATCH[n].ring);
  const cloneShare = Math.floor(TOTAL / 2 / KERNEL_NAMES.length);
  const ringShare = Math.floor(TOTAL / 2 / Math.max(1, ringKernels.length));

  for (const k of KERNEL_NAMES) {
    it(`${k}: ${cloneShare} clones with random flags, exit signals and pointers`, () => {
      const bad = new Set<string>();
      fuzzClone(k, cloneShare, SEED ^ k.charCodeAt(1), bad);
      expect([...bad].sort(), "errors not listed in the spec row").toEqual([]);
    }, LONG ? 3_600_000 : 120_000);
  }

  for (const k of ringKernels) {
    it(`${k}: ${ringShare} ring calls (ring_enter and messages) on 4 threads: random messages, corrupted counters, rings unmapped under waiters`, () => {
      const bad = new Set<string>();
      fuzzRing(k, ringShare, SEED ^ 0x55 ^ k.charCodeAt(1), bad);
      expect([...bad].sort(), "errors not listed in the spec row").toEqual([]);
      // A clean program still runs to its end.
      expect(runClean(k)).toBe(0);
    }, LONG ? 3_600_000 : 120_000);
  }
});

function runClean(k: KernelName): number {
  return target(k, { maxInsns: 50_000_000 }).kernel.run().status;
}
