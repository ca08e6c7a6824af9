// One RV32IMAC + Zicntr user-mode hart.
//
// Execution model
// - `run(budget)` executes until a trap (ecall, ebreak, fault) or until exactly `budget` more
//   instructions have retired. `instret` is exact at every exit.
// - Trap instructions (ecall, ebreak, c.ebreak) retire: instret counts them and `pc` is left AT
//   them; the kernel advances pc by 4 after an ecall (ecall has no compressed form).
// - C extension (impl/cpu/rvc.ts): instructions are 2 or 4 bytes, 2-byte aligned; a compressed
//   instruction runs as its 32-bit expansion with a length of 2 (links and fall-through at pc+2).
//   Jump and branch targets are always 2-byte aligned (immediates are even, jalr clears bit 0), so
//   a misaligned fetch only happens when pc itself is set odd (e.g. by a signal handler address).
//   A 32-bit instruction may straddle two pages: both must be executable (the fault address is
//   the first byte of the page that is not). A faulting instruction does not retire: pc is at it, registers and
//   memory are unchanged by it.
// - Hot code runs as JavaScript compiled per region of a page (impl/cpu/jit.ts); everything else
//   (CSRs, atomics, ecall/ebreak, fence.i, budget tails) goes through the interpreter `step()`.
//
// Self-modifying code guarantee: a store by this hart that modifies a page holding cached code
// takes effect from the very next instruction this hart executes, with or without fence.i (the
// compiled region exits right after the store). A store by another hart sharing the Memory (or
// by the kernel) takes effect when a hart already running that code next leaves its compiled
// region, at latest at the end of its current `run()` call (harts run one at a time, so in
// practice: from its next time slice).
// fence.i flushes the whole code cache of the Memory.
//
// Counters: cycle == instret (deterministic). time comes from `timeSource` (default: instret/10,
// i.e. a notional 10 instructions per tick). The value read is the count before the reading
// instruction retires. Writing any counter, or touching any other CSR, is an illegal instruction.
//
// Atomics: LR.W reserves the word (one reservation per hart); SC.W succeeds only while the
// reservation is valid. Any store to the reserved word by any hart sharing the Memory (or a
// kernel-side write) and `clearReservation()` invalidate it. LR/SC/AMO on a misaligned address
// fault (LR: cause "load", SC/AMO: cause "store"). AMOs need a readable and writable word and
// fault as "store".

import { Memory } from "./memory.ts";
import {
  AMO_ADD,
  AMO_AND,
  AMO_LR,
  AMO_MAX,
  AMO_MAXU,
  AMO_MIN,
  AMO_MINU,
  AMO_OR,
  AMO_SC,
  AMO_SWAP,
  AMO_XOR,
  OP_AMO,
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
  OP_SYSTEM,
  f3Of,
  f7Of,
  immB,
  immI,
  immJ,
  immS,
  immU,
  rdOf,
  rs1Of,
  rs2Of,
} from "./decode.ts";
import { compileBlock, insideRegion, INTERP_BLOCK, mulh, mulhsu, mulhu } from "./jit.ts";
import { expandC } from "./rvc.ts";

export type FaultCause = "fetch" | "load" | "store" | "illegal" | "misaligned-fetch";

export type CpuExit =
  | { readonly kind: "ecall" }
  | { readonly kind: "ebreak" }
  | { readonly kind: "budget" }
  /** `pc` is at the first instruction of the watched range, reached from outside it; not executed. */
  | { readonly kind: "watch" }
  | { readonly kind: "fault"; readonly cause: FaultCause; readonly addr: number; readonly pc: number };

/** A half-open range [lo, hi) of unsigned addresses; see `Cpu.watch`. */
export interface WatchRange {
  readonly lo: number;
  readonly hi: number;
}

/** Fault cause codes used between the compiled code and the CPU. */
export const FC_FETCH = 1;
export const FC_LOAD = 2;
export const FC_STORE = 3;
export const FC_ILLEGAL = 4;
export const FC_MISALIGNED_FETCH = 5;
const CAUSES: FaultCause[] = ["fetch", "fetch", "load", "store", "illegal", "misaligned-fetch"];

const ECALL: CpuExit = Object.freeze({ kind: "ecall" });
const EBREAK: CpuExit = Object.freeze({ kind: "ebreak" });
const BUDGET: CpuExit = Object.freeze({ kind: "budget" });
const WATCH: CpuExit = Object.freeze({ kind: "watch" });

export interface CpuOptions {
  /** Disable the block compiler (interpret everything); for testing and comparison. */
  readonly jit?: boolean;
}

