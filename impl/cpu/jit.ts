// Region compiler: turns the guest code reachable from a pc inside one page into a JavaScript function.
//
// A region (see `formRegion`, `generate`) is the code reachable from its entry inside the page,
// following branches both ways, direct jumps and the return points after calls (likely paths
// first, forward branch targets last), up to MAX_REGION instructions, split into basic blocks.
// A jump into the middle of another region's code starts a region of its own. The function
// loops over `switch (block number)`, a branch not taken falling into the next case: jumps
// and branches inside the region, and jalr to one of its blocks (returns), stay inside it; guest
// registers live in JS locals for the whole call. Every block of a region is an entry point (the
// `entry` of its CodeBlock). The region exits at a jump out of the page or out of the region,
// before an instruction the compiler leaves to the interpreter (CSR, ecall, ebreak, fence.i,
// atomics, invalid encodings, a 32-bit instruction straddling the page end), after a store that
// rewrote cached code, on a fault, and when the next block would not fit the budget.
// Loads and stores keep the page they last used (per region call; its typed views in locals)
// and hit it with one masked compare that also checks alignment; else they go through the R/W
// tables, else the slow path. The budget and the block number are int32 locals (V8 keeps them
// untagged). Compiled functions are shared by all Memories of the process (`shared`).
//
// Generated function: (c: Cpu, r: Int32Array, k: budget left, R, W: memory tables, m: Memory, s: entry block) => status
// - guest registers are written back at the single exit;
// - c.pc and c.instret are updated at exit (exact count, also on a mid-block fault);
// - status 0: continue at c.pc; 1: fault (c.fc cause code, c.fa address; c.pc at the faulting instruction).

import type { CodeBlock, Memory, Page } from "./memory.ts";
import { decode } from "../isa/codec.ts";
import { immB, immI, immJ, immS, immU, rdOf, rs1Of, rs2Of } from "../isa/fields.ts";
import { expandC } from "../isa/rvc.ts";
import {
  JIT_HELPERS,
  K_ALU,
  K_BRANCH,
  K_FENCE,
  K_JAL,
  K_JALR,
  K_LOAD,
  K_STORE,
  OP_BRANCH,
  OP_JAL,
  OP_JALR,
  SRC_IMM,
  SRC_RS2,
  SRC_SHAMT,
  SRC_UPPER,
} from "../isa/table.ts";

/** Marker: run this pc with the interpreter. */
export const INTERP_BLOCK: CodeBlock = Object.freeze({ fn: null, max: 1, entry: 0 });

/** Does the compiler translate this instruction? (CSRs, atomics, ecall/ebreak and fence.i are the interpreter's.) */
function compilable(w: number): boolean {
  const d = decode(w);
  if (d === undefined) return false;
  const k = d.kind;
  return k === K_ALU || k === K_BRANCH || k === K_LOAD || k === K_STORE || k === K_JAL || k === K_JALR || k === K_FENCE;
}

const HELPERS = JIT_HELPERS;
/** Empty views of each type a region's page-cache locals start with. */
const EMPTY = { i8: new Int8Array(0), data: new Uint8Array(0), i16: new Int16Array(0), u16: new Uint16Array(0), i32: new Int32Array(0) };
const FC_LOAD = 2;
const FC_STORE = 3;

type BlockFn = (c: unknown, r: Int32Array, k: number, R: unknown, W: unknown, m: Memory) => number;

let compiledCount = 0;
let flushCount = 0;
let sharedHits = 0;
/** Regions compiled, regions reused from the shared cache and code-cache flushes (for the size bound) so far, in this process (statistics). */
export function jitStats(): { compiled: number; shared: number; flushes: number; sharedBytes: number } {
  return { compiled: compiledCount, shared: sharedHits, flushes: flushCount, sharedBytes };
}

/**
 * Compiled regions shared by every Memory of this host process, keyed by their blocks (the
 * address and instruction words of each: equal keys mean equal guest code at equal addresses,
 * hence equal generated code). A fork, an exec of the same program or the next test reuses the
 * function V8 already optimized instead of generating, compiling and warming up a new one. A
 * region function holds no per-Memory state (memory, tables and registers are its arguments).
 * Bounded by the summed size of the generated sources, keys and block tables (least recently
 * used dropped first), so the host memory it holds does not grow with what guests run (V8's
 * code and feedback for a function are a small multiple of its source).
 */
const shared = new Map<string, { fn: BlockFn; bytes: number }>();
let sharedBytes = 0;
let sharedLimit = 4_000_000;

function shareFn(key: string, e: { fn: BlockFn; bytes: number }): void {
  shared.set(key, e);
  sharedBytes += e.bytes;
  trimShared();
}

