// Hostile guests (issue 12, spec/limits.md): each class that used to crash the host, hold memory
// outside --memory, run for unbounded wall time or give a non-Linux answer, pinned by a guest or a
// call that did it. Raw programs run on k1 in-process; layered ones are driven call by call.
import { describe, expect, it } from "vitest";
import { constants, errno as ERRNO, offsets } from "../../generated/index.ts";
import { installLayers } from "../../harness/install.ts";
import { Kernel } from "../../impl/kernel/kernel.ts";
import { areasOf, layerOf } from "../../impl/kernel/layered.ts";
import { LoadError } from "../../impl/kernel/loader.ts";
import { PAGE_SIZE } from "../../impl/kernel/machine.ts";
import type { Process, Thread } from "../../impl/kernel/process.ts";
import { BufferStdio } from "../../impl/kernel/stdio.ts";
import { run, sys, prog } from "./helpers.ts";
import { DISPATCH, KERNEL_NAMES, guest, haveCrossCompiler } from "./layered-helpers.ts";
import type { KernelName } from "./layered-helpers.ts";

const cc = haveCrossCompiler();
const { SYSCALL_COST, WAIT_COST, INTERNAL_STATUS } = constants.limits;


const { CLONE_VM, CLONE_SIGHAND, CLONE_THREAD, CLONE_SETTLS, CLONE_PARENT_SETTID } = constants.processes;
const THREAD = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD;

/** A layered process on kernel `k`, not yet run, and a way to trap on one of its threads. */
function target(k: KernelName, opts: { memoryCap?: number } = {}) {
  const kernel = new Kernel({ dispatch: DISPATCH[k], stdio: new BufferStdio(), maxInsns: 1_000_000, ...opts });
  installLayers(kernel.vfs);
  const p: Process = kernel.spawn(guest("after_fuzz", "p3"), ["t"]);
  const t0 = p.threads[0]!;
  const trap = kernel as unknown as { syscall(t: Thread): void; tryWake(t: Thread): void };
  const call = (id: string, ...args: number[]): number => callOn(t0, id, ...args);
  const callOn = (t: Thread, id: string, ...args: number[]): number => {
    const row = DISPATCH[k].syscalls.find((r) => r.id === id)!;
    t.cpu.regs[17] = row.nr;
    args.forEach((a, i) => (t.cpu.regs[10 + i] = a | 0));
    trap.syscall(t);
    return t.cpu.regs[10]!;
  };
  /** Scratch memory the guest owns: a fresh anonymous page. */
  const scratch = (len = PAGE_SIZE): number => call("mmap2", 0, len, 3, 0x22, -1, 0) >>> 0;
  const cstr = (s: string): number => {
    const at = scratch();
    kernel.copyOut(t0, at, new TextEncoder().encode(s + "\0"));
    return at;
  };
  return { kernel, p, t: t0, call, callOn, trap, scratch, cstr };
}

