// Sparse 32-bit guest address space: 4 KiB pages with R/W/X permissions.
//
// Layout: every mapped page is a `Page` (typed-array views of its frame, its host bytes; a page
// never written has no frame and shows a shared zero frame). Three two-level lookup
// tables (1024 x 1024 entries: `R`, `W`, `X`) hold the page at its index when the guest may
// read / write / execute it, and null otherwise. The CPU's compiled code indexes these tables
// directly (`R[a >>> 22][(a >>> 12) & 1023]`), so an aligned in-page access costs two loads.
//
// The `W` table deliberately leaves out pages that hold cached code, an LR reservation or no frame: guest
// stores to such pages take the slow path (`guestStore`), which invalidates the page's code
// cache (self-modifying code), clears reservations on the stored word (LR/SC) and gives a
// frameless page its frame, then puts the page back into `W`. Kernel-side writes (`writeBytes`, `writeU32`, ...) do the same.

import { Extents } from "./extents.ts";

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;
export const PERM_R = 1;
export const PERM_W = 2;
export const PERM_X = 4;

/** A compiled or interpreted block entry cached for a pc (owned by impl/cpu/cpu.ts). */
export interface CodeBlock {
  /** Compiled function, or null: execute this pc with the interpreter. */
  readonly fn: Function | null;
  /** Instructions the compiled code needs in its budget to make progress (its entry block's length). */
  readonly max: number;
  /** Entry block number passed to `fn` (compiled regions have one per basic block). */
  readonly entry: number;
}

/** After this many code invalidations a page is only interpreted (it is being rewritten often). */
const THRASH_LIMIT = 16;

/**
 * The host bytes behind one guest page, with the typed-array views the CPU indexes. Frames come
 * from a FramePool and go back to it when their page is unmapped, so host memory follows the
 * most the guest ever held at once, never what the garbage collector has not yet freed.
 */
export interface Frame {
  readonly data: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly i32: Int32Array;
}

function frameOver(buf: ArrayBuffer, off: number): Frame {
  return {
    data: new Uint8Array(buf, off, PAGE_SIZE),
    i8: new Int8Array(buf, off, PAGE_SIZE),
    u16: new Uint16Array(buf, off, PAGE_SIZE / 2),
    i16: new Int16Array(buf, off, PAGE_SIZE / 2),
    i32: new Int32Array(buf, off, PAGE_SIZE / 4),
  };
}

/** Read by every page that was mapped but never written (nothing may write it: such pages are never in `W`). */
const ZERO: Frame = frameOver(new ArrayBuffer(PAGE_SIZE), 0);
/** What an unmapped Page object points at until it is reused: a write through it reaches no frame in use. */
const DEAD: Frame = frameOver(new ArrayBuffer(PAGE_SIZE), 0);

/** Frames per host allocation: one ArrayBuffer per page would cost ~200 host bytes of bookkeeping each. */
const SLAB_FRAMES = 16;

/**
 * Page frames and Page objects for a family of memories (a kernel's processes share one): an
 * unmapped page's frame and object are kept and reused (the frame zeroed) by the next page any
 * member maps or writes, so unmapping makes no garbage. It never gives them back to the host: what
 * it holds is the most pages (written pages, for frames) that were mapped at one time.
 */
export class FramePool {
  private readonly free: Frame[] = [];
  private readonly pages: Page[] = [];
  /** Frames made so far (in use or free): host bytes are this times PAGE_SIZE. */
  allocated = 0;

  /** A zero-filled frame. */
  take(): Frame {
    const f = this.free.pop();
    if (f !== undefined) {
      f.i32.fill(0);
      return f;
    }
    const buf = new ArrayBuffer(SLAB_FRAMES * PAGE_SIZE);
    for (let i = SLAB_FRAMES - 1; i > 0; i--) this.free.push(frameOver(buf, i * PAGE_SIZE));
    this.allocated += SLAB_FRAMES;
    return frameOver(buf, 0);
  }

  give(f: Frame): void {
    this.free.push(f);
  }

