// Memory's host frames (impl/cpu/memory.ts): a page gets one at its first write, unmapping gives it
// back to the pool, reuse starts zeroed, fork copies only written pages; and the JIT's code bound
// holds for a family of memories (one kernel's processes), not per memory.
import { afterEach, describe, expect, it } from "vitest";
import { encodeInstruction } from "../../impl/asm/assembler.ts";
import { Cpu } from "../../impl/cpu/cpu.ts";
import { jitCodeSize, setJitCodeLimit } from "../../impl/cpu/jit.ts";
import { FramePool, Memory, PAGE_SIZE, PERM_R, PERM_W, PERM_X } from "../../impl/cpu/memory.ts";

const BASE = 0x100000;

describe("page frames", () => {
  it("are taken at the first write, given back at unmap, and reused zeroed", () => {
    const pool = new FramePool();
    const m = new Memory(pool);
    m.map(BASE, 256 * PAGE_SIZE, PERM_R | PERM_W);
    expect(pool.allocated).toBe(0);
    expect(m.readBytes(BASE + 5000, 4)).toEqual(new Uint8Array(4));
    for (let i = 0; i < 256; i++) expect(m.writeBytes(BASE + i * PAGE_SIZE + 7, new Uint8Array([0xee]))).toBe(true);
    expect(m.residentBytes()).toBe(256 * PAGE_SIZE);
    const made = pool.allocated;
    m.unmap(BASE, 256 * PAGE_SIZE);
    expect(m.residentBytes()).toBe(0);
    expect(pool.idle).toBe(made);
    // another memory of the family reuses them: no new frames, and no old byte shows
    const n = new Memory(pool);
    n.map(BASE, 256 * PAGE_SIZE, PERM_R | PERM_W);
    for (let i = 0; i < 256; i++) n.writeBytes(BASE + i * PAGE_SIZE, new Uint8Array([1]));
    expect(pool.allocated).toBe(made);
    for (let i = 0; i < 256; i++) expect(n.readBytes(BASE + i * PAGE_SIZE + 7, 1)).toEqual(new Uint8Array([0]));
  });

  it("a fork copies written pages into frames of its own and leaves unwritten ones frameless", () => {
    const m = new Memory();
    m.map(BASE, 4 * PAGE_SIZE, PERM_R | PERM_W);
    m.writeBytes(BASE + PAGE_SIZE, new Uint8Array([9, 8, 7]));
    const c = m.clone();
    expect(c.pool).toBe(m.pool);
    expect(c.residentBytes()).toBe(PAGE_SIZE);
    expect(c.readBytes(BASE + PAGE_SIZE, 3)).toEqual(new Uint8Array([9, 8, 7]));
    c.writeBytes(BASE + PAGE_SIZE, new Uint8Array([1]));
    c.writeBytes(BASE, new Uint8Array([2]));
    expect(m.readBytes(BASE + PAGE_SIZE, 1)).toEqual(new Uint8Array([9]));
    expect(m.readBytes(BASE, 1)).toEqual(new Uint8Array([0]));
    c.clear();
    expect(c.residentBytes()).toBe(0);
    expect(m.residentBytes()).toBe(PAGE_SIZE);
  });
});

describe("JIT code bound per family", () => {
  let old = 0;
  afterEach(() => setJitCodeLimit(old));

  /** 40 pages, each 6 x `addi a0, a0, 1` and a jump to the next; the last ends with ecall. */
  function load(m: Memory): void {
    m.map(BASE, 40 * PAGE_SIZE, PERM_R | PERM_X);
    const [addi] = encodeInstruction("addi a0, a0, 1");
    for (let p = 0; p < 40; p++) {
      const at = BASE + p * PAGE_SIZE;
      const words = [...Array<number>(6).fill(addi!), p === 39 ? 0x73 : encodeInstruction(`jal zero, ${at + PAGE_SIZE}`, at + 24)[0]!];
      const bytes = new Uint8Array(words.length * 4);
      words.forEach((w, i) => new DataView(bytes.buffer).setUint32(i * 4, w, true));
      m.writeBytes(at, bytes, true);
    }
  }

  it("many processes running distinct code hold no more compiled code than one may", () => {
    old = setJitCodeLimit(200);
    const pool = new FramePool();
    const mems: Memory[] = [];
    for (let i = 0; i < 8; i++) {
      const m = new Memory(pool);
      load(m);
      const cpu = new Cpu(m);
      cpu.pc = BASE;
      expect(cpu.run(1e6)).toEqual({ kind: "ecall" });
      expect(cpu.regs[10]).toBe(240);
      expect(jitCodeSize(m)).toBeLessThanOrEqual(200 + 2 * 64);
      mems.push(m);
    }
    // the cache a flush dropped is gone from every memory of the family, not just the compiling one
    expect(pool.codeHolders.size).toBeLessThan(8);
  });
});