describe("containment: a host exception inside a call ends the run with one line and its own status", () => {
  it("a handler that throws becomes an internal error (status INTERNAL_STATUS), stack only with KILN_DEBUG", () => {
    const boom = () => {
      throw new TypeError("boom\nsecond line");
    };
    const image = prog(`${sys("getpid")}  li a0, 0`);
    const r = run(image, ["p"], { handlers: { getpid: boom } });
    expect(r.status).toBe(INTERNAL_STATUS);
    expect(r.outcome).toEqual({ kind: "limit", reason: "internal", message: "internal kernel error in k1.getpid: boom" });
    const old = process.env["KILN_DEBUG"];
    process.env["KILN_DEBUG"] = "1";
    try {
      const d = run(image, ["p"], { handlers: { getpid: boom } });
      expect(d.outcome.kind === "limit" && d.outcome.message).toMatch(/^internal kernel error in k1\.getpid: boom\nTypeError: boom/);
    } finally {
      if (old === undefined) delete process.env["KILN_DEBUG"];
      else process.env["KILN_DEBUG"] = old;
    }
  });

  it("clone with an exit signal past the last signal: the child runs, its exit sends no signal, waitid still reaps it", () => {
    // clone(100) fork-style; the child exits 3; the parent waits and exits with the child's status + 40.
    const image = prog(`
  li a0, 100
  li a1, 0
  li a2, 0
  li a3, 0
  li a4, 0
${sys("clone")}
  bnez a0, 1f
  li a0, 3
${sys("exit")}
1:
  bltz a0, 2f
  li a0, 0          # P_ALL
  li a1, 0
  la a2, info
  li a3, 0x40000004 # WEXITED | __WALL
  li a4, 0
${sys("waitid")}
  bnez a0, 2f
  la t0, info
  lw a0, 20(t0)     # si_status
  addi a0, a0, 40
  j 3f
2:
  li a0, 1
3:`, "info: .space 128");
    const r = run(image);
    expect(r.outcome).toEqual({ kind: "exited", code: 43 });
  });

  describe.skipIf(!cc)("rings", () => {
    it("k3: a thread blocked in ring_enter whose ring is unmapped meanwhile wakes with EFAULT, not a host exception", () => {
      const { kernel, p, t, call, trap } = target("k3");
      const fds = call("mmap2", 0, PAGE_SIZE, 3, 0x22, -1, 0) >>> 0;
      expect(call("pipe2", fds, 0)).toBe(0);
      const rfd = kernel.readU32(t, fds);
      const a = areasOf(t)!;
      queueRead(kernel, t, a.ring, rfd, fds + 64, 8);
      call("ring_enter", 1, 1);
      expect(t.state).toBe("blocked");
      // Another thread unmaps the ring, then a write makes the read complete.
      p.vm.unmap(a.ring, PAGE_SIZE);
      p.fds.get(kernel.readU32(t, fds + 4)).pipe!.write(new Uint8Array([1, 2, 3]));
      trap.tryWake(t);
      expect(t.state).toBe("runnable");
      expect(t.cpu.regs[10]).toBe(-ERRNO.EFAULT);
    });

    it("k3: ring_enter waits until min_complete completions are there (spec/ring.md), a signal ends the wait", () => {
      const { t, call, trap, p, kernel } = target("k3");
      call("ring_enter", 0, 1);
      expect(t.state).toBe("blocked");
      kernel.sendSignal(p, t, 10, { signo: 10, code: 0 });
      trap.tryWake(t);
      expect(t.cpu.regs[10]).toBe(-ERRNO.EINTR);
      // With the completion already waiting it returns at once.
      const fds = call("mmap2", 0, PAGE_SIZE, 3, 0x22, -1, 0) >>> 0;
      expect(call("pipe2", fds, 0)).toBe(0);
      queueRead(kernel, t, areasOf(t)!.ring, kernel.readU32(t, fds), fds + 64, 0);
      expect(call("ring_enter", 1, 1)).toBe(1);
    });
  });
});

/** Queues one `read(fd, buf, len)` message on a k3 ring. */
function queueRead(k: Kernel, t: Thread, ring: number, fd: number, buf: number, len: number): void {
  const r = k.dispatch.structs[k.dispatch.ring!]!;
  const sqe = k.dispatch.structs["sqe"]!;
  const off = (s: typeof r, f: string) => s.fields.find((x) => x.name === f)!.offset;
  const tail = k.readU32(t, ring + off(r, "sq_tail"));
  const sqOffset = k.readU32(t, ring + off(r, "sq_offset"));
  const at = ring + sqOffset + (tail & 63) * sqe.size;
  const opcode = k.dispatch.messages.find((m) => m.handler === "read")!.opcode;
  const b = new Uint8Array(sqe.size);
  const dv = new DataView(b.buffer);
  dv.setUint16(off(sqe, "opcode"), opcode, true);
  dv.setUint32(off(sqe, "user_data"), 77, true);
  [fd, buf, len].forEach((v, i) => dv.setUint32(off(sqe, "args") + 4 * i, v >>> 0, true));
  k.copyOut(t, at, b);
  k.writeU32(t, ring + off(r, "sq_tail"), tail + 1);
}

