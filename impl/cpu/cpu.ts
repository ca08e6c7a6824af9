// One RV32IMAC + Zicntr user-mode hart.
//
// Execution model
// - `run(budget)` executes until a trap (ecall, ebreak, fault) or until exactly `budget` more
//   instructions have retired. `instret` is exact at every exit.
// - Trap instructions (ecall, ebreak, c.ebreak) retire: instret counts them and `pc` is left AT
//   them; the kernel advances pc by 4 after an ecall (ecall has no compressed form).
// - C extension (impl/isa/rvc.ts): instructions are 2 or 4 bytes, 2-byte aligned; a compressed
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
import { decode } from "../isa/codec.ts";
import { immB, immI, immJ, immS, immU, rdOf, rs1Of, rs2Of } from "../isa/fields.ts";
import { expandC } from "../isa/rvc.ts";
import {
  CSR_BY_NUMBER,
  K_ALU,
  K_AMO,
  K_BRANCH,
  K_CSR,
  K_EBREAK,
  K_ECALL,
  K_FENCE,
  K_FENCE_I,
  K_JAL,
  K_JALR,
  K_LOAD,
  K_LR,
  K_SC,
  K_STORE,
  SRC_IMM,
  SRC_RS2,
  SRC_SHAMT,
} from "../isa/table.ts";
import { compileBlock, insideRegion, INTERP_BLOCK } from "./jit.ts";

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
/** Most instructions one compiled region call may retire: its budget stays a small integer (a V8 Smi). */
const MAX_SLICE = 0x40000000;

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
          if (b.fn(this, r, left < MAX_SLICE ? left : MAX_SLICE, R, W, m, b.entry) !== 0) return this.fault(this.fc, this.fa);
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
          if (b.fn(this, r, left < MAX_SLICE ? left : MAX_SLICE, R, W, m, b.entry) !== 0) return this.fault(this.fc, this.fa);
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
    // what the instruction does comes from its table entry (impl/isa/table.ts)
    const d = decode(w);
    if (d === undefined) return this.fault(FC_ILLEGAL, pc);
    const rd = rdOf(w);
    const a = r[rs1Of(w)]!;
    let v = 0;
    switch (d.kind) {
      case K_ALU: {
        const s = d.src;
        const b = s === SRC_RS2 ? r[rs2Of(w)]! : s === SRC_IMM ? immI(w) : s === SRC_SHAMT ? rs2Of(w) : immU(w);
        v = d.alu!(a, b, pc);
        break;
      }
      case K_BRANCH:
        if (d.cond!(a, r[rs2Of(w)]!)) npc = (pc + immB(w)) >>> 0;
        this.pc = npc;
        this.instret++;
        return null;
      case K_LOAD: {
        const size = d.size!;
        const x = this.load((a + immI(w)) >>> 0, size);
        if (m.faulted) return this.fault(FC_LOAD, m.faultAddr);
        v = !d.signed || size === 4 ? x | 0 : size === 1 ? (x << 24) >> 24 : (x << 16) >> 16;
        break;
      }
      case K_STORE:
        if (m.guestStore((a + immS(w)) >>> 0, d.size!, r[rs2Of(w)]!) === 1) return this.fault(FC_STORE, m.faultAddr);
        this.pc = npc;
        this.instret++;
        return null;
      case K_JAL:
        v = npc | 0;
        npc = (pc + immJ(w)) >>> 0; // even: never misaligned with C
        break;
      case K_JALR: {
        const t = ((a + immI(w)) & ~1) >>> 0;
        v = npc | 0;
        npc = t;
        break;
      }
      case K_FENCE:
        // nothing to order in a single-threaded host
        this.pc = npc;
        this.instret++;
        return null;
      case K_FENCE_I:
        m.flushCode();
        this.pc = npc;
        this.instret++;
        return null;
      case K_ECALL:
        this.instret++;
        return ECALL;
      case K_EBREAK:
        this.instret++;
        return EBREAK;
      case K_CSR: {
        // only the counters exist, read-only: any write is illegal
        if (d.csrAlwaysWrites || rs1Of(w) !== 0) return this.fault(FC_ILLEGAL, pc);
        const x = this.readCounter(w >>> 20);
        if (x === null) return this.fault(FC_ILLEGAL, pc);
        v = x;
        break;
      }
      case K_LR: {
        const ad = a >>> 0;
        if ((ad & 3) !== 0) return this.fault(FC_LOAD, ad);
        const x = this.load(ad, 4);
        if (m.faulted) return this.fault(FC_LOAD, m.faultAddr);
        m.reserve(this, ad);
        v = x | 0;
        break;
      }
      case K_SC: {
        const ad = a >>> 0;
        if ((ad & 3) !== 0) return this.fault(FC_STORE, ad);
        if (m.hasReservation(this, ad)) {
          if (m.guestStore(ad, 4, r[rs2Of(w)]!) === 1) return this.fault(FC_STORE, m.faultAddr);
          m.clearReservation(this);
          v = 0;
        } else {
          m.clearReservation(this);
          v = 1;
        }
        break;
      }
      case K_AMO: {
        const ad = a >>> 0;
        if ((ad & 3) !== 0) return this.fault(FC_STORE, ad);
        const x = this.load(ad, 4) | 0;
        if (m.faulted) return this.fault(FC_STORE, m.faultAddr);
        if (m.guestStore(ad, 4, d.alu!(x, r[rs2Of(w)]!, pc)) === 1) return this.fault(FC_STORE, m.faultAddr);
        v = x;
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
    const c = CSR_BY_NUMBER.get(csr);
    if (c === undefined || c.counter === undefined) return null;
    // cycle == instret: the count is the clock of this deterministic hart
    const x = c.counter === "time" ? BigInt.asUintN(64, this.timeSource()) : BigInt(this.instret);
    return Number(c.high ? (x >> 32n) & 0xffffffffn : x & 0xffffffffn) | 0;
  }
}

// re-exported for convenience
export { Memory } from "./memory.ts";
export { INTERP_BLOCK };
