// impl/cpu/extents.ts (the interval map behind Memory's mapping operations) against a plain set of
// page numbers, over seeded random adds and removes.
import { describe, expect, it } from "vitest";
import { Extents } from "../../impl/cpu/extents.ts";
import { Memory, PAGE_SIZE, PERM_R, PERM_W } from "../../impl/cpu/memory.ts";
import { unitPrng } from "../support/prng.ts";

describe("Extents", () => {
  it("agrees with a set of pages: count, countIn, clipped and highestGap after 3000 random operations", () => {
    const rnd = unitPrng(12);
    const int = (n: number) => Math.floor(rnd() * n);
    const e = new Extents();
    const ref = new Set<number>();
    const N = 300;
    for (let i = 0; i < 3000; i++) {
      const a = int(N), b = a + int(20);
      if (rnd() < 0.55) { e.add(a, b); for (let p = a; p < b; p++) ref.add(p); }
      else { e.remove(a, b); for (let p = a; p < b; p++) ref.delete(p); }
      expect(e.count).toBe(ref.size);
      const s = int(N), t = s + int(50);
      let n = 0;
      for (let p = s; p < t; p++) if (ref.has(p)) n++;
      expect(e.countIn(s, t)).toBe(n);
      expect(e.clipped(s, t).reduce((m, [x, y]) => m + y - x, 0)).toBe(n);
      const len = 1 + int(8), floor = int(100), top = floor + int(250);
      let want = -1;
      for (let st = top - len; st >= floor; st--) {
        let free = true;
        for (let p = st; p < st + len; p++) if (ref.has(p)) { free = false; break; }
        if (free) { want = st; break; }
      }
      expect(e.highestGap(top, floor, len)).toBe(want);
    }
    // Coalesced: no two intervals touch.
    const iv = [...e.intervals()];
    for (let i = 1; i < iv.length; i++) expect(iv[i]![0]).toBeGreaterThan(iv[i - 1]![1]);
  });

  it("Memory's range questions cost per interval: a 2 GiB query over a sparse space is immediate and right", () => {
    const m = new Memory();
    m.map(0x10000, 3 * PAGE_SIZE, PERM_R | PERM_W);
    m.map(0x7000_0000, PAGE_SIZE, PERM_R);
    expect(m.mappedIn(0, 0x8000_0000)).toBe(4 * PAGE_SIZE);
    expect(m.findGap(0x7fff_f000, 0x10000, 0x1000_0000)).toBe(0x6000_0000); // the gap above 0x7000_1000 is too small
    m.unmap(0, 0x8000_0000);
    expect(m.mappedBytes()).toBe(0);
    expect(m.mappedIn(0, 0x8000_0000)).toBe(0);
  });
});