describe("the Linux answers", () => {
  it("clone(CLONE_PARENT_SETTID) with a bad ptid is EFAULT and makes no child", () => {
    const image = prog(`
  li a0, ${CLONE_PARENT_SETTID | 17}
  li a1, 0
  li a2, 0x10
  li a3, 0
  li a4, 0
${sys("clone")}
  neg a0, a0`);
    let made = 0;
    const r = run(image, ["p"], { trace: (l) => void (made += l.includes("clone") ? 1 : 0) });
    expect(r.status).toBe(ERRNO.EFAULT);
    expect(made).toBe(1); // the child would have traced its own exit_group
    expect(r.kernel.procs.size).toBe(1);
  });

  describe.skipIf(!cc)("layered clones", () => {
    it("clone(CLONE_SETTLS) into the read-only stub table or unmapped memory fails with EFAULT; nothing is written, no thread made", () => {
      const { kernel, p, call, scratch } = target("k2");
      const m = layerOf(p.vm)!;
      const before = p.vm.mem.readBytes(m.stubAddr, 16)!;
      const stack = scratch() + PAGE_SIZE;
      const mapped = p.vm.mappedBytes();
      expect(call("clone", THREAD | CLONE_SETTLS, stack, 0, m.stubAddr, 0)).toBe(-ERRNO.EFAULT);
      expect(call("clone", THREAD | CLONE_SETTLS, stack, 0, 0x1000, 0)).toBe(-ERRNO.EFAULT);
      expect(p.vm.mem.readBytes(m.stubAddr, 16)).toEqual(before);
      expect(kernel.threads.length).toBe(1);
      expect(p.vm.mappedBytes()).toBe(mapped);
      // A writable block works.
      expect(call("clone", THREAD | CLONE_SETTLS, stack, 0, scratch(), 0)).toBeGreaterThan(0);
      expect(kernel.threads.length).toBe(2);
    });

    it("create + end 5000 threads under --memory 16: each thread's hidden areas are unmapped when it ends", () => {
      const { kernel, p, call, scratch } = target("k3", { memoryCap: 16 * 1024 * 1024 });
      const stack = scratch() + PAGE_SIZE;
      const base = p.vm.mappedBytes();
      for (let i = 0; i < 5000; i++) {
        const tid = call("clone", THREAD, stack, 0, 0, 0);
        expect(tid).toBeGreaterThan(0);
        kernel.exitThread(p.threads.find((x) => x.tid === tid)!, { code: 0, signal: 0, core: false });
      }
      expect(p.vm.mappedBytes()).toBe(base);
    });

    for (const k of KERNEL_NAMES.filter((n) => DISPATCH[n].sharedPage)) {
      it(`${k}: the shared page's header_size, size and ring_offset are what spec/shared-page.md says`, () => {
        const { kernel, p, t } = target(k);
        const m = layerOf(p.vm)!;
        const s = kernel.dispatch.structs[kernel.dispatch.sharedPage!]!;
        const get = (f: string, size = 4) => {
          const x = s.fields.find((y) => y.name === f)!;
          const b = p.vm.mem.readBytes(m.sharedPage + x.offset, size)!;
          return size === 2 ? b[0]! | (b[1]! << 8) : new DataView(b.buffer).getUint32(0, true);
        };
        const sizeField = s.fields.find((f) => f.name === "size")!;
        expect(get("header_size", 2)).toBe(sizeField.offset + sizeField.size);
        expect(get("size")).toBe(get("thread_offset") + get("thread_slots") * get("thread_stride"));
        expect(get("size")).toBeLessThanOrEqual(PAGE_SIZE);
        const a = areasOf(t)!;
        if (s.fields.some((f) => f.name === "ring_offset")) expect(get("ring_offset")).toBe(a.ring ? a.ring - a.lp : 0);
        void offsets;
      });
    }
  });

  it("clock_nanosleep with a huge tv_sec ends at KTIME_MAX: neither clock wraps", () => {
    // Sleep 2^63-1 s on CLOCK_MONOTONIC; then exit with (monotonic tv_sec high word) * 16 + (realtime's).
    const image = prog(`
  li a0, 1
  li a1, 0
  la a2, req
  li a3, 0
${sys("clock_nanosleep_time64")}
  li a0, 1
  la a1, mono
${sys("clock_gettime64")}
  li a0, 0
  la a1, real
${sys("clock_gettime64")}
  la t0, mono
  lw t1, 4(t0)
  la t0, real
  lw t2, 4(t0)
  slli a0, t1, 4
  add a0, a0, t2`, `req: .word 0xffffffff, 0x7fffffff, 0, 0
mono: .word 0, 0, 0, 0
real: .word 0, 0, 0, 0`);
    const r = run(image);
    // KTIME_MAX ns = 9223372036 s = 0x2_25c1_7d04: high word 2 on both clocks (realtime adds 2000's offset).
    expect(r.outcome).toEqual({ kind: "exited", code: 2 * 16 + 2 });
  });

  it("FUTEX_WAKE on an unmapped address is EFAULT (a private futex is keyed by the address alone, as on Linux)", () => {
    const image = prog(`
  li a0, 0x10
  li a1, 1
  li a2, 1
${sys("futex_time64")}
  neg s0, a0
  li a0, 0x10
  li a1, 129
  li a2, 1
${sys("futex_time64")}
  add a0, s0, a0`);
    expect(run(image).status).toBe(ERRNO.EFAULT);
  });

  it("a PT_LOAD over the signal-trampoline page fails to load", () => {
    const elf = prog("  li a0, 0", "x: .word 1").slice();
    const dv = new DataView(elf.buffer);
    const phoff = dv.getUint32(28, true), phnum = dv.getUint16(44, true);
    let moved = false;
    for (let i = 0; i < phnum; i++) {
      const ph = phoff + 32 * i;
      if (dv.getUint32(ph, true) === 1 && dv.getUint32(ph + 24, true) & 2) {
        dv.setUint32(ph + 8, 0x7fff_f000, true);
        dv.setUint32(ph + 12, 0x7fff_f000, true);
        moved = true;
      }
    }
    expect(moved).toBe(true);
    const k = new Kernel({ dispatch: DISPATCH.k1, stdio: new BufferStdio() });
    expect(() => k.spawn(elf, ["p"])).toThrow(LoadError);
    expect(() => k.spawn(elf, ["p"])).toThrow(/signal trampoline/);
  });
});