export class Cpu {
  /** x0..x31; x0 is always 0. */
  readonly regs = new Int32Array(32);
  /** Program counter (unsigned 32-bit number). */
  pc = 0;
  /** Exact count of retired instructions. */
  instret = 0;
  /** Source of the `time` CSR (64-bit). Default: floor(instret / 10). */
  timeSource: () => bigint;
  readonly mem: Memory;
  readonly jit: boolean;
  /** Fault cause code / address set by compiled code (internal). */
  fc = 0;
  fa = 0;
  /**
   * Entry watch (for tracers). When set, `run()` returns `{ kind: "watch" }` with `pc` AT the first
   * instruction of [lo, hi) about to execute after arriving from outside the range (jump, call,
   * branch, return or fall-through), without executing it; `instret` is exact. Resuming executes
   * that instruction (it is not reported twice); the range may be changed between runs. Arrival is
   * judged from the last instruction this hart executed while a watch was set (none at first, so a
   * fresh Cpu whose pc is already in the range reports at once). Compiled traces never run into a
   * watched range: code on pages that intersect it is interpreted one instruction at a time, which
   * is exact; other pages run compiled (a trace never leaves its page). Null (the default) costs one
   * test per `run()` call.
   */
  watch: WatchRange | null = null;
  /** pc of the last instruction executed while a watch was set (-1: none). */
  private watchPrev = -1;

  constructor(mem: Memory, opts: CpuOptions = {}) {
    this.mem = mem;
    this.jit = opts.jit ?? true;
    this.timeSource = () => BigInt(Math.floor(this.instret / 10));
  }

  /** Drop this hart's LR reservation (the kernel calls it on a context switch). */
  clearReservation(): void {
    this.mem.clearReservation(this);
  }

  /** Run until a trap or until `budget` more instructions have retired. Never throws for guest input. */
  run(budget: number): CpuExit {
    const end = this.instret + Math.max(0, Math.floor(budget));
    const w = this.watch;
    if (w !== null) return this.runWatched(end, Math.max(0, w.lo), Math.min(0x100000000, w.hi));
    const m = this.mem;
    const R = m.R;
    const W = m.W;
    const X = m.X;
    const r = this.regs;
    const jit = this.jit;
    // resuming: this call starts (or the interpreter just ran) at a point a region may cover mid-block
    let resuming = true;
    for (;;) {
      const left = end - this.instret;
      if (left <= 0) return BUDGET;
      const pc = this.pc;
      if (jit) {
        if ((pc & 1) !== 0) return this.fault(FC_MISALIGNED_FETCH, pc);
        const pg = X[pc >>> 22]![(pc >>> 12) & 1023];
        if (!pg) return this.fault(FC_FETCH, pc); // null (unmapped) or out of the table
        let b = pg.blocks !== null ? pg.blocks[(pc & 4095) >> 1] : undefined;
        if (b === undefined) b = resuming && insideRegion(pg, pc) ? INTERP_BLOCK : compileBlock(m, pg, pc);
        if (b.fn !== null && b.max <= left) {
          resuming = false;
          if (b.fn(this, r, left, R, W, m, b.entry) !== 0) return this.fault(this.fc, this.fa);
          continue;
        }
      }
      resuming = true;
      const e = this.step();
      if (e !== null) return e;
    }
  }

  /** `run()` with a watch set: the same, plus the entry check before every block or instruction. */
  private runWatched(end: number, lo: number, hi: number): CpuExit {
    const m = this.mem;
    const R = m.R;
    const W = m.W;
    const X = m.X;
    const r = this.regs;
    const jit = this.jit;
    for (;;) {
      const left = end - this.instret;
      if (left <= 0) return BUDGET;
      const pc = this.pc >>> 0;
      if (pc >= lo && pc < hi) {
        const prev = this.watchPrev;
        if (!(prev >= lo && prev < hi)) {
          this.watchPrev = pc; // resuming executes this instruction without reporting it again
          return WATCH;
        }
      }
      const pageLo = (pc & ~4095) >>> 0;
      if (jit && (pageLo >= hi || pageLo + 4096 <= lo)) {
        // A trace stays inside its page, and this page holds no watched address.
        if ((pc & 1) !== 0) return this.fault(FC_MISALIGNED_FETCH, pc);
        const pg = X[pc >>> 22]![(pc >>> 12) & 1023];
        if (!pg) return this.fault(FC_FETCH, pc); // null (unmapped) or out of the table
        let b = pg.blocks !== null ? pg.blocks[(pc & 4095) >> 1] : undefined;
        if (b === undefined) b = compileBlock(m, pg, pc);
        if (b.fn !== null && b.max <= left) {
          this.watchPrev = pc;
          if (b.fn(this, r, left, R, W, m, b.entry) !== 0) return this.fault(this.fc, this.fa);
          continue;
        }
      }
      this.watchPrev = pc;
      const e = this.step();
      if (e !== null) return e;
    }
  }

