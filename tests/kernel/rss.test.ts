// Host memory follows --memory (spec/limits.md, issue 12): what a guest maps costs a host frame
// only once written, what it unmaps, frees or leaves behind as a zombie goes back to the kernel's
// frame pool and is reused, so the frames a run allocates are the most it held at one time, never
// what the garbage collector has not freed yet. Asserted on the pool's counts, not on timing or RSS.
import { describe, expect, it } from "vitest";
import { constants } from "../../generated/index.ts";
import { PAGE_SIZE } from "../../impl/kernel/machine.ts";
import type { FramePool, Memory } from "../../impl/cpu/memory.ts";
import type { Kernel } from "../../impl/kernel/kernel.ts";
import { run, sys, prog } from "./helpers.ts";
import { target } from "./hostile-helpers.ts";

const MiB = 1024 * 1024;
const { PAGE_BOOKKEEPING, REGION_BOOKKEEPING } = constants.limits;
const framesOf = (k: Kernel): FramePool => k.vfs.pool;
const allocatedBytes = (k: Kernel): number => framesOf(k).allocated * PAGE_SIZE;


/** mmap2 of a1 bytes (anonymous, read + write) into a0. */
const MMAP = `
  li a0, 0
  li a2, 3
  li a3, 0x22
  li a4, -1
  li a5, 0
${sys("mmap2")}`;

/** Writes a byte to every page of the s3 bytes at a0. */
const TOUCH = `
  mv t1, a0
  add t2, a0, s3
  li t3, 4096
7:
  sb t3, 0(t1)
  add t1, t1, t3
  bltu t1, t2, 7b`;

describe("host frames follow what the guest holds", () => {
  it("a mapping costs no frame until written, and reads as zeros", () => {
    const { kernel, call, t } = target("k1", { memoryCap: 128 * MiB });
    const before = allocatedBytes(kernel);
    const at = call("mmap2", 0, 48 * MiB, 3, 0x22, -1, 0) >>> 0;
    expect(at).toBeLessThan(0xfffff000);
    expect(allocatedBytes(kernel)).toBe(before);
    expect(kernel.copyIn(t, at + 20 * MiB, 8)).toEqual(new Uint8Array(8));
    // the first write gives that one page a frame; its neighbours still read as zeros
    const mem = t.proc.vm.mem as Memory;
    const resident = mem.residentBytes();
    kernel.copyOut(t, at + 20 * MiB, new Uint8Array([1, 2, 3]));
    expect(mem.residentBytes() - resident).toBe(PAGE_SIZE);
    expect(kernel.copyIn(t, at + 20 * MiB - 2, 6)).toEqual(new Uint8Array([0, 0, 1, 2, 3, 0]));
    expect(kernel.copyIn(t, at + 20 * MiB + PAGE_SIZE, 4)).toEqual(new Uint8Array(4));
    expect(allocatedBytes(kernel) - before).toBeLessThanOrEqual(16 * PAGE_SIZE); // one slab at most
  });

  it("the guest's own stores (compiled code) into fresh pages never show in other fresh pages", () => {
    // Writes 0x5a to the first byte of 64 fresh pages, then sums one byte of 64 other fresh pages: 0.
    const r = run(prog(`
  li a1, 0x80000
${MMAP}
  mv s0, a0
  li t0, 0x5a
  li t1, 64
  li t3, 8192
1:
  sb t0, 0(a0)
  add a0, a0, t3
  addi t1, t1, -1
  bnez t1, 1b
  li a0, 0
  li t1, 64
  li t2, 4096
  add t2, s0, t2
2:
  lbu t4, 0(t2)
  add a0, a0, t4
  lbu t4, 0(s0)
  add t2, t2, t3
  addi t1, t1, -1
  bnez t1, 2b
  add a0, a0, t4    # plus 0x5a from a written page
  li t0, 0x5a
  sub a0, a0, t0`));
    expect(r.status).toBe(0);
  });

  it("20 zombies that each wrote 48 MiB allocate 48 MiB of frames, not 960", () => {
    const image = prog(`
  li s1, 20
  li s3, 0x3000000
1:
  li a0, 17
  li a1, 0
  li a2, 0
  li a3, 0
  li a4, 0
${sys("clone")}
  bnez a0, 2f
  mv a1, s3
${MMAP}
  li t0, -4096
  bgeu a0, t0, 3f
${TOUCH}
  li a0, 0
${sys("exit")}
3:
  li a0, 9
${sys("exit")}
2:
  mv a1, a0
  li a0, 1          # P_PID, WEXITED | WNOWAIT: it stays a zombie
  la a2, info
  li a3, 0x1000004
  li a4, 0
${sys("waitid")}
  la t0, info
  lw t1, 24(t0)     # si_status: the child mapped and wrote its 48 MiB
  bnez t1, 9f
  addi s1, s1, -1
  bnez s1, 1b
  li a0, 0
  j 8f
9:
  li a0, 1
8:`, "info: .space 128");
    const r = run(image, ["p"], { memoryCap: 64 * MiB, maxInsns: 2_000_000_000 });
    expect(r.status).toBe(0);
    const frames = allocatedBytes(r.kernel);
    expect(frames).toBeGreaterThanOrEqual(48 * MiB);
    expect(frames).toBeLessThan(50 * MiB);
  });

  it("300 x create, write 1 MiB, unlink reuse one file's frames; so does memory after the files", () => {
    const { kernel, call, scratch, cstr, t } = target("k1", { memoryCap: 64 * MiB });
    const buf = scratch(1 << 20);
    const path = cstr("/tmp-f");
    const { O_CREAT, O_WRONLY, O_TRUNC } = constants.files;
    const base = allocatedBytes(kernel);
    for (let i = 0; i < 300; i++) {
      const fd = call("openat", -100, path, O_CREAT | O_WRONLY, 0o644);
      expect(call("write", fd, buf, 1 << 20)).toBe(1 << 20);
      expect(call("close", fd)).toBe(0);
      expect(call("unlinkat", -100, path, 0)).toBe(0);
    }
    expect(allocatedBytes(kernel) - base).toBeLessThanOrEqual(1 * MiB + 16 * PAGE_SIZE);
    // 8 MiB of file, truncated: its frames serve the next mapping's writes
    const fd = call("openat", -100, path, O_CREAT | O_WRONLY, 0o644);
    for (let i = 0; i < 8; i++) expect(call("write", fd, buf, 1 << 20)).toBe(1 << 20);
    const withFile = allocatedBytes(kernel);
    expect(call("close", fd)).toBe(0);
    expect(call("openat", -100, path, O_WRONLY | O_TRUNC, 0)).toBeGreaterThanOrEqual(0);
    expect(kernel.vfs.guestBytes()).toBeLessThan(MiB);
    const at = call("mmap2", 0, 8 * MiB, 3, 0x22, -1, 0) >>> 0;
    for (let a = at; a < at + 8 * MiB; a += PAGE_SIZE) kernel.copyOut(t, a, new Uint8Array([1]));
    expect(allocatedBytes(kernel)).toBe(withFile);
  });

  it("each mapped page is charged its bookkeeping too, and the cap holds to the last page", () => {
    const cap = 16 * MiB;
    const { kernel, call } = target("k1", { memoryCap: cap });
    const before = kernel.memoryUsed();
    expect(call("mmap2", 0, 256 * PAGE_SIZE, 3, 0x22, -1, 0) >>> 0).toBeLessThan(0xfffff000);
    const grew = kernel.memoryUsed() - before - 256 * (PAGE_SIZE + PAGE_BOOKKEEPING);
    expect(grew % REGION_BOOKKEEPING).toBe(0); // plus the tables of a region it opened, if any
    expect(grew).toBeLessThanOrEqual(2 * REGION_BOOKKEEPING);
    let maps = 0;
    while (call("mmap2", 0, 16 * PAGE_SIZE, 3, 0x22, -1, 0) >>> 0 < 0xfffff000) maps++;
    expect(maps).toBeGreaterThan(100);
    expect(kernel.memoryUsed()).toBeLessThanOrEqual(cap);
    expect(kernel.memoryUsed()).toBeGreaterThan(cap - 16 * (PAGE_SIZE + PAGE_BOOKKEEPING) - REGION_BOOKKEEPING);
  });

  it("a page every 4 MiB is charged its region's tables, and unmapping gives them back", () => {
    const { kernel, call, p } = target("k1", { memoryCap: 64 * MiB });
    const before = kernel.memoryUsed();
    const regions = (p.vm.mem as Memory).regionCount();
    const { MAP_FIXED } = constants.memory;
    const BASE = 0x20000000, N = 64;
    for (let i = 0; i < N; i++) expect(call("mmap2", BASE + i * 4 * MiB, PAGE_SIZE, 3, 0x22 | MAP_FIXED, -1, 0) >>> 0).toBe(BASE + i * 4 * MiB);
    expect((p.vm.mem as Memory).regionCount()).toBe(regions + N);
    expect(kernel.memoryUsed() - before).toBe(N * (PAGE_SIZE + PAGE_BOOKKEEPING + REGION_BOOKKEEPING));
    expect(call("munmap", BASE, N * 4 * MiB)).toBe(0);
    expect((p.vm.mem as Memory).regionCount()).toBe(regions);
    expect(kernel.memoryUsed()).toBe(before);
  });
});