describe("honest accounting: what a guest makes the host hold is charged to --memory and given back", () => {
  it("a zombie's memory is freed when it exits, not when it is reaped", () => {
    // 3 children each map 8 MiB and exit; the parent waits for each with WNOWAIT (they stay
    // zombies), then calls getpid, where the test measures what every process still maps.
    const image = prog(`
  li s1, 3
1:
  li a0, 17
  li a1, 0
  li a2, 0
  li a3, 0
  li a4, 0
${sys("clone")}
  bnez a0, 2f
  li a0, 0
  li a1, 0x800000
  li a2, 3
  li a3, 0x22
  li a4, -1
  li a5, 0
${sys("mmap2")}
  li a0, 0
${sys("exit")}
2:
  mv a1, a0
  li a0, 1          # P_PID
  la a2, info
  li a3, 0x1000004  # WEXITED | WNOWAIT
  li a4, 0
${sys("waitid")}
  addi s1, s1, -1
  bnez s1, 1b
${sys("getpid")}
  li a0, 0`, "info: .space 128");
    let held = -1;
    let zombies = 0;
    const r = run(image, ["p"], {
      handlers: {
        getpid: ({ k, p }) => {
          zombies = [...k.procs.values()].filter((q) => q.state === "zombie").length;
          held = [...k.procs.values()].filter((q) => q !== p).reduce((n, q) => n + q.vm.mappedBytes(), 0);
          return p.pid;
        },
      },
    });
    expect(r.status).toBe(0);
    expect(zombies).toBe(3);
    expect(held).toBe(0);
  });

  it("pipes hold nothing until written and give it back when read; they are charged to the cap", () => {
    const k = new Kernel({ dispatch: DISPATCH.k1, stdio: new BufferStdio() });
    // A new kernel holds only its file system's own entries (/tmp, /dev): no pipe bytes yet.
    const before = k.memoryUsed() - k.vfs.guestBytes();
    const image = prog(`
  li s1, 200
1:
  la a0, fds
  li a1, 0
${sys("pipe2")}
  addi s1, s1, -1
  bnez s1, 1b
${sys("getpid")}
  la t0, fds
  lw a0, 4(t0)
  la a1, fds
  li a2, 5
${sys("write")}
${sys("getpid")}
  la t0, fds
  lw a0, 0(t0)
  la a1, buf
  li a2, 5
${sys("read")}
${sys("getpid")}
  li a0, 0`, "fds: .word 0, 0\nbuf: .space 8");
    const seen: number[] = [];
    const r = run(image, ["p"], { handlers: { getpid: ({ k: kk, p }) => (seen.push(kk.pipeBytes), p.pid) } });
    expect(r.status).toBe(0);
    expect(before).toBe(0);
    expect(seen[0]).toBe(0);
    expect(seen[1]).toBeGreaterThanOrEqual(5);
    expect(seen[2]).toBe(0);
  });

  it("300 x create, write 1 MiB, unlink all succeed (unlink gives the capacity back); O_TRUNC frees the buffer", () => {
    const { kernel, call, scratch, cstr } = target("k1");
    const buf = scratch(1 << 20);
    const path = cstr("/tmp-f");
    const { O_CREAT, O_WRONLY, O_TRUNC } = constants.files;
    for (let i = 0; i < 300; i++) {
      const fd = call("openat", -100, path, O_CREAT | O_WRONLY, 0o644);
      expect(fd).toBeGreaterThanOrEqual(0);
      expect(call("write", fd, buf, 1 << 20)).toBe(1 << 20);
      expect(call("close", fd)).toBe(0);
      expect(call("unlinkat", -100, path, 0)).toBe(0);
    }
    const fd = call("openat", -100, path, O_CREAT | O_WRONLY, 0o644);
    expect(call("write", fd, buf, 1 << 20)).toBe(1 << 20);
    const held = kernel.vfs.guestBytes();
    expect(held).toBeGreaterThanOrEqual(1 << 20);
    expect(call("openat", -100, path, O_WRONLY | O_TRUNC, 0)).toBeGreaterThanOrEqual(0);
    expect(kernel.vfs.guestBytes()).toBeLessThan(held - (1 << 19));
  });

  it("files and directory entries count against --memory (ENOSPC), and come back when removed", () => {
    const { kernel, call, scratch, cstr } = target("k1", { memoryCap: 8 * 1024 * 1024 });
    const buf = scratch(1 << 20);
    const { O_CREAT, O_WRONLY } = constants.files;
    const fds: number[] = [];
    let r = 0;
    for (let i = 0; i < 16 && r >= 0; i++) {
      const fd = call("openat", -100, cstr(`/f${i}`), O_CREAT | O_WRONLY, 0o644);
      fds.push(fd);
      r = call("write", fd, buf, 1 << 20);
    }
    expect(r).toBe(-ERRNO.ENOSPC);
    expect(kernel.memoryUsed()).toBeLessThanOrEqual(8 * 1024 * 1024);
  });
});

