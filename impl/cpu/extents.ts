// A set of page numbers kept as sorted, disjoint, coalesced half-open intervals [start, end).
// Memory's mapping operations keep one beside their page map so that the questions the kernel
// asks of an address space (how much of this range is mapped? where is a free gap?) cost time in
// proportion to the intervals they touch, not to the pages in the range (issue 12).

export class Extents {
  /** starts[i] < ends[i] <= starts[i + 1]; never adjacent (coalesced). */
  private starts: number[] = [];
  private ends: number[] = [];
  /** Total pages in the set. */
  count = 0;

  get size(): number {
    return this.starts.length;
  }

  /** Index of the first interval whose end is > pn. */
  private firstEndingAfter(pn: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid]! <= pn) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Pages of [start, end) in the set. */
  countIn(start: number, end: number): number {
    let n = 0;
    for (let i = this.firstEndingAfter(start); i < this.starts.length && this.starts[i]! < end; i++) {
      n += Math.min(end, this.ends[i]!) - Math.max(start, this.starts[i]!);
    }
    return n;
  }

  /** Adds [start, end). */
  add(start: number, end: number): void {
    if (end <= start) return;
    // Intervals that overlap or touch [start, end) are merged into one.
    const i = this.firstEndingAfter(start - 1);
    let j = i;
    let s = start;
    let e = end;
    while (j < this.starts.length && this.starts[j]! <= end) {
      s = Math.min(s, this.starts[j]!);
      e = Math.max(e, this.ends[j]!);
      this.count -= this.ends[j]! - this.starts[j]!;
      j++;
    }
    this.starts.splice(i, j - i, s);
    this.ends.splice(i, j - i, e);
    this.count += e - s;
  }

  /** Removes [start, end). */
  remove(start: number, end: number): void {
    if (end <= start) return;
    const i = this.firstEndingAfter(start);
    let j = i;
    const keepS: number[] = [];
    const keepE: number[] = [];
    while (j < this.starts.length && this.starts[j]! < end) {
      const s = this.starts[j]!;
      const e = this.ends[j]!;
      this.count -= e - s;
      if (s < start) { keepS.push(s); keepE.push(start); this.count += start - s; }
      if (e > end) { keepS.push(end); keepE.push(e); this.count += e - end; }
      j++;
    }
    if (j === i) return;
    this.starts.splice(i, j - i, ...keepS);
    this.ends.splice(i, j - i, ...keepE);
  }

  clear(): void {
    this.starts = [];
    this.ends = [];
    this.count = 0;
  }

  /**
   * The highest start s with floor <= s, s + len <= top and [s, s + len) outside the set, or -1.
   * Walks the intervals from the top down: time in proportion to the intervals above the gap.
   */
  highestGap(top: number, floor: number, len: number): number {
    let hi = top;
    for (let i = Math.min(this.firstEndingAfter(top), this.starts.length - 1); i >= 0; i--) {
      const s = this.starts[i]!;
      const e = this.ends[i]!;
      if (s >= hi) continue;
      if (e <= hi && hi - e >= len && hi - len >= floor) return hi - len;
      hi = Math.min(hi, s);
      if (hi - len < floor) return -1;
    }
    return hi - len >= floor ? hi - len : -1;
  }

  /** The intervals that meet [start, end), clipped to it, in order. */
  clipped(start: number, end: number): [number, number][] {
    const out: [number, number][] = [];
    for (let i = this.firstEndingAfter(start); i < this.starts.length && this.starts[i]! < end; i++) {
      out.push([Math.max(start, this.starts[i]!), Math.min(end, this.ends[i]!)]);
    }
    return out;
  }

  /** The intervals, in order. */
  *intervals(): Generator<[number, number]> {
    for (let i = 0; i < this.starts.length; i++) yield [this.starts[i]!, this.ends[i]!];
  }
}
