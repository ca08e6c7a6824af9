// Assembly for the trap routes — direct, renumbered, translated, message — generated from one
// slot's realisation. Nothing here knows any particular call or structure: operands, numbers and
// copy plans all come from the generated tables.
import { errno } from "../../generated/index.ts";
import type { FieldCopy, Operand, SlotRealisation, TranslationPlan } from "../../gen/types.ts";
import { LayerError, type PairContext } from "./context.ts";

/**
 * Negated error numbers: any a0 in [-4095, -1], i.e. a0 > -4096 compared unsigned (-4096 is one
 * `lui`). In a slot, __err is within branch range.
 */
export const ERR_CHECK_SHORT = (reg = "t0") => [`li ${reg}, -4096`, `bltu ${reg}, a0, __err`];

let okLabels = 0;
/** The same check from a routine, which may be further from __err than a branch reaches. */
export const ERR_CHECK = (reg = "t0") => {
  const ok = `__ok_${okLabels++}`;
  return [`li ${reg}, -4096`, `bgeu ${reg}, a0, ${ok}`, "j __err", `${ok}:`];
};

const { EOVERFLOW } = errno;

/** True when the kernel call takes exactly the slot's arguments in order: no moves needed. */
export function isIdentity(args: readonly Operand[], translate: readonly TranslationPlan[]): boolean {
  return translate.length === 0 && args.every((a, i) => a.kind === "arg" && a.index === i);
}

/** Load the kernel call's arguments into a0..a5 from the slot's (saved in t0..t5 first). */
export function loadOperands(ctx: PairContext, r: SlotRealisation, strings: (s: string) => string): string[] {
  const out: string[] = [];
  // Without a translated argument the operands are a parallel move: sequence it so that no register
  // is overwritten before it is read (moves first, constants last) and nothing is copied twice;
  // only a cycle needs the t-register copies below. A call then costs the raw inline sequence plus
  // the jal, the jump to the routine and the ret.
  if (r.translate.length === 0) {
    const moves = r.args.flatMap((a, j) => (a.kind === "arg" && a.index !== j ? [{ dst: j, src: a.index }] : []));
    const seq: string[] = [];
    while (moves.length > 0) {
      const i = moves.findIndex((m) => !moves.some((o) => o.src === m.dst));
      if (i < 0) break;
      const [m] = moves.splice(i, 1);
      seq.push(`mv a${m!.dst}, a${m!.src}`);
    }
    if (moves.length === 0) {
      r.args.forEach((a, j) => {
        if (a.kind === "int") seq.push(`li a${j}, ${a.value}`);
        else if (a.kind !== "arg") seq.push(`la a${j}, ${strings(a.value)}`);
      });
      return seq;
    }
  }
  const used = new Set(r.args.flatMap((a) => (a.kind === "arg" ? [a.index] : [])));
  for (const t of r.translate) used.add(t.argIndex);
  for (const i of [...used].sort()) {
    if (i < 0 || i > 5) throw new LayerError(`${r.id}: operand index ${i} out of range (${r.by})`);
    out.push(`mv t${i}, a${i}`);
  }
  r.args.forEach((a, j) => {
    const translated = r.translate.find((t) => a.kind === "arg" && t.argIndex === a.index);
    if (translated && legacy(r)) {
      out.push(`lw a${j}, ${ctx.tls.layer}(tp)`, `addi a${j}, a${j}, ${ctx.lp.scratch}`);
    } else if (translated) {
      // The kernel gets the scratch copy; a null pointer stays null (nanosleep's rem).
      out.push(`mv a${j}, t${translated.argIndex}`, `beqz a${j}, 1f`, `lw a${j}, ${ctx.tls.layer}(tp)`, `addi a${j}, a${j}, ${ctx.lp.scratch + translated.scratchOffset}`, "1:");
    } else if (a.kind === "arg") out.push(`mv a${j}, t${a.index}`);
    else if (a.kind === "int") out.push(`li a${j}, ${a.value}`);
    else out.push(`la a${j}, ${strings(a.value)}`);
  });
  return out;
}

const LOAD: Record<string, string> = { u8: "lbu", i8: "lb", u16: "lhu", i16: "lh", u32: "lw", i32: "lw", ptr: "lw" };
const STORE: Record<string, string> = { u8: "sb", i8: "sb", u16: "sh", i16: "sh", u32: "sw", i32: "sw", ptr: "sw" };
const WIDTH: Record<string, number> = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, ptr: 4, u64: 8, i64: 8 };
const signed = (t: string) => t.startsWith("i");

/**
 * Copy one scalar from scratch (t5) into the program's structure (t6), widening or narrowing.
 * A narrowed value that does not fit fails the call with EOVERFLOW, as Linux's stat does.
 */
