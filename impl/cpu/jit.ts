// Region compiler: turns the guest code reachable from a pc inside one page into a JavaScript function.
//
// A region (see `generate`) is the code reachable from its entry inside the page, following
// branches both ways, direct jumps and the return points after calls, up to MAX_REGION
// instructions, split into basic blocks. The function loops over `switch (block number)`: jumps
// and branches inside the region, and jalr to one of its blocks (returns), stay inside it; guest
// registers live in JS locals for the whole call. Every block of a region is an entry point (the
// `entry` of its CodeBlock). The region exits at a jump out of the page or out of the region,
// before an instruction the compiler leaves to the interpreter (CSR, ecall, ebreak, fence.i,
// atomics, invalid encodings, a 32-bit instruction straddling the page end), after a store that
// rewrote cached code, on a fault, and when the next block would not fit the budget.
// Loads and stores keep the page they last used (per region call) and hit it with one masked
// compare that also checks alignment; else they go through the R/W tables, else the slow path.
//
// Generated function: (c: Cpu, r: Int32Array, k: budget left, R, W: memory tables, m: Memory, s: entry block) => status
// - guest registers are written back at the single exit;
// - c.pc and c.instret are updated at exit (exact count, also on a mid-block fault);
// - status 0: continue at c.pc; 1: fault (c.fc cause code, c.fa address; c.pc at the faulting instruction).

import type { CodeBlock, Memory, Page } from "./memory.ts";
import {
  OP_AUIPC,
  OP_BRANCH,
  OP_IMM,
  OP_JAL,
  OP_JALR,
  OP_LOAD,
  OP_LUI,
  OP_MISC_MEM,
  OP_OP,
  OP_STORE,
  f3Of,
  f7Of,
  immB,
  immI,
  immJ,
  immS,
  immU,
  isValid,
  rdOf,
  rs1Of,
  rs2Of,
} from "./decode.ts";
import { expandC } from "./rvc.ts";