/** Change the shared cache's bound in bytes (tests); returns the previous one. */
export function setJitSharedLimit(n: number): number {
  const old = sharedLimit;
  sharedLimit = Math.max(0, Math.floor(n));
  trimShared();
  return old;
}

function trimShared(): void {
  for (const [k, e] of shared) {
    if (sharedBytes <= sharedLimit) break;
    shared.delete(k);
    sharedBytes -= e.bytes;
  }
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
  // A jump into the middle of code another region covers gets a whole region of its own too:
  // a straight-line tail up to the next entry made hot loops ping-pong between small pieces.
  // (A run() resuming mid-block after a budget stop interprets up to the next entry instead.)
  return compileRegion(m, pg, pc >>> 0);
}

/** Generate, compile (or take from the shared cache) and install the region at `start`; returns its entry block. */
function compileRegion(m: Memory, pg: Page, start: number): CodeBlock {
  const shape = formRegion(pg, start);
  let covered = pg.blocks !== null ? coverage.get(pg.blocks) : undefined;
  if (pg.blocks === null) m.setBlock(start, INTERP_BLOCK); // creates the page's code cache
  if (covered === undefined) coverage.set(pg.blocks!, (covered = new Uint8Array(2048)));
  for (const h of shape.halfwords) covered[h] = 1;
  let hit = shared.get(shape.key);
  if (hit === undefined) {
    const src = generate(shape.blocks, start);
    let fn: BlockFn;
    try {
      fn = new Function("H", "IX", "E", src.code)(HELPERS, src.ix, EMPTY) as BlockFn;
    } catch (e) {
      throw new Error(`kiln jit: generated code does not compile (pc 0x${start.toString(16)}): ${(e as Error).message}\n${src.code}`);
    }
    hit = { fn, bytes: src.code.length + shape.key.length + src.ix.byteLength };
    shareFn(shape.key, hit);
    compiledCount++;
  } else {
    // most recently used last: eviction drops the oldest
    shared.delete(shape.key);
    shared.set(shape.key, hit);
    sharedHits++;
  }
  const fn = hit.fn;
  codeSize.set(m.pool, (codeSize.get(m.pool) ?? 0) + shape.halfwords.length);
  // Every block of the region is an entry point (block number i + 1): a later run() that starts
  // there (after a budget stop, a return from another page) reuses this function.
  let entry: CodeBlock = INTERP_BLOCK;
  shape.blocks.forEach((e, i) => {
    const b: CodeBlock = { fn, max: e.body.length, entry: i + 1 };
    if (e.pc === start) entry = b;
    if (e.pc === start || pg.blocks === null || pg.blocks[(e.pc & 4095) >> 1] === undefined) m.setBlock(e.pc, b);
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
 * the return points after calls; likely paths decoded first), split into basic blocks at every
 * branch target. Compiled (by `generate`) as one
 * function: a loop over `switch (pc)` with one case per block, so jumps and branches inside the
 * region (loops, if/else, returns to a call site in the page) never leave the function and the
 * guest registers stay in JavaScript locals. Anything else (another page, an instruction the
 * compiler leaves to the interpreter, a store that rewrote cached code, the budget) exits.
 */
function formRegion(pg: Page, start: number): Shape {
  const pageBase = (start & ~4095) >>> 0;
  const inPage = (t: number): boolean => ((t & ~4095) >>> 0) === pageBase;
  // ---- discovery: decode from each leader to its block's end; collect leaders.
  const insns = new Map<number, Insn>();
  const leaders = new Set<number>([start]);
  // Likely paths first (static prediction: fall-through, backward branches, calls and their
  // return points), forward branch targets after them: when the region fills up, what it leaves
  // out is the code least likely to run, not the rest of a hot loop.
  const likely = [start];
  const unlikely: number[] = [];
  const max = MAX_REGION;
  while ((likely.length > 0 || unlikely.length > 0) && insns.size < max) {
    let pc = likely.length > 0 ? likely.shift()! : unlikely.shift()!;
    for (;;) {
      if (insns.has(pc) || !inPage(pc) || insns.size >= max) break;
      const f = fetchIn(pg, pc);
      if (f === null || !compilable(f.w)) break;
      insns.set(pc, { pc, w: f.w, len: f.len });
      const op = f.w & 0x7f;
      const next = (pc + f.len) >>> 0;
      const lead = (t: number, cold = false): void => {
        if (inPage(t) && !leaders.has(t)) {
          leaders.add(t);
          (cold ? unlikely : likely).push(t);
        }
      };
      if (op === OP_BRANCH) {
        const t = (pc + immB(f.w)) >>> 0;
        lead(next);
        lead(t, t > pc);
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
    }
  }
  // ---- blocks: from each decoded leader, instructions up to a control transfer or the next leader.
  const starts = [...leaders].filter((l) => insns.has(l)).sort((a, b) => a - b);
  const blocks: Block[] = [];
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
  // everything the generated code depends on: the blocks, their addresses and instructions
  const key = blocks.map((b) => `${b.pc}:${b.body.map((i) => (i.len === 2 ? `c${i.w}` : i.w)).join(",")}`).join(";");
  return { blocks, key, halfwords: [...insns.keys()].map((a) => (a & 4095) >> 1) };
}

interface Block {
  pc: number;
  body: Insn[];
  end: number;
}

/** A region's blocks, and its key in the shared cache. */
interface Shape {
  blocks: Block[];
  key: string;
  /** Halfword indexes (in the page) of its instructions. */
  halfwords: number[];
}

/** The JavaScript of a region (see `formRegion`), and its table of blocks by halfword. */
function generate(blocks: Block[], start: number): { code: string; ix: Uint8Array } {
  const pageBase = (start & ~4095) >>> 0;
  // Dispatch on a dense block number (1..N) so the switch compiles to a jump table; a computed
  // target (jalr) is looked up in IX, indexed by halfword of the page (0: not a block of the
  // region), after a compare that the target is in the page: no hashing on a return.
  const idx = new Map<number, number>(blocks.map((b, i) => [b.pc, i + 1]));
  const ix = new Uint8Array(2048); // block numbers fit: MAX_REGION < 256
  for (const [bpc, i] of idx) ix[(bpc & 4095) >> 1] = i;

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
  for (let bi = 0; bi < blocks.length; bi++) {
    const blk = blocks[bi]!;
    const n = blk.body.length;
    const bnum = idx.get(blk.pc)!;
    // A block that jumps back to its own start loops in place, without the dispatch.
    const last = blk.body[n - 1]!;
    const lastOp = last.w & 0x7f;
    const selfLoop =
      (lastOp === OP_BRANCH && ((last.pc + immB(last.w)) >>> 0) === blk.pc) || (lastOp === OP_JAL && ((last.pc + immJ(last.w)) >>> 0) === blk.pc);
    out.push(`case ${bnum}:`);
    if (selfLoop) out.push(`B${bnum}: for (;;) {`);
    // `| 0`: no overflow check (k >= n here)
    out.push(`if (k < ${n}) { npc = ${blk.pc}; break L; } k = (k - ${n}) | 0;`);
    // pc-relative exits of this block: `undo` instructions were counted but not executed
    const fault = (i: number, ipc: number, code: number, addrExpr: string): string =>
      `{ k += ${n - i}; npc = ${hex(ipc)}; st = 1; c.fc = ${code}; c.fa = ${addrExpr}; break L; }`;
    const goTo = (target: number): string => {
      if (selfLoop && target === blk.pc) return `continue B${bnum};`;
      const j = idx.get(target);
      return j !== undefined ? `s = ${j}; continue L;` : `npc = ${hex(target)}; break L;`;
    };
    // A target that is the next block falls into its case (the switch's fall-through), no dispatch.
    const fallTo = (target: number): string => {
      if (blocks[bi + 1]?.pc !== target || (selfLoop && target === blk.pc)) return goTo(target);
      return selfLoop ? `break B${bnum};` : "";
    };
    let terminated = false;
    for (let i = 0; i < n; i++) {
      const { pc: ipc, w, len } = blk.body[i]!;
      // per-instruction text: the table entry's template (impl/isa/table.ts) over JS locals and constants
      const d = decode(w)!;
      const rd = rdOf(w);
      const rs1 = rs1Of(w);
      const rs2 = rs2Of(w);
      switch (d.kind) {
        case K_ALU: {
          if (!rd) break;
          const s = d.src;
          const b = s === SRC_RS2 ? use(rs2) : String(s === SRC_IMM ? immI(w) : s === SRC_SHAMT ? rs2 : immU(w) | 0);
          // U-type: bits 19:15 are immediate, not a register to load
          const a = s === SRC_UPPER ? "0" : use(rs1);
          out.push(`${def(rd)} = ${d.js!(a, b, ipc)};`);
          break;
        }
        case K_JAL: {
          const t = (ipc + immJ(w)) >>> 0;
          if (rd) out.push(`${def(rd)} = ${(ipc + len) | 0};`);
          out.push(goTo(t));
          terminated = true;
          break;
        }
        case K_JALR: {
          out.push(`t = (${use(rs1)} + ${immI(w)}) & -2;`);
          if (rd) out.push(`${def(rd)} = ${(ipc + len) | 0};`);
          out.push(`if ((t & -4096) === ${pageBase | 0}) { s = IX[(t & 4095) >> 1]; if (s !== 0) continue L; } npc = t >>> 0; break L;`);
          terminated = true;
          break;
        }
        case K_BRANCH: {
          const cond = d.js!(use(rs1), use(rs2), ipc);
          const t = (ipc + immB(w)) >>> 0;
          out.push(`if (${cond}) { ${goTo(t)} }`);
          out.push(fallTo((ipc + len) >>> 0));
          terminated = true;
          break;
        }
        case K_LOAD: {
          // Fast path: the last page this region loaded from (lb: its base; lu8 ... l32: its
          // views, locals of one array type each, so V8 checks no Page), checked together with
          // alignment in one mask; else the tables (which refill the cache), else the slow path
          // (misaligned, page-crossing, unmapped: a fault).
          const imm = immI(w);
          out.push(`a = (${use(rs1)} + ${imm}) | 0;`);
          const dst = rd ? def(rd) : "t";
          const f = fault(i, ipc, FC_LOAD, "m.faultAddr");
          const size = d.size!;
          const [mask, view, shift, ext] =
            size === 1 ? (d.signed ? [-4096, "l8", 0, (x: string) => `(${x} << 24) >> 24`] : [-4096, "lu8", 0, (x: string) => x])
            : size === 2 ? (d.signed ? [-4095, "l16", 1, (x: string) => `(${x} << 16) >> 16`] : [-4095, "lu16", 1, (x: string) => x])
            : [-4093, "l32", 2, (x: string) => `${x} | 0`];
          const idx = shift ? `(a & 4095) >> ${shift}` : `a & 4095`;
          out.push(
            `if ((a & ${mask}) === lb) ${dst} = ${view}[${idx}]; ` +
              `else { p = R[a >>> 22][(a >>> 12) & 1023]; ` +
              `if (p !== null && (a & ${size - 1}) === 0) { lb = a & -4096; l8 = p.i8; lu8 = p.data; l16 = p.i16; lu16 = p.u16; l32 = p.i32; ${dst} = ${view}[${idx}]; } ` +
              `else { t = m.guestLoad(a >>> 0, ${size}); if (m.faulted) ${f} ${dst} = ${ext("t")}; } }`,
          );
          break;
        }
        case K_STORE: {
          const imm = immS(w);
          const v = use(rs2);
          out.push(`a = (${use(rs1)} + ${imm}) | 0;`);
          // slow path: a fault, or a store that rewrote cached code (leave right after it)
          const slow = (size: number): string =>
            `else { t = m.guestStore(a >>> 0, ${size}, ${v}); if (t !== 0) { if (t === 1) ${fault(i, ipc, FC_STORE, "m.faultAddr")} k += ${n - i - 1}; npc = ${hex(ipc + len)}; break L; } }`;
          const size = d.size!;
          const [mask, view, shift] = size === 1 ? [-4096, "s8", 0] : size === 2 ? [-4095, "s16", 1] : [-4093, "s32", 2];
          const idx = shift ? `(a & 4095) >> ${shift}` : `a & 4095`;
          // the W table holds no page with cached code, so a cached store page never holds code
          out.push(
            `if ((a & ${mask}) === sb) ${view}[${idx}] = ${v}; ` +
              `else { p = W[a >>> 22][(a >>> 12) & 1023]; ` +
              `if (p !== null && (a & ${size - 1}) === 0) { sb = a & -4096; s8 = p.data; s16 = p.i16; s32 = p.i32; ${view}[${idx}] = ${v}; } ${slow(size)} }`,
          );
          break;
        }
        case K_FENCE:
          break;
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
    `return function region_${hex(start)}(c, r, kIn, R, W, m, sIn) {`,
    regsUsed.length ? `let ${regsUsed.map((n) => `x${n} = r[${n}]`).join(", ")};` : "",
    // lb, sb: the page last loaded from / stored to (-1 matches no address); l*, s*: its views
    // (empty arrays of the same types until then, so each local keeps one type).
    // k: budget left, an int32 (run() passes at most 2^30); the count retired is k0 - k
    // as int32 locals (`| 0`), not the tagged arguments: V8 then keeps them untagged in registers
    `let k = kIn | 0, s = sIn | 0;`,
    `const k0 = k;`,
    `let npc = 0, st = 0, a = 0, t = 0, p = null, lb = -1, sb = -1;`,
    `let l8 = E.i8, lu8 = E.data, l16 = E.i16, lu16 = E.u16, l32 = E.i32, s8 = E.data, s16 = E.i16, s32 = E.i32;`,
    `L: for (;;) {`,
    `switch (s) {`,
    ...out,
    `}`,
    `}`,
    ...regsWritten.map((n) => `r[${n}] = x${n};`),
    `c.pc = npc; c.instret += k0 - k; return st;`,
    `};`,
  ].join("\n");
  return { code, ix };
}