function copyField(c: FieldCopy, label: string): string[] {
  const fw = WIDTH[c.fromType]!;
  const tw = WIDTH[c.toType]!;
  const out: string[] = [`# ${c.field}: ${c.fromType} @${c.fromOffset} -> ${c.toType} @${c.toOffset}`];
  // Low word (or the whole value) into t1, high word into t2.
  if (fw === 8) out.push(`lw t1, ${c.fromOffset}(t5)`, `lw t2, ${c.fromOffset + 4}(t5)`);
  else out.push(`${LOAD[c.fromType]} t1, ${c.fromOffset}(t5)`, signed(c.fromType) ? "srai t2, t1, 31" : "li t2, 0");
  if (tw === 8) {
    out.push(`sw t1, ${c.toOffset}(t6)`, `sw t2, ${c.toOffset + 4}(t6)`);
    return out;
  }
  // Narrowing: the high word must be the sign (signed target) or zero (unsigned target) extension,
  // and for a signed source into an unsigned target the value must not be negative.
  if (fw === 8 || (fw === tw && signed(c.fromType) !== signed(c.toType))) {
    if (signed(c.toType)) {
      out.push("srai t3, t1, 31", `bne t2, t3, ${label}`);
      if (!signed(c.fromType)) out.push(`bltz t1, ${label}`);
    } else {
      out.push(`bnez t2, ${label}`);
      if (fw === 4 && signed(c.fromType)) out.push(`bltz t1, ${label}`);
    }
  }
  if (tw < 4) {
    const bits = 32 - tw * 8;
    out.push(signed(c.toType) ? `slli t3, t1, ${bits}` : `slli t3, t1, ${bits}`, signed(c.toType) ? `srai t3, t3, ${bits}` : `srli t3, t3, ${bits}`, `bne t3, t1, ${label}`);
  }
  out.push(`${STORE[c.toType]} t1, ${c.toOffset}(t6)`);
  return out;
}

/** After a successful call: scratch → the program's structure (saved pointer in t6). */
export function translation(ctx: PairContext, plan: TranslationPlan, label: string): string[] {
  checkScratch(ctx, plan);
  const overflow = `${label}_overflow`;
  const out = [`lw t5, ${ctx.tls.layer}(tp)`, `addi t5, t5, ${ctx.lp.scratch + plan.scratchOffset}`];
  for (const c of plan.copies) out.push(...copyField(c, overflow));
  for (const z of plan.zero) for (let o = 0; o < z.size; o += z.size >= 4 ? 4 : 1) out.push(`${z.size >= 4 ? "sw" : "sb"} zero, ${z.offset + o}(t6)`);
  return out;
}

function checkScratch(ctx: PairContext, plan: TranslationPlan): void {
  const room = ctx.lp.SIZE! - ctx.lp.scratch!;
  if (plan.scratchOffset + plan.fromSize > room) throw new LayerError(`${ctx.kernel}.${plan.from} at scratch offset ${plan.scratchOffset} (${plan.fromSize} bytes) does not fit the layer's ${room}-byte scratch`);
}

/**
 * Before the call: the program's structure (t6) → its kernel copy in scratch. The kernel copy is
 * zeroed first, so kernel fields with no program source are 0; a value that does not fit the
 * kernel's narrower field fails the call with EOVERFLOW before anything is trapped.
 */
export function inputTranslation(ctx: PairContext, plan: TranslationPlan, label: string): string[] {
  checkScratch(ctx, plan);
  const out = [`lw t5, ${ctx.tls.layer}(tp)`, `addi t5, t5, ${ctx.lp.scratch + plan.scratchOffset}`];
  for (let o = 0; o < plan.fromSize; o += 4) out.push(`sw zero, ${o}(t5)`);
  // copyField copies t5 → t6; swap the roles: source = the program's structure.
  out.push("mv t4, t5", "mv t5, t6", "mv t6, t4");
  for (const c of plan.copies) out.push(...copyField({ field: c.field, fromOffset: c.toOffset, fromType: c.toType, toOffset: c.fromOffset, toType: c.fromType }, `${label}_overflow`));
  return out;
}

/**
 * The old shape, kept byte for byte: one structure copied out after the call, the program's
 * pointer kept in t6 across it.
 */
function legacy(r: SlotRealisation): boolean {
  return r.translate.length === 1 && r.translate[0]!.direction === "out" && r.translate[0]!.scratchOffset === 0;
}

/**
 * A call with any number of translated arguments in any direction. Every translated argument's
 * program pointer is kept on the stack across the call; `call` is the trap (or message) sequence,
 * given the error exit it must take (which pops that stack first).
 */
function translatedCall(ctx: PairContext, r: SlotRealisation, label: string, strings: (s: string) => string, call: (errExit: string) => string[]): string[] {
  const frame = Math.ceil((4 * r.translate.length) / 16) * 16;
  const err = `${label}_err`;
  const out = loadOperands(ctx, r, strings);
  out.push(`addi sp, sp, -${frame}`);
  r.translate.forEach((t, i) => out.push(`sw t${t.argIndex}, ${4 * i}(sp)`));
  r.translate.forEach((t, i) => {
    if (t.direction === "out") return;
    out.push(`lw t6, ${4 * i}(sp)`, `beqz t6, ${label}_in${i}`, ...inputTranslation(ctx, t, label), `${label}_in${i}:`);
  });
  out.push(...call(err));
  r.translate.forEach((t, i) => {
    if (t.direction === "in") return;
    out.push(`lw t6, ${4 * i}(sp)`, `beqz t6, ${label}_out${i}`, ...translation(ctx, t, label), `${label}_out${i}:`);
  });
  out.push(`addi sp, sp, ${frame}`, "ret");
  out.push(`${label}_overflow:`, `li a0, -${EOVERFLOW}`, `${err}:`, `addi sp, sp, ${frame}`, "j __err");
  return out;
}