  private fault(code: number, addr: number): CpuExit {
    return { kind: "fault", cause: CAUSES[code]!, addr: addr >>> 0, pc: this.pc >>> 0 };
  }

  private load(addr: number, size: number): number {
    return this.mem.guestLoad(addr >>> 0, size);
  }

  /** Execute exactly one instruction with the interpreter. Returns a trap/fault exit, or null. */
  step(): CpuExit | null {
    const pc = this.pc >>> 0;
    const r = this.regs;
    const m = this.mem;
    if ((pc & 1) !== 0) return this.fault(FC_MISALIGNED_FETCH, pc);
    const lo = m.fetchHalf(pc);
    if (lo < 0) return this.fault(FC_FETCH, pc);
    let w: number;
    let npc: number;
    if ((lo & 3) !== 3) {
      w = expandC(lo) | 0; // 0 (illegal) when reserved
      npc = (pc + 2) >>> 0;
    } else {
      const hi = m.fetchHalf((pc + 2) >>> 0);
      if (hi < 0) return this.fault(FC_FETCH, (pc + 2) >>> 0);
      w = lo | (hi << 16);
      npc = (pc + 4) >>> 0;
    }
    const rd = rdOf(w);
    const rs1 = rs1Of(w);
    const rs2 = rs2Of(w);
    const f3 = f3Of(w);
    const f7 = f7Of(w);
    const a = r[rs1]!;
    const b = r[rs2]!;
    let v = 0;
    switch (w & 0x7f) {
      case OP_LUI:
        v = immU(w);
        break;
      case OP_AUIPC:
        v = (pc + immU(w)) | 0;
        break;
      case OP_JAL: {
        const t = (pc + immJ(w)) >>> 0; // even: never misaligned with C
        v = npc | 0;
        npc = t;
        break;
      }
      case OP_JALR: {
        if (f3 !== 0) return this.fault(FC_ILLEGAL, pc);
        const t = ((a + immI(w)) & ~1) >>> 0;
        v = npc | 0;
        npc = t;
        break;
      }
      case OP_BRANCH: {
        let take: boolean;
        switch (f3) {
          case 0: take = a === b; break;
          case 1: take = a !== b; break;
          case 4: take = a < b; break;
          case 5: take = a >= b; break;
          case 6: take = a >>> 0 < b >>> 0; break;
          case 7: take = a >>> 0 >= b >>> 0; break;
          default: return this.fault(FC_ILLEGAL, pc);
        }
        if (take) npc = (pc + immB(w)) >>> 0;
        this.pc = npc;
        this.instret++;
        return null;
      }
      case OP_LOAD: {
        const ad = (a + immI(w)) >>> 0;
        let size: number;
        switch (f3) {
          case 0: case 4: size = 1; break;
          case 1: case 5: size = 2; break;
          case 2: size = 4; break;
          default: return this.fault(FC_ILLEGAL, pc);
        }
        const x = this.load(ad, size);
        if (m.faulted) return this.fault(FC_LOAD, m.faultAddr);
        switch (f3) {
          case 0: v = (x << 24) >> 24; break;
          case 1: v = (x << 16) >> 16; break;
          default: v = x | 0;
        }
        break;
      }
      case OP_STORE: {
        if (f3 > 2) return this.fault(FC_ILLEGAL, pc);
        const ad = (a + immS(w)) >>> 0;
        if (m.guestStore(ad, 1 << f3, b) === 1) return this.fault(FC_STORE, m.faultAddr);
        this.pc = npc;
        this.instret++;
        return null;
      }
      case OP_IMM: {
        const imm = immI(w);
        switch (f3) {
          case 0: v = (a + imm) | 0; break;
          case 1:
            if (f7 !== 0) return this.fault(FC_ILLEGAL, pc);
            v = a << rs2;
            break;
          case 2: v = a < imm ? 1 : 0; break;
          case 3: v = a >>> 0 < imm >>> 0 ? 1 : 0; break;
          case 4: v = a ^ imm; break;
          case 5:
            if (f7 === 0) v = (a >>> rs2) | 0;
            else if (f7 === 0x20) v = a >> rs2;
            else return this.fault(FC_ILLEGAL, pc);
            break;
          case 6: v = a | imm; break;
          default: v = a & imm; break;
        }
        break;
      }
      case OP_OP: {
        if (f7 === 0) {
          switch (f3) {
            case 0: v = (a + b) | 0; break;
            case 1: v = a << b; break;
            case 2: v = a < b ? 1 : 0; break;
            case 3: v = a >>> 0 < b >>> 0 ? 1 : 0; break;
            case 4: v = a ^ b; break;
            case 5: v = (a >>> b) | 0; break;
            case 6: v = a | b; break;
            default: v = a & b; break;
          }
        } else if (f7 === 0x20 && f3 === 0) v = (a - b) | 0;
        else if (f7 === 0x20 && f3 === 5) v = a >> b;
        else if (f7 === 1) {
          switch (f3) {
            case 0: v = Math.imul(a, b); break;
            case 1: v = mulh(a, b); break;
            case 2: v = mulhsu(a, b); break;
            case 3: v = mulhu(a, b); break;
            case 4: v = b === 0 ? -1 : a === -2147483648 && b === -1 ? a : (a / b) | 0; break;
            case 5: v = b === 0 ? -1 : ((a >>> 0) / (b >>> 0)) | 0; break;
            case 6: v = b === 0 ? a : a === -2147483648 && b === -1 ? 0 : (a % b) | 0; break;
            default: v = b === 0 ? a : ((a >>> 0) % (b >>> 0)) | 0; break;
          }
        } else return this.fault(FC_ILLEGAL, pc);
        break;
      }
      case OP_MISC_MEM:
        if (f3 === 0) {
          // fence: nothing to order in a single-threaded host
        } else if (f3 === 1) {
          m.flushCode();
        } else return this.fault(FC_ILLEGAL, pc);
        this.pc = npc;
        this.instret++;
        return null;
      case OP_SYSTEM:
        if (f3 === 0) {
          if ((w >>> 0) === 0x00000073) {
            this.instret++;
            return ECALL;
          }
          if ((w >>> 0) === 0x00100073) {
            this.instret++;
            return EBREAK;
          }
          return this.fault(FC_ILLEGAL, pc);
        } else {
          if (f3 === 4) return this.fault(FC_ILLEGAL, pc);
          const csr = w >>> 20;
          const writes = f3 === 1 || f3 === 5 || rs1 !== 0;
          if (writes) return this.fault(FC_ILLEGAL, pc);
          const x = this.readCounter(csr);
          if (x === null) return this.fault(FC_ILLEGAL, pc);
          v = x;
        }
        break;
      case OP_AMO: {
        if (f3 !== 2) return this.fault(FC_ILLEGAL, pc);
        const f5 = w >>> 27;
        const ad = a >>> 0;
        if (f5 === AMO_LR) {
          if (rs2 !== 0) return this.fault(FC_ILLEGAL, pc);
          if ((ad & 3) !== 0) return this.fault(FC_LOAD, ad);
          const x = this.load(ad, 4);
          if (m.faulted) return this.fault(FC_LOAD, m.faultAddr);
          m.reserve(this, ad);
          v = x | 0;
        } else if (f5 === AMO_SC) {
          if ((ad & 3) !== 0) return this.fault(FC_STORE, ad);
          if (m.hasReservation(this, ad)) {
            if (m.guestStore(ad, 4, b) === 1) return this.fault(FC_STORE, m.faultAddr);
            m.clearReservation(this);
            v = 0;
          } else {
            m.clearReservation(this);
            v = 1;
          }
        } else {
          if ((ad & 3) !== 0) return this.fault(FC_STORE, ad);
          const x = this.load(ad, 4) | 0;
          if (m.faulted) return this.fault(FC_STORE, m.faultAddr);
          let nv: number;
          switch (f5) {
            case AMO_SWAP: nv = b; break;
            case AMO_ADD: nv = (x + b) | 0; break;
            case AMO_XOR: nv = x ^ b; break;
            case AMO_AND: nv = x & b; break;
            case AMO_OR: nv = x | b; break;
            case AMO_MIN: nv = x < b ? x : b; break;
            case AMO_MAX: nv = x > b ? x : b; break;
            case AMO_MINU: nv = x >>> 0 < b >>> 0 ? x : b; break;
            case AMO_MAXU: nv = x >>> 0 > b >>> 0 ? x : b; break;
            default: return this.fault(FC_ILLEGAL, pc);
          }
          if (m.guestStore(ad, 4, nv) === 1) return this.fault(FC_STORE, m.faultAddr);
          v = x;
        }
        break;
      }
      default:
        return this.fault(FC_ILLEGAL, pc);
    }
    if (rd !== 0) r[rd] = v;
    this.pc = npc;
    this.instret++;
    return null;
  }

  /** Value of a Zicntr counter CSR, or null for any other CSR number. */
  private readCounter(csr: number): number | null {
    let x: bigint;
    switch (csr & 0x7f) {
      case 0:
      case 2:
        x = BigInt(this.instret);
        break;
      case 1:
        x = BigInt.asUintN(64, this.timeSource());
        break;
      default:
        return null;
    }
    if (csr >= 0xc00 && csr <= 0xc02) return Number(x & 0xffffffffn) | 0;
    if (csr >= 0xc80 && csr <= 0xc82) return Number((x >> 32n) & 0xffffffffn) | 0;
    return null;
  }
}

// re-exported for convenience
export { Memory } from "./memory.ts";
export { INTERP_BLOCK };
