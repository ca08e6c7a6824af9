import { describe, expect, it } from "vitest";
import { Memory, PAGE_SIZE, PERM_R, PERM_W, PERM_X } from "../../impl/cpu/memory.ts";

describe("Memory", () => {
  it("map / permsAt / isRangeMapped / unmap / protect / mappedBytes", () => {
    const m = new Memory();
    expect(m.permsAt(0x1000)).toBe(0);
    m.map(0x10000, 3 * PAGE_SIZE, PERM_R | PERM_W);
    expect(m.mappedBytes()).toBe(3 * PAGE_SIZE);
    expect(m.permsAt(0x10fff)).toBe(PERM_R | PERM_W);
    expect(m.isRangeMapped(0x10000, 3 * PAGE_SIZE, PERM_R)).toBe(true);
    expect(m.isRangeMapped(0x10000, 3 * PAGE_SIZE + 1, PERM_R)).toBe(false);
    expect(m.isRangeMapped(0x10000, 16, PERM_X)).toBe(false);
    m.protect(0x11000, PAGE_SIZE, PERM_R);
    expect(m.permsAt(0x11000)).toBe(PERM_R);
    expect(m.writeBytes(0x10ffe, new Uint8Array([1, 2, 3]))).toBe(false);
    expect(m.readU8(0x10ffe)).toBe(0);
    expect(m.writeBytes(0x10ffe, new Uint8Array([1, 2, 3]), true)).toBe(true);
    expect([...m.readBytes(0x10ffe, 3)!]).toEqual([1, 2, 3]);
    m.unmap(0x11000, PAGE_SIZE);
    expect(m.permsAt(0x11000)).toBe(0);
    expect(m.readBytes(0x10ffe, 3)).toBeNull();
    expect(m.mappedBytes()).toBe(2 * PAGE_SIZE);
    expect(m.regions()).toEqual([
      { addr: 0x10000, len: PAGE_SIZE, perms: 3 },
      { addr: 0x12000, len: PAGE_SIZE, perms: 3 },
    ]);
  });

  it("map replaces existing pages with zero-filled ones", () => {
    const m = new Memory();
    m.map(0x2000, PAGE_SIZE, PERM_R | PERM_W);
    m.writeU32(0x2000, 0xdeadbeef);
    expect(m.readU32(0x2000)).toBe(0xdeadbeef);
    m.map(0x2000, PAGE_SIZE, PERM_R);
    expect(m.readU32(0x2000)).toBe(0);
    expect(m.writeU32(0x2000, 1)).toBe(false);
  });

  it("typed accessors and readCString", () => {
    const m = new Memory();
    m.map(0, PAGE_SIZE, PERM_R | PERM_W);
    m.writeI32(8, -2);
    expect(m.readU32(8)).toBe(0xfffffffe);
    expect(m.readI32(8)).toBe(-2);
    expect(m.readU16(8)).toBe(0xfffe);
    m.writeU64(16, 0x1122334455667788n);
    expect(m.readU64(16)).toBe(0x1122334455667788n);
    m.writeBytes(100, new TextEncoder().encode("héllo\0"));
    expect(m.readCString(100, 64)).toBe("héllo");
    expect(m.readCString(100, 3)).toBeNull();
    m.writeBytes(PAGE_SIZE - 2, new Uint8Array([65, 66]));
    expect(m.readCString(PAGE_SIZE - 2, 10)).toBeNull(); // runs off the mapping
    expect(m.readU32(PAGE_SIZE - 2)).toBeNull();
    expect(m.readBytes(0xfffffff0, 32)).toBeNull();
  });

  it("clone is an independent copy", () => {
    const m = new Memory();
    m.map(0x4000, PAGE_SIZE, PERM_R | PERM_W);
    m.writeU32(0x4000, 7);
    const c = m.clone();
    c.writeU32(0x4000, 8);
    expect(m.readU32(0x4000)).toBe(7);
    expect(c.readU32(0x4000)).toBe(8);
    expect(c.permsAt(0x4000)).toBe(PERM_R | PERM_W);
    expect(c.mappedBytes()).toBe(PAGE_SIZE);
  });

  it("guest loads/stores: misaligned, page-crossing, all-or-nothing, wraparound", () => {
    const m = new Memory();
    m.map(0x1000, PAGE_SIZE, PERM_R | PERM_W);
    m.map(0x2000, PAGE_SIZE, PERM_R);
    expect(m.guestStore(0x1ffe, 4, 0x11223344)).toBe(1);
    expect(m.faultAddr).toBe(0x2000);
    expect(m.readU16(0x1ffe)).toBe(0);
    expect(m.guestStore(0x1ffd, 2, 0xabcd)).toBe(0);
    expect(m.guestLoad(0x1ffd, 2)).toBe(0xabcd);
    expect(m.guestLoad(0x1ffe, 4)).toBe(0xab);
    expect(m.faulted).toBe(false);
    m.guestLoad(0x2ffe, 4);
    expect(m.faulted).toBe(true);
    expect(m.faultAddr).toBe(0x3000);
    m.guestLoad(0xffffffff, 4);
    expect(m.faulted).toBe(true);
    expect(m.faultAddr).toBe(0xffffffff);
  });

  it("rejects unaligned or out-of-range map requests (kernel bugs) with RangeError", () => {
    const m = new Memory();
    expect(() => m.map(0x1001, 10, PERM_R)).toThrow(RangeError);
    expect(() => m.map(0xfffff000, 0x2000, PERM_R)).toThrow(RangeError);
    m.map(0xfffff000, 0x1000, PERM_R);
    expect(m.permsAt(0xffffffff)).toBe(PERM_R);
  });
});