describe("wall time follows the budget: host work is charged to it (spec/limits.md)", () => {
  it("a loop of brk to near 2 GiB and back under --max-insns 20000 ends within the budget", () => {
    const image = prog(`
  li a0, 0
${sys("brk")}
  mv s0, a0
1:
  li a0, 0x7e000000
${sys("brk")}
  mv a0, s0
${sys("brk")}
  li a0, 0
  li a1, 0x20000000
  li a2, 3
  li a3, 0x22
  li a4, -1
  li a5, 0
${sys("mmap2")}
  li t0, -4096
  bgeu a0, t0, 1b
  li a1, 0x20000000
${sys("munmap")}
  j 1b`);
    const r = run(image, ["p"], { maxInsns: 20_000, memoryCap: 64 * 1024 * 1024 });
    expect(r.status).toBe(124);
    expect(r.insns + r.hostWork).toBeGreaterThanOrEqual(20_000);
    expect(r.insns).toBeLessThan(20_000);
  });

  it("a nanosleep loop costs SYSCALL_COST + WAIT_COST per sleep: at most budget / that many sleeps", () => {
    const image = prog(`
1:
  li a0, 1
  li a1, 0
  la a2, req
  li a3, 0
${sys("clock_nanosleep_time64")}
  j 1b`, "req: .word 1, 0, 0, 0");
    let sleeps = 0;
    const budget = 10_000_000;
    const cost = SYSCALL_COST + WAIT_COST;
    const r = run(image, ["p"], { maxInsns: budget, trace: () => void sleeps++ });
    expect(r.status).toBe(124);
    expect(sleeps).toBeLessThanOrEqual(Math.ceil(budget / cost) + 1);
    expect(sleeps).toBeGreaterThan(budget / cost / 2);
  });
});

describe("file names are byte strings", () => {
  it("two names that differ only in bytes that are not UTF-8 name two files; a host UTF-8 name is its bytes", () => {
    // openat(O_CREAT|O_EXCL) "/a\xff" then "/a\xfe" (both used to decode to "a\ufffd": EEXIST),
    // then open "/\xc3\xa9" (é in UTF-8), written by the host; exit with the three results' signs.
    const open = (label: string, flags: number) => `
  li a0, -100
  la a1, ${label}
  li a2, ${flags}
  li a3, 0644
${sys("openat")}
  slti t0, a0, 0
  slli s0, s0, 1
  or s0, s0, t0`;
    const image = prog(`
  li s0, 0
${open("n1", 0o301)}
${open("n2", 0o301)}
${open("n3", 0)}
  mv a0, s0`, `n1: .byte 0x2f, 0x61, 0xff, 0
n2: .byte 0x2f, 0x61, 0xfe, 0
n3: .byte 0x2f, 0xc3, 0xa9, 0`);
    const r = run(image, ["p"], { setup: (k) => void k.vfs.writeFile("/é", "x") });
    expect(r.status).toBe(0);
    expect([...r.kernel.vfs.root.entries.keys()].filter((n) => n.startsWith("a")).sort()).toEqual(["a\xfe", "a\xff"]);
  });
});