  /** A Page object for a new mapping: frameless, no code, no reservation. */
  page(perms: number): Page {
    const p = this.pages.pop();
    if (p === undefined) return new Page(perms);
    p.perms = perms;
    p.inval = 0;
    p.noJit = false;
    p.setFrame(ZERO, false);
    return p;
  }

  /** Takes back an unmapped page's object (Memory.dropPage has already emptied it). */
  retire(p: Page): void {
    this.pages.push(p);
  }

  /** Memories of the family that hold compiled code (the JIT bounds their total). */
  readonly codeHolders = new Set<Memory>();

  /** Drops the compiled code of every memory of the family. */
  flushCode(): void {
    for (const m of this.codeHolders) m.flushCode();
    this.codeHolders.clear();
  }

  /** Frames waiting for reuse. */
  get idle(): number {
    return this.free.length;
  }
}

export class Page {
  // The views of the page's frame (copied here: compiled code indexes `p.i32[...]` directly). A
  // page the guest never wrote shows ZERO's, and gets a frame of its own at its first write.
  data: Uint8Array = ZERO.data;
  i8: Int8Array = ZERO.i8;
  u16: Uint16Array = ZERO.u16;
  i16: Int16Array = ZERO.i16;
  i32: Int32Array = ZERO.i32;
  /** The frame it owns; null while it reads as zeros (or after it was unmapped). */
  frame: Frame | null = null;
  perms: number;
  /** Code cached for this page, indexed by (pc & 4095) >> 1 (instructions are 2-byte aligned); null when none. */
  blocks: (CodeBlock | undefined)[] | null = null;
  /** Number of LR reservations on words of this page. */
  resv = 0;
  /** Times its code cache was invalidated by a store. */
  inval = 0;
  /** Never compile code from this page again (it was rewritten too often): interpret it. */
  noJit = false;

  constructor(perms: number) {
    this.perms = perms;
  }

  setFrame(f: Frame, own: boolean): void {
    this.frame = own ? f : null;
    this.data = f.data;
    this.i8 = f.i8;
    this.u16 = f.u16;
    this.i16 = f.i16;
    this.i32 = f.i32;
  }
}

type Table = (Page | null)[][];

const EMPTY_LEAF: (Page | null)[] = Object.freeze(new Array<Page | null>(1024).fill(null)) as (Page | null)[];

function newTable(): Table {
  const t: Table = new Array(1024);
  for (let i = 0; i < 1024; i++) t[i] = EMPTY_LEAF;
  return t;
}

function setEntry(t: Table, pn: number, p: Page | null): void {
  const hi = pn >>> 10;
  let leaf = t[hi]!;
  if (leaf === EMPTY_LEAF) {
    if (p === null) return;
    leaf = new Array<Page | null>(1024).fill(null);
    t[hi] = leaf;
  }
  leaf[pn & 1023] = p;
}

/**
 * Every mapped page by page number, as a two-level table like R/W/X (a Map would rehash, and leave
 * its old tables as garbage, as it grows and shrinks by thousands of pages). Counts the pages of
 * each leaf so that a 4 MiB region left empty gives its leaves back.
 */
class PageTable {
  readonly t: Table = newTable();
  private readonly counts = new Uint16Array(1024);
  size = 0;
  /** 4 MiB regions holding at least one page (each has a leaf here and in R, W, X). */
  regions = 0;

  get(pn: number): Page | undefined {
    return this.t[pn >>> 10]![pn & 1023] ?? undefined;
  }

  set(pn: number, p: Page): void {
    const hi = pn >>> 10;
    if (this.t[hi]![pn & 1023] == null) {
      if (this.counts[hi]!++ === 0) this.regions++;
      this.size++;
    }
    setEntry(this.t, pn, p);
  }

  /** Removes pn's page; true when its leaf is now empty (and was given back). */
  delete(pn: number): boolean {
    const hi = pn >>> 10;
    const leaf = this.t[hi]!;
    if (leaf[pn & 1023] == null) return false;
    leaf[pn & 1023] = null;
    this.size--;
    if (--this.counts[hi]! > 0) return false;
    this.t[hi] = EMPTY_LEAF;
    this.regions--;
    return true;
  }

