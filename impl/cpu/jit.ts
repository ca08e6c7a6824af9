// Block compiler: turns a trace of guest instructions into a JavaScript function.
//
// A trace starts at a pc and follows fall-through paths (conditional branches become side exits)
// and direct jumps inside the same page, up to MAX_TRACE instructions. It ends at jalr, at a jump
// leaving the page or revisiting the trace, at the page end, or before an instruction the compiler
// leaves to the interpreter (CSR, ecall, ebreak, fence.i, atomics, invalid encodings).
// A branch or jump back to the trace start loops inside the function while the budget allows.
//
// Generated function: (c: Cpu, r: Int32Array, k: budget left, R, W: memory tables, m: Memory) => status
// - guest registers live in JS locals inside the function and are written back at the single exit;
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

const MAX_TRACE = 100;

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
/** Number of blocks compiled so far (statistics). */
export function jitStats(): { compiled: number } {
  return { compiled: compiledCount };
}

/**
 * The instruction at pc inside page pg: its 32-bit word (a compressed one expanded; 0 when it is
 * reserved) and its length; null for a 32-bit instruction that straddles into the next page (left
 * to the interpreter, so that a trace never depends on a second page).
 */
function fetchIn(pg: Page, pc: number): { w: number; len: 2 | 4 } | null {
  const off = pc & 4095;
  const lo = pg.u16[off >> 1]!;
  if ((lo & 3) !== 3) return { w: expandC(lo) | 0, len: 2 };
  if (off === 4094) return null;
  return { w: lo | (pg.u16[(off >> 1) + 1]! << 16), len: 4 };
}

/** Compile (and cache in the page) the block at pc. */
export function compileBlock(m: Memory, pg: Page, pc: number): CodeBlock {
  if (pg.noJit) return INTERP_BLOCK;
  const first = fetchIn(pg, pc);
  if (first === null || !compilable(first.w)) {
    m.setBlock(pc, INTERP_BLOCK);
    return INTERP_BLOCK;
  }
  const src = generate(pg, pc >>> 0);
  let fn: BlockFn;
  try {
    fn = new Function("H", src.code)(HELPERS) as BlockFn;
  } catch (e) {
    throw new Error(`kiln jit: generated code does not compile (pc 0x${pc.toString(16)}): ${(e as Error).message}\n${src.code}`);
  }
  compiledCount++;
  const b: CodeBlock = { fn, max: src.max };
  m.setBlock(pc, b);
  return b;
}

const reg = (n: number): string => (n === 0 ? "0" : `x${n}`);
const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