/** High 32 bits of the unsigned 64-bit product. */
export function mulhu(a: number, b: number): number {
  a >>>= 0;
  b >>>= 0;
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const hh = ah * bh;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) | 0;
}
/** High 32 bits of the signed x signed product. */
export function mulh(a: number, b: number): number {
  return (mulhu(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
}
/** High 32 bits of the signed x unsigned product. */
export function mulhsu(a: number, b: number): number {
  return (mulhu(a, b) - (a < 0 ? b : 0)) | 0;
}

/** Marker: run this pc with the interpreter. */
export const INTERP_BLOCK: CodeBlock = Object.freeze({ fn: null, max: 1 });

/** Does the compiler translate this instruction? */
function compilable(w: number): boolean {
  if (!isValid(w)) return false;
  switch (w & 0x7f) {
    case OP_LUI:
    case OP_AUIPC:
    case OP_JAL:
    case OP_JALR:
    case OP_BRANCH:
    case OP_LOAD:
    case OP_STORE:
    case OP_IMM:
    case OP_OP:
      return true;
    case OP_MISC_MEM:
      return f3Of(w) === 0;
    default:
      return false;
  }
}

const HELPERS = { mulh, mulhsu, mulhu };
const FC_LOAD = 2;
const FC_STORE = 3;

type BlockFn = (c: unknown, r: Int32Array, k: number, R: unknown, W: unknown, m: Memory) => number;

let compiledCount = 0;
let flushCount = 0;
/** Regions compiled and code-cache flushes (for the size bound) so far, in this process (statistics). */
export function jitStats(): { compiled: number; flushes: number } {
  return { compiled: compiledCount, flushes: flushCount };
}

/**
 * The code cache of a family of memories (one kernel's processes: one frame pool) is bounded: it
 * holds at most this many compiled guest instructions (summed over its regions); compiling past
 * it first drops every cache of the family (like fence.i), so a guest that executes millions of
 * distinct code addresses, in one process or in many, costs the host a bounded amount of memory
 * (about 100-200 bytes of host code and data per compiled instruction).
 */
let codeLimit = 262_144;
const codeSize = new WeakMap<object, number>();

/** Change the bound (tests); returns the previous one. */
export function setJitCodeLimit(n: number): number {
  const old = codeLimit;
  codeLimit = Math.max(1, Math.floor(n));
  return old;
}

/** Compiled guest instructions currently held in `m`'s code cache (approximate after invalidations: counted until the next flush). */
export function jitCodeSize(m: Memory): number {
  return codeSize.get(m.pool) ?? 0;
}

/**
 * The instruction at pc inside page pg: its 32-bit word (a compressed one expanded; 0 when it is
 * reserved) and its length; null for a 32-bit instruction that straddles into the next page (left
 * to the interpreter, so that a region never depends on a second page).
 */
function fetchIn(pg: Page, pc: number): { w: number; len: 2 | 4 } | null {
  const off = pc & 4095;
  const lo = pg.u16[off >> 1]!;
  if ((lo & 3) !== 3) return { w: expandC(lo) | 0, len: 2 };
  if (off === 4094) return null;
  return { w: lo | (pg.u16[(off >> 1) + 1]! << 16), len: 4 };
}

/**
 * True when pc is in the middle of code some compiled region of its page already covers (not an
 * entry of it). The CPU then steps to the next entry instead of compiling a new one: this is
 * where a previous run() stopped on its budget, and compiling every such point would cost far
 * more than interpreting the rest of one block.
 */
export function insideRegion(pg: Page, pc: number): boolean {
  if (pg.blocks === null) return false;
  const c = coverage.get(pg.blocks);
  return c !== undefined && c[(pc & 4095) >> 1] === 1;
}

/** Compile (and cache in the page) the block at pc. */
export function compileBlock(m: Memory, pg: Page, pc: number): CodeBlock {
  if (pg.noJit) return INTERP_BLOCK;
  const first = fetchIn(pg, pc);
  if (first === null || !compilable(first.w)) {
    m.setBlock(pc, INTERP_BLOCK);
    return INTERP_BLOCK;
  }
  const held = codeSize.get(m.pool) ?? 0;
  if (held >= codeLimit) {
    m.pool.flushCode();
    flushCount++;
    codeSize.set(m.pool, 0);
  }
  // A new entry in the middle of code already compiled in a region (a budget stop, a return into
  // it) gets only the straight-line code up to the next entry; anything else a whole region.
  let covered = pg.blocks !== null ? coverage.get(pg.blocks) : undefined;
  const src = generate(pg, pc >>> 0, covered !== undefined && covered[(pc & 4095) >> 1] === 1);
  if (!src.linear) {
    if (pg.blocks === null) m.setBlock(pc, INTERP_BLOCK); // creates the page's code cache
    if (covered === undefined) coverage.set(pg.blocks!, (covered = new Uint8Array(2048)));
    for (const h of src.halfwords) covered[h] = 1;
  }
  let fn: BlockFn;
  try {
    fn = new Function("H", "IX", src.code)(HELPERS, src.ix) as BlockFn;
  } catch (e) {
    throw new Error(`kiln jit: generated code does not compile (pc 0x${pc.toString(16)}): ${(e as Error).message}\n${src.code}`);
  }
  compiledCount++;
  codeSize.set(m.pool, (codeSize.get(m.pool) ?? 0) + src.halfwords.length);
  // Every block of the region is an entry point (block number i + 1): a later run() that starts
  // there (after a budget stop, a return from another page) reuses this function.
  let entry: CodeBlock = INTERP_BLOCK;
  src.entries.forEach((e, i) => {
    const b: CodeBlock = { fn, max: e.len, entry: i + 1 };
    if (e.pc === pc) entry = b;
    if (e.pc === pc || pg.blocks === null || pg.blocks[(e.pc & 4095) >> 1] === undefined) m.setBlock(e.pc, b);
  });
  return entry;
}

const reg = (n: number): string => (n === 0 ? "0" : `x${n}`);
const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

/** Most instructions in one compiled region (bounds compile time and code size). */
const MAX_REGION = 64;

/** Per page code cache (its `blocks` array): which halfwords some compiled region already covers. */
const coverage = new WeakMap<object, Uint8Array>();

interface Insn {
  pc: number;
  w: number;
  len: number;
}

/**
 * A region: the code reachable from `start` inside its page (branches both ways, direct jumps,
 * the return points after calls), split into basic blocks at every branch target. Compiled as one
 * function: a loop over `switch (pc)` with one case per block, so jumps and branches inside the
 * region (loops, if/else, returns to a call site in the page) never leave the function and the
 * guest registers stay in JavaScript locals. Anything else (another page, an instruction the
 * compiler leaves to the interpreter, a store that rewrote cached code, the budget) exits.
 */
function generate(
  pg: Page,
  start: number,
  linear: boolean,
): { code: string; max: number; ix: Map<number, number>; entries: Array<{ pc: number; len: number }>; linear: boolean; halfwords: number[] } {
  const pageBase = (start & ~4095) >>> 0;
  const inPage = (t: number): boolean => ((t & ~4095) >>> 0) === pageBase;
  // ---- discovery: decode from each leader to its block's end; collect leaders.
  const insns = new Map<number, Insn>();
  const leaders = new Set<number>([start]);
  const work = [start];
  while (work.length > 0 && insns.size < MAX_REGION) {
    let pc = work.shift()!;
    for (;;) {
      if (insns.has(pc) || !inPage(pc) || insns.size >= MAX_REGION) break;
      const f = fetchIn(pg, pc);
      if (f === null || !compilable(f.w)) break;
      insns.set(pc, { pc, w: f.w, len: f.len });
      const op = f.w & 0x7f;
      const next = (pc + f.len) >>> 0;
      const lead = (t: number): void => {
        if (!linear && inPage(t) && !leaders.has(t)) {
          leaders.add(t);
          work.push(t);
        }
      };
      if (op === OP_BRANCH) {
        lead((pc + immB(f.w)) >>> 0);
        lead(next);
        break;
      }
      if (op === OP_JAL) {
        lead((pc + immJ(f.w)) >>> 0);
        if (rdOf(f.w) !== 0) lead(next); // the return point of a call
        break;
      }
      if (op === OP_JALR) {
        if (rdOf(f.w) !== 0) lead(next);
        break;
      }
      pc = next;
      // a linear tail stops where compiled code already starts
      if (linear && pg.blocks !== null && pg.blocks[(pc & 4095) >> 1] !== undefined) break;
    }
  }
  // ---- blocks: from each decoded leader, instructions up to a control transfer or the next leader.
  const starts = [...leaders].filter((l) => insns.has(l)).sort((a, b) => a - b);
  const blocks: Array<{ pc: number; body: Insn[]; end: number }> = [];
  for (const b of starts) {
    const body: Insn[] = [];
    let pc = b;
    for (;;) {
      const ins = insns.get(pc);
      if (ins === undefined) break;
      body.push(ins);
      pc = (pc + ins.len) >>> 0;
      const op = ins.w & 0x7f;
      if (op === OP_BRANCH || op === OP_JAL || op === OP_JALR) break;
      if (leaders.has(pc)) break;
    }
    blocks.push({ pc: b, body, end: pc });
  }
  // Dispatch on a dense block number (1..N) so the switch compiles to a jump table; a computed
  // target (jalr) is looked up in IX (pc -> block number; absent: outside the region).
  const idx = new Map<number, number>(blocks.map((b, i) => [b.pc, i + 1]));
  const ix = idx;

  const used = new Set<number>();
  const written = new Set<number>();
  const use = (n: number): string => {
    if (n !== 0) used.add(n);
    return reg(n);
  };
  const def = (n: number): string => {
    used.add(n);
    written.add(n);
    return `x${n}`;
  };
  const out: string[] = [];
  let entryLen = 1;
  for (let bi = 0; bi < blocks.length; bi++) {
    const blk = blocks[bi]!;
    const n = blk.body.length;
    if (blk.pc === start) entryLen = n;
    const bnum = idx.get(blk.pc)!;
    // A block that jumps back to its own start loops in place, without the dispatch.
    const last = blk.body[n - 1]!;
    const lastOp = last.w & 0x7f;
    const selfLoop =
      (lastOp === OP_BRANCH && ((last.pc + immB(last.w)) >>> 0) === blk.pc) || (lastOp === OP_JAL && ((last.pc + immJ(last.w)) >>> 0) === blk.pc);
    out.push(`case ${bnum}:`);
    if (selfLoop) out.push(`B${bnum}: for (;;) {`);
    out.push(`if (k - done < ${n}) { npc = ${blk.pc}; break L; } done += ${n};`);
    // pc-relative exits of this block: `undo` instructions were counted but not executed
    const fault = (i: number, ipc: number, code: number, addrExpr: string): string =>
      `{ done -= ${n - i}; npc = ${hex(ipc)}; st = 1; c.fc = ${code}; c.fa = ${addrExpr}; break L; }`;
    const goTo = (target: number): string => {
      if (selfLoop && target === blk.pc) return `continue B${bnum};`;
      const j = idx.get(target);
      return j !== undefined ? `s = ${j}; continue L;` : `npc = ${hex(target)}; break L;`;
    };
    let terminated = false;
    for (let i = 0; i < n; i++) {
      const { pc: ipc, w, len } = blk.body[i]!;
      const rd = rdOf(w);
      const rs1 = rs1Of(w);
      const rs2 = rs2Of(w);
      const f3 = f3Of(w);
      const f7 = f7Of(w);
      switch (w & 0x7f) {
        case OP_LUI:
          if (rd) out.push(`${def(rd)} = ${immU(w) | 0};`);
          break;
        case OP_AUIPC:
          if (rd) out.push(`${def(rd)} = ${(ipc + immU(w)) | 0};`);
          break;
        case OP_JAL: {
          const t = (ipc + immJ(w)) >>> 0;
          if (rd) out.push(`${def(rd)} = ${(ipc + len) | 0};`);
          out.push(goTo(t));
          terminated = true;
          break;
        }
        case OP_JALR: {
          out.push(`t = (${use(rs1)} + ${immI(w)}) & -2;`);
          if (rd) out.push(`${def(rd)} = ${(ipc + len) | 0};`);
          out.push(`t = t >>> 0; s = IX.get(t); if (s === undefined) { npc = t; break L; } continue L;`);
          terminated = true;
          break;
        }
        case OP_BRANCH: {
          const a = use(rs1);
          const b = use(rs2);
          let cond: string;
          switch (f3) {
            case 0: cond = `${a} === ${b}`; break;
            case 1: cond = `${a} !== ${b}`; break;
            case 4: cond = `${a} < ${b}`; break;
            case 5: cond = `${a} >= ${b}`; break;
            case 6: cond = `(${a} >>> 0) < (${b} >>> 0)`; break;
            default: cond = `(${a} >>> 0) >= (${b} >>> 0)`; break;
          }
          const t = (ipc + immB(w)) >>> 0;
          out.push(`if (${cond}) { ${goTo(t)} }`);
          out.push(goTo((ipc + len) >>> 0));
          terminated = true;
          break;
        }
        case OP_LOAD: {
          // Fast path: the last page this region loaded from (lb: its base, lp: the Page), checked
          // together with alignment in one mask; else the tables (which refill the cache), else
          // the slow path (misaligned, page-crossing, unmapped: a fault).
          const imm = immI(w);
          out.push(`a = (${use(rs1)} + ${imm}) | 0;`);
          const dst = rd ? def(rd) : "t";
          const f = fault(i, ipc, FC_LOAD, "m.faultAddr");
          const [mask, view, shift, ext, size] =
            f3 === 0 ? [-4096, "i8", 0, (x: string) => `(${x} << 24) >> 24`, 1]
            : f3 === 4 ? [-4096, "data", 0, (x: string) => x, 1]
            : f3 === 1 ? [-4095, "i16", 1, (x: string) => `(${x} << 16) >> 16`, 2]
            : f3 === 5 ? [-4095, "u16", 1, (x: string) => x, 2]
            : [-4093, "i32", 2, (x: string) => `${x} | 0`, 4];
          const idx = shift ? `(a & 4095) >> ${shift}` : `a & 4095`;
          out.push(
            `if ((a & ${mask}) === lb) ${dst} = lp.${view}[${idx}]; ` +
              `else { p = R[a >>> 22][(a >>> 12) & 1023]; ` +
              `if (p !== null && (a & ${size - 1}) === 0) { lb = a & -4096; lp = p; ${dst} = p.${view}[${idx}]; } ` +
              `else { t = m.guestLoad(a >>> 0, ${size}); if (m.faulted) ${f} ${dst} = ${ext("t")}; } }`,
          );
          break;
        }
        case OP_STORE: {
          const imm = immS(w);
          const v = use(rs2);
          out.push(`a = (${use(rs1)} + ${imm}) | 0;`);
          // slow path: a fault, or a store that rewrote cached code (leave right after it)
          const slow = (size: number): string =>
            `else { t = m.guestStore(a >>> 0, ${size}, ${v}); if (t !== 0) { if (t === 1) ${fault(i, ipc, FC_STORE, "m.faultAddr")} done -= ${n - i - 1}; npc = ${hex(ipc + len)}; break L; } }`;
          const [mask, view, shift, size] = f3 === 0 ? [-4096, "data", 0, 1] : f3 === 1 ? [-4095, "i16", 1, 2] : [-4093, "i32", 2, 4];
          const idx = shift ? `(a & 4095) >> ${shift}` : `a & 4095`;
          // the W table holds no page with cached code, so a cached store page never holds code
          out.push(
            `if ((a & ${mask}) === sb) sp.${view}[${idx}] = ${v}; ` +
              `else { p = W[a >>> 22][(a >>> 12) & 1023]; ` +
              `if (p !== null && (a & ${size - 1}) === 0) { sb = a & -4096; sp = p; p.${view}[${idx}] = ${v}; } ${slow(size)} }`,
          );
          break;
        }
        case OP_IMM: {
          if (!rd) break;
          const a = use(rs1);
          const imm = immI(w);
          let e: string;
          switch (f3) {
            case 0: e = rs1 === 0 ? `${imm}` : `(${a} + ${imm}) | 0`; break;
            case 1: e = `${a} << ${rs2}`; break;
            case 2: e = `${a} < ${imm} ? 1 : 0`; break;
            case 3: e = `(${a} >>> 0) < ${imm >>> 0} ? 1 : 0`; break;
            case 4: e = `${a} ^ ${imm}`; break;
            case 5: e = f7 === 0 ? `(${a} >>> ${rs2}) | 0` : `${a} >> ${rs2}`; break;
            case 6: e = `${a} | ${imm}`; break;
            default: e = `${a} & ${imm}`; break;
          }
          out.push(`${def(rd)} = ${e};`);
          break;
        }
        case OP_OP: {
          if (!rd) break;
          const a = use(rs1);
          const b = use(rs2);
          let e: string;
          if (f7 === 0) {
            switch (f3) {
              case 0: e = `(${a} + ${b}) | 0`; break;
              case 1: e = `${a} << ${b}`; break;
              case 2: e = `${a} < ${b} ? 1 : 0`; break;
              case 3: e = `(${a} >>> 0) < (${b} >>> 0) ? 1 : 0`; break;
              case 4: e = `${a} ^ ${b}`; break;
              case 5: e = `(${a} >>> ${b}) | 0`; break;
              case 6: e = `${a} | ${b}`; break;
              default: e = `${a} & ${b}`; break;
            }
          } else if (f7 === 0x20) {
            e = f3 === 0 ? `(${a} - ${b}) | 0` : `${a} >> ${b}`;
          } else {
            switch (f3) {
              case 0: e = `Math.imul(${a}, ${b})`; break;
              case 1: e = `H.mulh(${a}, ${b})`; break;
              case 2: e = `H.mulhsu(${a}, ${b})`; break;
              case 3: e = `H.mulhu(${a}, ${b})`; break;
              case 4: e = `${b} === 0 ? -1 : (${a} === -2147483648 && ${b} === -1) ? -2147483648 : (${a} / ${b}) | 0`; break;
              case 5: e = `${b} === 0 ? -1 : ((${a} >>> 0) / (${b} >>> 0)) | 0`; break;
              case 6: e = `${b} === 0 ? ${a} : ${b} === -1 ? 0 : (${a} % ${b}) | 0`; break;
              default: e = `${b} === 0 ? ${a} : ((${a} >>> 0) % (${b} >>> 0)) | 0`; break;
            }
          }
          out.push(`${def(rd)} = ${e};`);
          break;
        }
        case OP_MISC_MEM:
          break; // fence
      }
    }
    // falling off the block: into the next case when it starts right here, else through the dispatch
    if (!terminated && blocks[bi + 1]?.pc !== blk.end) out.push(goTo(blk.end));
    if (selfLoop) out.push(`}`);
  }
  const regsUsed = [...used].sort((a, b) => a - b);
  const regsWritten = [...written].sort((a, b) => a - b);
  const code = [
    `"use strict";`,
    `return function region_${hex(start)}(c, r, k, R, W, m, s) {`,
    regsUsed.length ? `let ${regsUsed.map((n) => `x${n} = r[${n}]`).join(", ")};` : "",
    // lb/lp, sb/sp: the page last loaded from / stored to (base, Page); -1 matches no address.
    `let done = 0, npc = 0, st = 0, a = 0, t = 0, p = null, lb = -1, lp = null, sb = -1, sp = null;`,
    `L: for (;;) {`,
    `switch (s) {`,
    ...out,
    `}`,
    `}`,
    ...regsWritten.map((n) => `r[${n}] = x${n};`),
    `c.pc = npc; c.instret += done; return st;`,
    `};`,
  ].join("\n");
  return { code, max: entryLen, ix, entries: blocks.map((b) => ({ pc: b.pc, len: b.body.length })), linear, halfwords: [...insns.keys()].map((a) => (a & 4095) >> 1) };
}
