// A process's address-space bookkeeping on top of Memory: where the heap, the stack and mmap
// regions are, placing new mappings without collisions, growing the stack on demand, and
// charging every fresh page to the kernel's memory cap.
import { Errno, ENOMEM } from "./errno.ts";
import { PAGE_SIZE, PERM_R, PERM_W, pageDown, pageUp } from "./machine.ts";
import type { GuestMemory } from "./machine.ts";
import { MMAP_TOP, STACK_BOTTOM, STACK_TOP } from "./loader.ts";

const USER_LOW = 0x1_0000;
/** Stack mapped at exec; the rest of the 8 MiB grows on demand (faults and kernel copies). */
export const INITIAL_STACK = 128 * 1024;

export class AddressSpace {
  brkStart = 0;
  brk = 0;
  stackLow = STACK_TOP;
  constructor(
    readonly mem: GuestMemory,
    /** Throws ENOMEM unless `bytes` more may be mapped (the kernel-wide cap). */
    private readonly charge: (bytes: number) => void,
  ) {}

  mappedBytes(): number {
    const m = this.mem as GuestMemory & { mappedBytes?: () => number };
    return m.mappedBytes ? m.mappedBytes() : 0;
  }

  /** True when no page of [addr, addr+len) is mapped. */
  isFree(addr: number, len: number): boolean {
    for (let a = pageDown(addr); a < addr + len; a += PAGE_SIZE) if (this.mem.permsAt(a)) return false;
    return true;
  }

  /** Maps zero pages (replacing any), charging only pages that were not mapped before. */
  map(addr: number, len: number, perms: number): void {
    let fresh = 0;
    for (let a = addr; a < addr + len; a += PAGE_SIZE) if (!this.mem.permsAt(a)) fresh += PAGE_SIZE;
    this.charge(fresh);
    this.mem.map(addr, len, perms);
  }

  mapStack(): void {
    this.map(STACK_TOP - INITIAL_STACK, INITIAL_STACK, PERM_R | PERM_W);
    this.stackLow = STACK_TOP - INITIAL_STACK;
  }

  /** Grows the stack down to cover [addr, addr+len) if that lies in the stack area. */
  growStack(addr: number, len = 1): boolean {
    if (addr < STACK_BOTTOM || addr + len > STACK_TOP) return false;
    const low = pageDown(addr);
    if (low >= this.stackLow) return false;
    if (!this.isFree(low, this.stackLow - low)) return false;
    try {
      this.map(low, this.stackLow - low, PERM_R | PERM_W);
    } catch {
      return false;
    }
    this.stackLow = low;
    return true;
  }

  /** A copy for fork: the same brk and stack over a cloned memory. */
  copyFieldsFrom(o: AddressSpace): void {
    this.brkStart = o.brkStart;
    this.brk = o.brk;
    this.stackLow = o.stackLow;
  }

  /** Highest free page-aligned range of `len` bytes below MMAP_TOP and above the heap reserve. */
  findFree(len: number): number {
    len = pageUp(len);
    const floor = Math.max(USER_LOW, pageUp(this.brk) + 16 * 1024 * 1024);
    const m = this.mem as GuestMemory & { regions?: () => { addr: number; len: number }[] };
    const regions = (m.regions?.() ?? []).filter((r) => r.addr < MMAP_TOP).sort((a, b) => b.addr - a.addr);
    let top = MMAP_TOP;
    for (const r of regions) {
      const end = r.addr + r.len;
      if (end <= top && top - end >= len && top - len >= floor) return top - len;
      top = Math.min(top, r.addr);
    }
    if (top - len >= floor) return top - len;
    throw new Errno(ENOMEM);
  }
}