  clear(): void {
    this.t.fill(EMPTY_LEAF);
    this.counts.fill(0);
    this.size = 0;
    this.regions = 0;
  }

  *[Symbol.iterator](): IterableIterator<[number, Page]> {
    for (let hi = 0; hi < 1024; hi++) {
      const leaf = this.t[hi]!;
      if (leaf === EMPTY_LEAF) continue;
      for (let lo = 0; lo < 1024; lo++) {
        const p = leaf[lo];
        if (p) yield [(hi << 10) | lo, p];
      }
    }
  }
}

interface Reservation {
  holder: object;
  addr: number; // word-aligned
}

function checkRange(addr: number, len: number, what: string): void {
  if (!Number.isInteger(addr) || !Number.isInteger(len) || addr < 0 || len < 0 || addr + len > 0x1_0000_0000) {
    throw new RangeError(`Memory.${what}: range 0x${addr.toString(16)}+${len} is outside the 32-bit address space`);
  }
  if (addr % PAGE_SIZE !== 0) throw new RangeError(`Memory.${what}: address 0x${addr.toString(16)} is not page aligned`);
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

export class Memory {
  /** Pages the guest may read / write (fast path) / execute, two-level tables indexed by page number. */
  readonly R: Table = newTable();
  readonly W: Table = newTable();
  readonly X: Table = newTable();
  private readonly pages = new PageTable();
  /** The mapped page numbers as intervals: range questions cost time per interval, not per page. */
  private readonly extents = new Extents();
  private resvs: Reservation[] = [];
  /** Set by guestLoad/guestStore on a fault: the faulting address. */
  faultAddr = 0;
  /** Set by guestLoad when it faulted. */
  faulted = false;

  /** `pool`: where written pages get their frames (shared by the memories of one kernel; clones share it). */
  constructor(readonly pool: FramePool = new FramePool()) {}

  // ---------------------------------------------------------------- mapping

  /** Map [addr, addr+len) (len rounded up to pages) zero-filled with perms, replacing existing pages (no host frame until written). */
  map(addr: number, len: number, perms: number): void {
    checkRange(addr, len, "map");
    const first = addr >>> PAGE_SHIFT;
    const n = Math.ceil(len / PAGE_SIZE);
    for (let i = 0; i < n; i++) {
      const pn = first + i;
      const old = this.pages.get(pn);
      if (old) this.dropPage(pn, old);
      const p = this.pool.page(perms & 7);
      this.pages.set(pn, p);
      this.refresh(pn, p);
    }
    this.extents.add(first, first + n);
  }

  /** Map a page with the contents of `from` (used by clone): a page never written stays frameless. */
  private mapPageWith(pn: number, perms: number, from: Page): void {
    const p = this.pool.page(perms);
    if (from.frame !== null) {
      p.setFrame(this.pool.take(), true);
      this.framed++;
      p.data.set(from.data);
    }
    this.pages.set(pn, p);
    this.refresh(pn, p);
    this.extents.add(pn, pn + 1);
  }

  unmap(addr: number, len: number): void {
    checkRange(addr, len, "unmap");
    const first = addr >>> PAGE_SHIFT;
    const n = Math.ceil(len / PAGE_SIZE);
    // Only the mapped intervals inside the range are visited: unmapping a huge empty range is cheap.
    for (const [s, e] of this.mappedIntervals(first, first + n)) {
      for (let pn = s; pn < e; pn++) {
        const p = this.pages.get(pn)!;
        this.dropPage(pn, p);
        // a 4 MiB region left empty gives back its leaves (8 KiB in each table)
        if (this.pages.delete(pn)) for (const t of [this.R, this.W, this.X]) t[pn >>> 10] = EMPTY_LEAF;
      }
    }
    this.extents.remove(first, first + n);
  }

  /** Unmaps everything (a process's memory freed at exit). */
  clear(): void {
    for (const [pn, p] of this.pages) this.dropPage(pn, p);
    this.pages.clear();
    this.extents.clear();
    this.resvs = [];
    this.pool.codeHolders.delete(this);
    // the tables' leaves too (8 KiB each): a zombie keeps its Memory object until reaped
    for (const t of [this.R, this.W, this.X]) t.fill(EMPTY_LEAF);
  }

  /** Bytes of [addr, addr+len) that are mapped (page granular), in time per mapped interval. */
  mappedIn(addr: number, len: number): number {
    const first = Math.floor(addr / PAGE_SIZE);
    const end = Math.ceil((addr + len) / PAGE_SIZE);
    return this.extents.countIn(first, end) * PAGE_SIZE;
  }

  /** Highest page-aligned address a with floor <= a, a + len <= top and [a, a+len) unmapped; -1 if none. */
  findGap(top: number, floor: number, len: number): number {
    const pn = this.extents.highestGap(Math.floor(top / PAGE_SIZE), Math.ceil(floor / PAGE_SIZE), Math.ceil(len / PAGE_SIZE));
    return pn < 0 ? -1 : pn * PAGE_SIZE;
  }

  /** Change permissions of mapped pages in the range (unmapped pages are skipped). */
  protect(addr: number, len: number, perms: number): void {
    checkRange(addr, len, "protect");
    const first = addr >>> PAGE_SHIFT;
    const end = first + Math.ceil(len / PAGE_SIZE);
    for (const [s, e] of this.mappedIntervals(first, end)) {
      for (let pn = s; pn < e; pn++) {
        const p = this.pages.get(pn)!;
        if ((perms & PERM_X) === 0 || (p.perms & PERM_X) === 0) this.invalidateCode(p, false);
        p.perms = perms & 7;
        this.refresh(pn, p);
      }
    }
  }

  /** The mapped page-number intervals clipped to [first, end). */
  private mappedIntervals(first: number, end: number): [number, number][] {
    return this.extents.clipped(first, end);
  }

  /** Permissions of the page containing addr; 0 when unmapped. */
  permsAt(addr: number): number {
    const p = this.pages.get((addr >>> 0) >>> PAGE_SHIFT);
    return p ? p.perms : 0;
  }

  /** True when every page touched by [addr, addr+len) is mapped with at least `perms`. */
  isRangeMapped(addr: number, len: number, perms: number): boolean {
    addr = addr >>> 0;
    if (len <= 0) return len === 0;
    if (addr + len > 0x1_0000_0000) return false;
    const last = (addr + len - 1) >>> PAGE_SHIFT;
    for (let pn = addr >>> PAGE_SHIFT; pn <= last; pn++) {
      const p = this.pages.get(pn);
      if (!p || (p.perms & perms) !== perms) return false;
    }
    return true;
  }

  /** Total bytes mapped. */
  mappedBytes(): number {
    return this.pages.size * PAGE_SIZE;
  }

  /** 4 MiB regions that hold a mapped page: each costs the host a 1024-entry leaf in four tables. */
  regionCount(): number {
    return this.pages.regions;
  }

  /** Bytes of mapped pages that hold a host frame (written at least once); the rest read as zeros. */
  residentBytes(): number {
    return this.framed * PAGE_SIZE;
  }
  private framed = 0;

  /** Mapped regions, coalesced by equal permissions, sorted by address. */
  regions(): Array<{ addr: number; len: number; perms: number }> {
    const pns: number[] = [];
    for (const [s, e] of this.extents.intervals()) for (let pn = s; pn < e; pn++) pns.push(pn);
    const out: Array<{ addr: number; len: number; perms: number }> = [];
    for (const pn of pns) {
      const perms = this.pages.get(pn)!.perms;
      const last = out[out.length - 1];
      if (last && last.addr + last.len === pn * PAGE_SIZE && last.perms === perms) last.len += PAGE_SIZE;
      else out.push({ addr: pn * PAGE_SIZE, len: PAGE_SIZE, perms });
    }
    return out;
  }

  /** A deep copy (for fork): same pages, contents and permissions; no code cache, no reservations. */
  clone(): Memory {
    const m = new Memory(this.pool);
    for (const [pn, p] of this.pages) m.mapPageWith(pn, p.perms, p);
    return m;
  }

  /** The Page object for a page number (CPU internals). */
  pageAt(addr: number): Page | undefined {
    return this.pages.get((addr >>> 0) >>> PAGE_SHIFT);
  }

  private dropPage(pn: number, p: Page): void {
    this.invalidateCode(p, false);
    if (p.resv > 0) this.resvs = this.resvs.filter((r) => r.addr >>> PAGE_SHIFT !== pn);
    p.resv = 0;
    p.perms = 0;
    if (p.frame !== null) {
      this.pool.give(p.frame);
      this.framed--;
    }
    p.setFrame(DEAD, false);
    setEntry(this.R, pn, null);
    setEntry(this.W, pn, null);
    setEntry(this.X, pn, null);
    this.pool.retire(p);
  }

  /** Recompute the lookup-table entries of a page. */
  private refresh(pn: number, p: Page): void {
    setEntry(this.R, pn, p.perms & PERM_R ? p : null);
    setEntry(this.W, pn, p.perms & PERM_W && p.blocks === null && p.resv === 0 && p.frame !== null ? p : null);
    setEntry(this.X, pn, p.perms & PERM_X ? p : null);
  }

  /** The page of pn ready for a write: a page never written gets its own (zeroed) frame now. */
  private writable(pn: number): Page {
    const p = this.pages.get(pn)!;
    if (p.frame === null) {
      p.setFrame(this.pool.take(), true);
      this.framed++;
      this.refresh(pn, p);
    }
    return p;
  }

  // ---------------------------------------------------------------- code cache

  /** Attach a code block for the pc (the page leaves the store fast path). */
  setBlock(pc: number, b: CodeBlock): void {
    const pn = (pc >>> 0) >>> PAGE_SHIFT;
    const p = this.pages.get(pn);
    if (!p) return;
    if (p.blocks === null) {
      p.blocks = new Array(2048);
      this.refresh(pn, p);
      this.pool.codeHolders.add(this);
    }
    p.blocks[(pc & 4095) >> 1] = b;
  }

  /** Drop all cached code (fence.i). */
  flushCode(): void {
    this.pool.codeHolders.delete(this);
    for (const [pn, p] of this.pages) {
      if (p.blocks !== null) {
        p.blocks = null;
        this.refresh(pn, p);
      }
    }
  }

  /** Drop cached code of one page; returns true if it had any. */
  private invalidateCode(p: Page, byStore: boolean): boolean {
    if (p.blocks === null) return false;
    p.blocks = null;
    if (byStore && ++p.inval >= THRASH_LIMIT) p.noJit = true;
    return true;
  }

  /** Bookkeeping after bytes of [addr, addr+len) were written (len <= 8, may span 2 pages). Returns true if code was invalidated. */
  private afterWrite(addr: number, len: number): boolean {
    let code = false;
    const a0 = addr >>> 0;
    const p0 = a0 >>> PAGE_SHIFT;
    const p1 = ((a0 + len - 1) >>> 0) >>> PAGE_SHIFT;
    for (let pn = p0; ; pn = (pn + 1) & 0xfffff) {
      const p = this.pages.get(pn);
      if (p) {
        let changed = false;
        if (p.blocks !== null) {
          this.invalidateCode(p, true);
          code = true;
          changed = true;
        }
        if (p.resv > 0) {
          this.clearResvRange(a0, len);
          changed = true;
        }
        if (changed) this.refresh(pn, p);
      }
      if (pn === p1) break;
    }
    return code;
  }

  /** Kernel-side bulk write bookkeeping. */
  private afterBulkWrite(addr: number, len: number): void {
    if (len === 0) return;
    const last = (addr + len - 1) >>> PAGE_SHIFT;
    for (let pn = addr >>> PAGE_SHIFT; pn <= last; pn++) {
      const p = this.pages.get(pn);
      if (!p) continue;
      if (p.blocks !== null || p.resv > 0) {
        this.invalidateCode(p, false);
        if (p.resv > 0) this.clearResvRange(pn * PAGE_SIZE, PAGE_SIZE);
        this.refresh(pn, p);
      }
    }
  }

  // ---------------------------------------------------------------- reservations (LR/SC)

  /** Place holder's reservation on the word at addr (replacing its previous one). */
  reserve(holder: object, addr: number): void {
    this.clearReservation(holder);
    const a = (addr >>> 0) & ~3;
    const pn = a >>> PAGE_SHIFT;
    const p = this.pages.get(pn);
    if (!p) return;
    this.resvs.push({ holder, addr: a >>> 0 });
    p.resv++;
    this.refresh(pn, p);
  }

  /** True if holder holds a reservation on the word at addr. */
  hasReservation(holder: object, addr: number): boolean {
    const a = ((addr >>> 0) & ~3) >>> 0;
    for (const r of this.resvs) if (r.holder === holder && r.addr === a) return true;
    return false;
  }

  /** Drop holder's reservation, if any. */
  clearReservation(holder: object): void {
    if (this.resvs.length === 0) return;
    const keep: Reservation[] = [];
    for (const r of this.resvs) {
      if (r.holder === holder) this.unpin(r.addr);
      else keep.push(r);
    }
    this.resvs = keep;
  }

  private unpin(addr: number): void {
    const pn = addr >>> PAGE_SHIFT;
    const p = this.pages.get(pn);
    if (p && p.resv > 0) {
      p.resv--;
      this.refresh(pn, p);
    }
  }

  /** Clear every reservation on a word overlapping [addr, addr+len). */
  private clearResvRange(addr: number, len: number): void {
    const lo = addr >>> 0;
    const hi = lo + len;
    const keep: Reservation[] = [];
    for (const r of this.resvs) {
      const overlaps = (r.addr < hi && r.addr + 4 > lo) || (hi > 0x1_0000_0000 && r.addr < hi - 0x1_0000_0000);
      if (overlaps) this.unpin(r.addr);
      else keep.push(r);
    }
    this.resvs = keep;
  }

  // ---------------------------------------------------------------- guest (CPU) slow paths

  /**
   * Guest load of `size` (1, 2, 4) bytes, little endian, any alignment (address wraps at 2^32).
   * Returns the zero-extended value; on a fault sets `faulted` and `faultAddr` (first inaccessible byte) and returns 0.
   */
  guestLoad(addr: number, size: number): number {
    this.faulted = false;
    let v = 0;
    for (let i = 0; i < size; i++) {
      const a = (addr + i) >>> 0;
      const p = this.R[a >>> 22]![(a >>> 12) & 1023];
      if (!p) {
        this.faulted = true;
        this.faultAddr = a;
        return 0;
      }
      v += p.data[a & 4095]! * 2 ** (8 * i);
    }
    return v;
  }

  /**
   * Guest store of `size` bytes (any alignment; all-or-nothing).
   * Returns 0 when done, 1 on a fault (`faultAddr` set, nothing written), 2 when done and cached code was invalidated.
   */
  guestStore(addr: number, size: number, value: number): number {
    for (let i = 0; i < size; i++) {
      const a = (addr + i) >>> 0;
      const p = this.pages.get(a >>> PAGE_SHIFT);
      if (p === undefined || (p.perms & PERM_W) === 0) {
        this.faultAddr = a;
        return 1;
      }
    }
    for (let i = 0; i < size; i++) {
      const a = (addr + i) >>> 0;
      this.writable(a >>> PAGE_SHIFT).data[a & 4095] = (value >>> (8 * i)) & 0xff;
    }
    return this.afterWrite(addr, size) ? 2 : 0;
  }

  /** Instruction fetch (4-byte aligned pc): the word, or null if the page is not executable. */
  fetch(pc: number): number | null {
    const a = pc >>> 0;
    const p = this.X[a >>> 22]![(a >>> 12) & 1023];
    return !p ? null : p.i32[(a & 4095) >> 2]!;
  }

  /** Instruction fetch of the halfword at a 2-byte aligned address: 0..0xffff, or -1 if its page is not executable. */
  fetchHalf(pc: number): number {
    const a = pc >>> 0;
    const p = this.X[a >>> 22]![(a >>> 12) & 1023];
    return !p ? -1 : p.u16[(a & 4095) >> 1]!;
  }

  // ---------------------------------------------------------------- kernel-side copies

  /** Copy guest bytes out; null if any byte is unmapped or lacks `perm` (default PERM_R; 0 = any mapping). */
  readBytes(addr: number, len: number, perm: number = PERM_R): Uint8Array | null {
    addr = addr >>> 0;
    if (len < 0 || !Number.isInteger(len)) return null;
    if (!this.isRangeMapped(addr, len, perm)) return null;
    const out = new Uint8Array(len);
    let done = 0;
    while (done < len) {
      const a = addr + done;
      const off = a & 4095;
      const n = Math.min(len - done, PAGE_SIZE - off);
      out.set(this.pages.get(a >>> PAGE_SHIFT)!.data.subarray(off, off + n), done);
      done += n;
    }
    return out;
  }

  /** Copy bytes into guest memory; false (nothing written) if any byte is unmapped or not writable (unless force). */
  writeBytes(addr: number, bytes: Uint8Array, force = false): boolean {
    addr = addr >>> 0;
    const len = bytes.length;
    if (!this.isRangeMapped(addr, len, force ? 0 : PERM_W)) return false;
    let done = 0;
    while (done < len) {
      const a = addr + done;
      const off = a & 4095;
      const n = Math.min(len - done, PAGE_SIZE - off);
      this.writable(a >>> PAGE_SHIFT).data.set(bytes.subarray(done, done + n), off);
      done += n;
    }
    this.afterBulkWrite(addr, len);
    return true;
  }

  /** Fill [addr, addr+len) with a byte value; same rules as writeBytes. */
  fill(addr: number, len: number, value: number, force = false): boolean {
    return this.writeBytes(addr, new Uint8Array(len).fill(value), force);
  }

  private readN(addr: number, n: number): number | null {
    const b = this.readBytes(addr, n);
    if (b === null) return null;
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + b[i]!;
    return v;
  }

  readU8(addr: number): number | null {
    return this.readN(addr, 1);
  }
  readU16(addr: number): number | null {
    return this.readN(addr, 2);
  }
  /** Unsigned 32-bit value (0 .. 2^32-1). */
  readU32(addr: number): number | null {
    return this.readN(addr, 4);
  }
  /** Signed 32-bit value. */
  readI32(addr: number): number | null {
    const v = this.readN(addr, 4);
    return v === null ? null : v | 0;
  }
  /** 64-bit little-endian value as a BigInt (unsigned). */
  readU64(addr: number): bigint | null {
    const b = this.readBytes(addr, 8);
    if (b === null) return null;
    return new DataView(b.buffer).getBigUint64(0, true);
  }

  private writeN(addr: number, n: number, v: number, force: boolean): boolean {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = (v >>> (8 * i)) & 0xff;
    return this.writeBytes(addr, b, force);
  }

  writeU8(addr: number, v: number, force = false): boolean {
    return this.writeN(addr, 1, v, force);
  }
  writeU16(addr: number, v: number, force = false): boolean {
    return this.writeN(addr, 2, v, force);
  }
  /** Writes the low 32 bits of v (signed or unsigned input). */
  writeU32(addr: number, v: number, force = false): boolean {
    return this.writeN(addr, 4, v, force);
  }
  writeI32(addr: number, v: number, force = false): boolean {
    return this.writeN(addr, 4, v, force);
  }
  writeU64(addr: number, v: bigint, force = false): boolean {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    return this.writeBytes(addr, b, force);
  }

  /**
   * Read a NUL-terminated string (UTF-8) of at most `max` bytes before the NUL.
   * Null when a byte is unreadable or no NUL appears within max+1 bytes.
   */
  readCString(addr: number, max: number): string | null {
    addr = addr >>> 0;
    const bytes: number[] = [];
    for (let i = 0; i <= max; i++) {
      const a = addr + i;
      if (a > 0xffffffff) return null;
      const p = this.pages.get(a >>> PAGE_SHIFT);
      if (!p || (p.perms & PERM_R) === 0) return null;
      const c = p.data[a & 4095]!;
      if (c === 0) return utf8.decode(new Uint8Array(bytes));
      bytes.push(c);
    }
    return null;
  }
}
