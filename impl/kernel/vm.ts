// A process's address-space bookkeeping on top of Memory: where the heap, the stack and mmap
// regions are, placing new mappings without collisions, growing the stack on demand, charging
// every fresh page to the kernel's memory cap and every changed page to the run's budget
// (spec/limits.md). Range questions go to Memory's interval map: their cost follows the mapped
// intervals, never the size of the range.
import { constants } from "../../generated/index.ts";
import { Errno, ENOMEM } from "./errno.ts";
import { PAGE_SIZE, PERM_R, PERM_W, pageDown, pageUp } from "./machine.ts";
import type { GuestMemory } from "./machine.ts";
import { MMAP_TOP, STACK_BOTTOM, STACK_TOP } from "./loader.ts";

const USER_LOW = 0x1_0000;
/** Stack mapped at exec; the rest of the 8 MiB grows on demand (faults and kernel copies). */
export const INITIAL_STACK = 128 * 1024;
const { PAGE_COST, PAGE_TOUCH_COST, PAGE_BOOKKEEPING, REGION_BOOKKEEPING } = constants.limits;
/** An address space's tables have a leaf per 4 MiB region that holds a page. */
const REGION = 1024 * PAGE_SIZE;

/** Bytes of the memory cap that `bytes` of mappings cost: each page with its host objects (spec/limits.md). */
export const pageCharge = (bytes: number): number => Math.ceil(bytes / PAGE_SIZE) * (PAGE_SIZE + PAGE_BOOKKEEPING);

/** Bytes of the memory cap an address space's mappings cost now: pages and the regions' tables. */
export const spaceCharge = (mem: GuestMemory): number => pageCharge(mem.mappedBytes()) + mem.regionCount() * REGION_BOOKKEEPING;

/** Host work of creating or copying pages, in budget units (spec/limits.md). */
export const pageWork = (bytes: number): number => Math.ceil(bytes / PAGE_SIZE) * PAGE_COST;
/** Host work of removing or re-protecting pages. */
const touchWork = (bytes: number): number => Math.ceil(bytes / PAGE_SIZE) * PAGE_TOUCH_COST;

export class AddressSpace {
  brkStart = 0;
  brk = 0;
  stackLow = STACK_TOP;
  constructor(
    readonly mem: GuestMemory,
    /** Throws ENOMEM unless `bytes` more may be mapped (the kernel-wide cap). */
    private readonly charge: (bytes: number) => void,
    /** Charges host work (budget units) to the run. */
    private readonly work: (units: number) => void = () => {},
  ) {}

  mappedBytes(): number {
    return this.mem.mappedBytes();
  }

  /** True when no page of [addr, addr+len) is mapped. */
  isFree(addr: number, len: number): boolean {
    const a = pageDown(addr);
    return this.mem.mappedIn(a, pageUp(addr + len) - a) === 0;
  }

  /** Maps zero pages (replacing any), charging only pages that were not mapped before. */
  map(addr: number, len: number, perms: number): void {
    const size = pageUp(len);
    let regions = 0; // regions with no page yet: their table leaves are new too
    for (let r = Math.floor(addr / REGION) * REGION; r < addr + size; r += REGION) if (this.mem.mappedIn(r, REGION) === 0) regions++;
    this.charge(pageCharge(size - this.mem.mappedIn(addr, size)) + regions * REGION_BOOKKEEPING);
    this.work(pageWork(size));
    this.mem.map(addr, len, perms);
  }

  /** Unmaps [addr, addr+len); the work charged is what was mapped there. */
  unmap(addr: number, len: number): void {
    this.work(touchWork(this.mem.mappedIn(addr, len)));
    this.mem.unmap(addr, len);
  }

  /** Changes the permissions of the mapped pages of [addr, addr+len). */
  protect(addr: number, len: number, perms: number): void {
    this.work(touchWork(this.mem.mappedIn(addr, len)));
    this.mem.protect(addr, len, perms);
  }

  /** Frees the whole address space (its process exited). */
  release(): void {
    this.work(touchWork(this.mem.mappedBytes()));
    this.mem.clear();
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
    if (len === 0 || len > MMAP_TOP) throw new Errno(ENOMEM);
    const at = this.mem.findGap(MMAP_TOP, floor, len);
    if (at < 0) throw new Errno(ENOMEM);
    return at;
  }
}