function generate(pg: Page, start: number): { code: string; max: number } {
  const pageBase = (start & ~4095) >>> 0;
  const used = new Set<number>();
  const written = new Set<number>();
  const visited = new Set<number>();
  const body: string[] = [];
  // A trace: list of [pc, word]; built first so MAX (trace length) is known when emitting loops.
  const trace: Array<{ pc: number; w: number; len: number }> = [];
  let pc = start;
  let endPc = -1; // fall-through pc after the last instruction, when the trace just stops
  for (;;) {
    if (trace.length >= MAX_TRACE || ((pc & ~4095) >>> 0) !== pageBase || visited.has(pc)) {
      endPc = pc;
      break;
    }
    const f = fetchIn(pg, pc);
    if (f === null || !compilable(f.w)) {
      endPc = pc;
      break;
    }
    const w = f.w;
    visited.add(pc);
    trace.push({ pc, w, len: f.len });
    const op = w & 0x7f;
    if (op === OP_JALR) break;
    if (op === OP_JAL) {
      const t = (pc + immJ(w)) >>> 0;
      if (((t & ~4095) >>> 0) !== pageBase || visited.has(t) || trace.length >= MAX_TRACE) break;
      pc = t;
      continue;
    }
    pc = (pc + f.len) >>> 0;
  }
  const max = trace.length;
  const use = (n: number): string => {
    if (n !== 0) used.add(n);
    return reg(n);
  };
  const def = (n: number): string => {
    used.add(n);
    written.add(n);
    return `x${n}`;
  };
  const fault = (i: number, ipc: number, code: number, addrExpr: string): string =>
    `{ done += ${i}; npc = ${hex(ipc)}; st = 1; c.fc = ${code}; c.fa = ${addrExpr}; break L; }`;
  const jumpTo = (count: number, target: number): string => {
    if (target === start) return `done += ${count}; if (k - done >= ${max}) continue L; npc = ${hex(target)}; break L;`;
    return `done += ${count}; npc = ${hex(target)}; break L;`;
  };

  for (let i = 0; i < trace.length; i++) {
    const { pc: ipc, w, len } = trace[i]!;
    const rd = rdOf(w);
    const rs1 = rs1Of(w);
    const rs2 = rs2Of(w);
    const f3 = f3Of(w);
    const f7 = f7Of(w);
    const op = w & 0x7f;
    const last = i === trace.length - 1;
    switch (op) {
      case OP_LUI:
        if (rd) body.push(`${def(rd)} = ${immU(w) | 0};`);
        break;
      case OP_AUIPC:
        if (rd) body.push(`${def(rd)} = ${(ipc + immU(w)) | 0};`);
        break;
      case OP_JAL: {
        const t = (ipc + immJ(w)) >>> 0;
        if (rd) body.push(`${def(rd)} = ${(ipc + len) | 0};`);
        if (last) body.push(jumpTo(i + 1, t));
        break;
      }
      case OP_JALR: {
        body.push(`t = (${use(rs1)} + ${immI(w)}) & -2;`);
        if (rd) body.push(`${def(rd)} = ${(ipc + len) | 0};`);
        body.push(`done += ${i + 1}; npc = t >>> 0; break L;`);
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
        body.push(`if (${cond}) { ${jumpTo(i + 1, t)} }`);
        break;
      }
      case OP_LOAD: {
        const imm = immI(w);
        body.push(`a = (${use(rs1)} + ${imm}) | 0; p = R[a >>> 22][(a >>> 12) & 1023];`);
        const dst = rd ? def(rd) : "t";
        const f = fault(i, ipc, FC_LOAD, "m.faultAddr");
        switch (f3) {
          case 0:
            body.push(`if (p !== null) ${dst} = p.i8[a & 4095]; else { t = m.guestLoad(a >>> 0, 1); if (m.faulted) ${f} ${dst} = (t << 24) >> 24; }`);
            break;
          case 4:
            body.push(`if (p !== null) ${dst} = p.data[a & 4095]; else { t = m.guestLoad(a >>> 0, 1); if (m.faulted) ${f} ${dst} = t; }`);
            break;
          case 1:
            body.push(`if (p !== null && (a & 1) === 0) ${dst} = p.i16[(a & 4095) >> 1]; else { t = m.guestLoad(a >>> 0, 2); if (m.faulted) ${f} ${dst} = (t << 16) >> 16; }`);
            break;
          case 5:
            body.push(`if (p !== null && (a & 1) === 0) ${dst} = p.u16[(a & 4095) >> 1]; else { t = m.guestLoad(a >>> 0, 2); if (m.faulted) ${f} ${dst} = t; }`);
            break;
          default:
            body.push(`if (p !== null && (a & 3) === 0) ${dst} = p.i32[(a & 4095) >> 2]; else { t = m.guestLoad(a >>> 0, 4); if (m.faulted) ${f} ${dst} = t | 0; }`);
            break;
        }
        break;
      }
      case OP_STORE: {
        const imm = immS(w);
        const v = use(rs2);
        body.push(`a = (${use(rs1)} + ${imm}) | 0; p = W[a >>> 22][(a >>> 12) & 1023];`);
        const slow = (size: number): string =>
          `else { t = m.guestStore(a >>> 0, ${size}, ${v}); if (t !== 0) { if (t === 1) ${fault(i, ipc, FC_STORE, "m.faultAddr")} done += ${i + 1}; npc = ${hex(ipc + len)}; break L; } }`;
        switch (f3) {
          case 0:
            body.push(`if (p !== null) p.data[a & 4095] = ${v}; ${slow(1)}`);
            break;
          case 1:
            body.push(`if (p !== null && (a & 1) === 0) p.i16[(a & 4095) >> 1] = ${v}; ${slow(2)}`);
            break;
          default:
            body.push(`if (p !== null && (a & 3) === 0) p.i32[(a & 4095) >> 2] = ${v}; ${slow(4)}`);
            break;
        }
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
        body.push(`${def(rd)} = ${e};`);
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
        body.push(`${def(rd)} = ${e};`);
        break;
      }
      case OP_MISC_MEM:
        break; // fence
    }
    const lastOp = op;
    if (last && lastOp !== OP_JALR && lastOp !== OP_JAL) body.push(jumpTo(i + 1, endPc >>> 0));
  }
  const regsUsed = [...used].sort((a, b) => a - b);
  const regsWritten = [...written].sort((a, b) => a - b);
  const code = [
    `"use strict";`,
    `return function block_${hex(start)}(c, r, k, R, W, m) {`,
    regsUsed.length ? `let ${regsUsed.map((n) => `x${n} = r[${n}]`).join(", ")};` : "",
    `let done = 0, npc = 0, st = 0, a = 0, t = 0, p = null;`,
    `L: for (;;) {`,
    ...body,
    `}`,
    ...regsWritten.map((n) => `r[${n}] = x${n};`),
    `c.pc = npc; c.instret += done; return st;`,
    `};`,
  ].join("\n");
  return { code, max };
}