/** The error check of a translated call: a negated error number leaves through `errExit`. */
const errTo = (errExit: string, reg: string) => {
  const ok = `__ok_${okLabels++}`;
  return [`li ${reg}, -4096`, `bgeu ${reg}, a0, ${ok}`, `j ${errExit}`, `${ok}:`];
};

/** Routine body of a trap route that cannot stay inside its slot. */
export function trapRoutine(ctx: PairContext, r: SlotRealisation, label: string, strings: (s: string) => string): string[] {
  if (r.nr === null) throw new LayerError(`${r.id}: a ${r.route} route needs a kernel call number (${r.by})`);
  if (r.translate.length > 0 && !legacy(r)) return translatedCall(ctx, r, label, strings, (errExit) => [`li a7, ${r.nr}`, "ecall", ...errTo(errExit, "t1")]);
  const plan = r.translate[0];
  const out = loadOperands(ctx, r, strings);
  if (plan) out.push(`mv t6, t${plan.argIndex}`);
  out.push(`li a7, ${r.nr}`, "ecall", ...ERR_CHECK());
  if (plan) out.push(...translation(ctx, plan, label), "li a0, 0", "ret", `${label}_overflow:`, `li a0, -${EOVERFLOW}`, "j __err");
  else out.push("ret");
  return out;
}

/** A message route: one submission entry, one ring_enter, one completion. */
export function messageRoutine(ctx: PairContext, r: SlotRealisation, label: string, strings: (s: string) => string): string[] {
  if (r.opcode === null) throw new LayerError(`${r.id}: a message route needs an opcode (${r.by})`);
  const plan = r.translate[0];
  const sq = (f: string) => ctx.field("ring", f);
  const sqe = (f: string) => ctx.field("sqe", f);
  const cqe = (f: string) => ctx.field("cqe", f);
  const sqeSize = ctx.struct("sqe").size;
  const cqeSize = ctx.struct("cqe").size;
  if ((sqeSize & (sqeSize - 1)) !== 0 || (cqeSize & (cqeSize - 1)) !== 0) throw new LayerError("ring entries must be a power of two in size");
  const exchange = (check: (reg: string) => string[]) => [
    `lw t0, ${ctx.tls.layer}(tp)`,
    `lw t0, ${ctx.lp.ring}(t0)`,
    `lw t1, ${sq("sq_tail")}(t0)`,
    `lw t2, ${sq("sq_entries")}(t0)`,
    "addi t2, t2, -1",
    "and t2, t1, t2",
    `slli t2, t2, ${Math.log2(sqeSize)}`,
    `lw t3, ${sq("sq_offset")}(t0)`,
    "add t3, t3, t0",
    "add t3, t3, t2",
    `li t4, ${r.opcode}`,
    `sh t4, ${sqe("opcode")}(t3)`,
    `sh zero, ${sqe("flags")}(t3)`,
    `sw zero, ${sqe("user_data")}(t3)`,
    ...r.args.map((_, j) => `sw a${j}, ${sqe("args") + 4 * j}(t3)`),
    "addi t1, t1, 1",
    `sw t1, ${sq("sq_tail")}(t0)`,
    "li a0, 1",
    "li a1, 1",
    `li a7, ${ctx.nr("ring_enter")}`,
    "ecall",
    ...check("t1"),
    `lw t1, ${sq("cq_head")}(t0)`,
    `lw t2, ${sq("cq_entries")}(t0)`,
    "addi t2, t2, -1",
    "and t2, t1, t2",
    `slli t2, t2, ${Math.log2(cqeSize)}`,
    `lw t3, ${sq("cq_offset")}(t0)`,
    "add t3, t3, t0",
    "add t3, t3, t2",
    `lw a0, ${cqe("result")}(t3)`,
    "addi t1, t1, 1",
    `sw t1, ${sq("cq_head")}(t0)`,
    ...check("t1"),
  ];
  if (r.translate.length > 0 && !legacy(r)) return translatedCall(ctx, r, label, strings, (errExit) => exchange((reg) => errTo(errExit, reg)));
  const out = loadOperands(ctx, r, strings);
  if (plan) out.push(`mv t6, t${plan.argIndex}`);
  out.push(...exchange(ERR_CHECK));
  if (plan) out.push(...translation(ctx, plan, label), "li a0, 0", "ret", `${label}_overflow:`, `li a0, -${EOVERFLOW}`, "j __err");
  else out.push("ret");
  return out;
}