describe("the program /proc/self/exe shows", () => {
  it("is the host's, uncharged, and survives a close (it was freed like an unlinked file at its first close)", () => {
    const { kernel, call, cstr, scratch } = target("k1", { memoryCap: 64 * MiB });
    const path = cstr("/proc/self/exe");
    const buf = scratch();
    for (let i = 0; i < 3; i++) {
      const fd = call("openat", -100, path, 0, 0);
      expect(fd).toBeGreaterThanOrEqual(0);
      expect(call("read", fd, buf, 4)).toBe(4);
      expect([...kernel.copyIn(kernel.procs.values().next().value!.threads[0]!, buf, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
      expect(call("close", fd)).toBe(0);
    }
  });
});

describe("pipes", () => {
  it("take their chunks from the kernel's pool and give them back when read", () => {
    const { kernel, call, scratch, t } = target("k1", { memoryCap: 64 * MiB });
    const fds = scratch();
    expect(call("pipe2", fds, 0)).toBe(0);
    const [rfd, wfd] = [...new Int32Array(kernel.copyIn(t, fds, 8).buffer)];
    const buf = scratch(64 * 1024);
    kernel.copyOut(t, buf, new Uint8Array(64 * 1024).fill(7)); // the guest buffer's own frames first
    const base = allocatedBytes(kernel);
    for (let i = 0; i < 100; i++) {
      expect(call("write", wfd!, buf, 64 * 1024)).toBe(64 * 1024);
      expect(kernel.pipeBytes).toBe(16 * (PAGE_SIZE + PAGE_BOOKKEEPING));
      expect(call("read", rfd!, buf, 64 * 1024)).toBe(64 * 1024);
      expect(kernel.pipeBytes).toBe(0);
    }
    expect(allocatedBytes(kernel) - base).toBeLessThanOrEqual(16 * PAGE_SIZE);
  });
});
