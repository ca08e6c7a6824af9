// The assembler's instruction encoder: operands parsed by the syntax of the instruction table
// (impl/isa/table.ts: each entry's and each alias's operand list), encoded by the table; the
// compressed forms by the RVC table (impl/isa/rvc.ts). Only the macros that are more than one
// base instruction (li, la, call, tail, load/store of a symbol) are written out here.

import {
  ALIASES,
  type Fields,
  INSNS,
  type Insn,
  type Operand as SyntaxOperand,
  cForm,
  csrNumber,
  encode,
  encodeC,
  fenceSetValue,
  fits,
  insnByName,
  rangeText,
  regNumber,
} from "../isa/index.ts";
import type { Tok } from "./lexer.ts";
import { hi20, lo12 } from "./relocate.ts";
import type { AsmState, Operand } from "./state.ts";

type Modifier = "hi" | "lo" | "pcrel_hi" | "pcrel_lo";

/** An assembler form of a mnemonic: a table entry, or an alias of one with some fields fixed. */
interface Form {
  readonly insn: Insn;
  readonly syntax: readonly SyntaxOperand[];
  readonly fixed: Fields;
}

/** Every form by mnemonic: the entry itself first, then its aliases of the same name, then other aliases. */
const FORMS = new Map<string, Form[]>();
const addForm = (name: string, f: Form): void => {
  const l = FORMS.get(name);
  if (l === undefined) FORMS.set(name, [f]);
  else l.push(f);
};
for (const d of INSNS) addForm(d.name, { insn: d, syntax: d.syntax, fixed: {} });
for (const a of ALIASES) {
  if (a.disOnly) continue;
  const d = insnByName(a.base);
  if (d === undefined) throw new Error(`alias ${a.name}: unknown base ${a.base}`);
  addForm(a.name, { insn: d, syntax: a.syntax, fixed: a.fixed });
}

/** The word of the table entry `name` with these fields (for the macros). */
const enc = (name: string, f: Fields): number => encode(insnByName(name)!, f);

function reg(s: AsmState, op: Operand | undefined, what = "register"): number {
  if (!op) throw s.err(`missing ${what} operand`, 1);
  const t = op.toks;
  if (t.length !== 1 || t[0]!.kind !== "id") throw s.err(`expected a ${what}, got '${t.map((x) => x.text).join("")}'`, op.col);
  const r = regNumber(t[0]!.text);
  if (r === undefined) throw s.err(`unknown register '${t[0]!.text}'`, op.col);
  return r;
}

function isReg(s: AsmState, op: Operand | undefined): boolean {
  return !!op && op.toks.length === 1 && op.toks[0]!.kind === "id" && regNumber(op.toks[0]!.text) !== undefined;
}

/** Split `expr(reg)` / `(reg)`; returns offset tokens (maybe empty) and base register. */
function mem(s: AsmState, op: Operand | undefined): { off: Tok[]; base: number } | null {
  if (!op) throw s.err("missing memory operand", 1);
  const t = op.toks;
  const n = t.length;
  if (n >= 3 && t[n - 1]!.text === ")" && t[n - 3]!.text === "(" && t[n - 2]!.kind === "id") {
    const r = regNumber(t[n - 2]!.text);
    if (r === undefined) throw s.err(`unknown register '${t[n - 2]!.text}'`, t[n - 2]!.col);
    return { off: t.slice(0, n - 3), base: r };
  }
  return null;
}

/** Parse `%mod(expr)` operands. */
function modifier(s: AsmState, toks: Tok[]): { mod: Modifier; inner: Tok[] } | null {
  if (toks.length >= 3 && toks[0]!.kind === "id" && toks[0]!.text.startsWith("%")) {
    const name = toks[0]!.text.slice(1).toLowerCase();
    if (name !== "hi" && name !== "lo" && name !== "pcrel_hi" && name !== "pcrel_lo")
      throw s.err(`unknown operator %${name} (use %hi, %lo, %pcrel_hi, %pcrel_lo)`, toks[0]!.col);
    if (toks[1]!.text !== "(" || toks[toks.length - 1]!.text !== ")") throw s.err(`%${name} needs parentheses: %${name}(symbol)`, toks[0]!.col);
    return { mod: name as Modifier, inner: toks.slice(2, -1) };
  }
  return null;
}

/** A 12-bit I-type immediate (or %lo / %pcrel_lo) for the instruction about to be emitted; returns the value to encode now. */
function immI(s: AsmState, toks: Tok[], col: number, store = false): number {
  if (toks.length === 0) return 0;
  const m = modifier(s, toks);
  if (m) {
    if (m.mod === "lo") s.fixup(store ? "lo12_s" : "lo12_i", m.inner, col);
    else if (m.mod === "pcrel_lo") s.fixup(store ? "pcrel_lo12_s" : "pcrel_lo12_i", m.inner, col);
    else throw s.err(`%${m.mod} is not allowed in a 12-bit immediate (use %lo or %pcrel_lo)`, col);
    return 0;
  }
  const v = s.tryAbs(toks);
  if (v === null) {
    s.fixup(store ? "imm_s" : "imm_i", toks, col);
    return 0;
  }
  if (!fits("imm", "I", v)) throw s.err(`immediate ${v} out of range (${rangeText("imm", "I")})`, col);
  return v;
}

function immU(s: AsmState, toks: Tok[], col: number, auipc: boolean): number {
  const m = modifier(s, toks);
  if (m) {
    if (m.mod === "hi" && !auipc) s.fixup("hi20", m.inner, col);
    else if (m.mod === "pcrel_hi" && auipc) s.fixup("pcrel_hi20", m.inner, col);
    else throw s.err(`%${m.mod} is not allowed here (lui takes %hi, auipc takes %pcrel_hi)`, col);
    return 0;
  }
  const v = s.tryAbs(toks);
  if (v === null) {
    s.fixup("imm_u", toks, col);
    return 0;
  }
  if (!fits("imm", "U", v)) throw s.err(`immediate ${v} out of range for a 20-bit upper immediate (${rangeText("imm", "U")})`, col);
  return v;
}

function csr(s: AsmState, op: Operand | undefined): number {
  if (!op) throw s.err("missing CSR operand", 1);
  if (op.toks.length === 1 && op.toks[0]!.kind === "id") {
    const n = csrNumber(op.toks[0]!.text);
    if (n !== undefined) return n;
  }
  const v = s.tryAbs(op.toks);
  if (v === null || !fits("csr", "I", v)) throw s.err(`unknown CSR '${op.toks.map((t) => t.text).join("")}' (a name like cycle, or a number ${rangeText("csr", "I")})`, op.col);
  return v;
}

function uimm5(s: AsmState, op: Operand | undefined): number {
  if (!op) throw s.err("missing immediate operand", 1);
  const v = s.absNow(op.toks, "immediate");
  if (!fits("zimm", "I", v)) throw s.err(`immediate ${v} out of range (${rangeText("zimm", "I")})`, op.col);
  return v;
}

function shamt(s: AsmState, op: Operand | undefined): number {
  if (!op) throw s.err("missing shift amount", 1);
  const v = s.absNow(op.toks, "shift amount");
  if (!fits("shamt", "I", v)) throw s.err(`shift amount ${v} out of range (${rangeText("shamt", "I")})`, op.col);
  return v;
}


/** Does the operand have the shape this syntax operand needs (a register, `off(reg)`, or an expression)? */
function shapeFits(s: AsmState, o: SyntaxOperand, op: Operand): boolean {
  switch (o) {
    case "rd":
    case "rs1":
    case "rs2":
      return isReg(s, op);
    case "mem":
    case "addr":
      return mem(s, op) !== null;
    default:
      return !isReg(s, op);
  }
}

/** Assemble one instruction statement (mnemonic and operands) into the current section. */
export function instruction(s: AsmState, mn: string, ops: Operand[], col: number): void {
  const n = ops.length;
  const base = mn.toLowerCase();
  if (base.startsWith("c.")) {
    compressedInsn(s, mn, ops, col);
    return;
  }
  if (macro(s, mn, base, ops, col)) return;
  // atomics take an ordering suffix: .aq, .rl, .aqrl
  let name = base;
  let aq = 0;
  let rl = 0;
  const ord = /^(.*)\.(aq|rl|aqrl)$/.exec(base);
  if (!FORMS.has(base) && ord && insnByName(ord[1]!)?.ordering) {
    name = ord[1]!;
    aq = ord[2] === "rl" ? 0 : 1;
    rl = ord[2] === "aq" ? 0 : 1;
  }
  const forms = FORMS.get(name);
  if (forms === undefined) throw s.err(`unknown instruction '${mn}'`, col);
  const counted = forms.filter((f) => f.syntax.length === n);
  if (counted.length === 0) {
    const ks = [...new Set(forms.map((f) => f.syntax.length))].sort((a, b) => a - b);
    throw s.err(`${mn} takes ${ks.join(" or ")} operand${ks.length === 1 && ks[0] === 1 ? "" : "s"}, got ${n}`, col);
  }
  // the first form whose operand shapes fit; else the first with this many operands (for its error)
  const form = counted.find((f) => f.syntax.every((o, i) => shapeFits(s, o, ops[i]!))) ?? counted[0]!;
  const d = form.insn;
  const fields: Fields = { ...form.fixed };
  if (d.ordering) {
    fields.aq = aq;
    fields.rl = rl;
  }
  form.syntax.forEach((o, i) => operand(s, mn, d, o, ops[i]!, fields));
  s.emitInsn(encode(d, fields), col);
}

/** Parse one operand into its fields (a symbolic value becomes a fixup at this instruction). */
function operand(s: AsmState, mn: string, d: Insn, o: SyntaxOperand, op: Operand, f: Fields): void {
  switch (o) {
    case "rd":
    case "rs1":
    case "rs2":
      f[o] = reg(s, op);
      return;
    case "imm":
      f.imm = d.format === "U" ? immU(s, op.toks, op.col, d.pcrel === true) : immI(s, op.toks, op.col);
      return;
    case "shamt":
      f.shamt = shamt(s, op);
      return;
    case "zimm":
      f.zimm = uimm5(s, op);
      return;
    case "csr":
      f.csr = csr(s, op);
      return;
    case "pred":
    case "succ": {
      const v = op.toks.length === 1 ? fenceSetValue(op.toks[0]!.text) : null;
      if (v === null || v === 0) throw s.err(`fence: ${o === "pred" ? "predecessor" : "successor"} set must be letters from iorw`, op.col);
      f[o] = v;
      return;
    }
    case "mem": {
      const m = mem(s, op);
      if (!m) throw s.err(`${mn}: expected '${mn} ${d.syntax.join(", ").replace("mem", "offset(rs1)")}'`, op.col);
      f.imm = immI(s, m.off, op.col, d.format === "S");
      f.rs1 = m.base;
      return;
    }
    case "addr": {
      const m = mem(s, op);
      if (!m) throw s.err(`${mn}: address operand must be (reg)`, op.col);
      if (m.off.length && s.absNow(m.off, "offset") !== 0) throw s.err(`${mn}: offset must be 0`, op.col);
      f.rs1 = m.base;
      return;
    }
    case "target":
      s.fixup(d.format === "B" ? "branch" : "jal", op.toks, op.col);
      f.imm = 0;
      return;
  }
}

/**
 * The macros: pseudo-instructions that may be more than one instruction. Returns false when
 * `base` (with these operands) is not one.
 */
function macro(s: AsmState, mn: string, base: string, ops: Operand[], col: number): boolean {
  const n = ops.length;
  const want = (counts: number[]): void => {
    if (!counts.includes(n)) throw s.err(`${mn} takes ${counts.join(" or ")} operand${counts.length === 1 && counts[0] === 1 ? "" : "s"}, got ${n}`, col);
  };
  const d = insnByName(base);
  switch (base) {
    case "li":
      want([2]);
      li(s, reg(s, ops[0]), ops[1]!, col);
      return true;
    case "la":
    case "lla": {
      want([2]);
      const rd = reg(s, ops[0]);
      pcrelPair(s, rd, ops[1]!, (lbl) => {
        s.fixup("pcrel_lo12_i", lblToks(lbl, col), col);
        s.emitInsn(enc("addi", { rd, rs1: rd, imm: 0 }), col);
      }, col);
      return true;
    }
    case "call":
    case "tail": {
      want([1, 2]);
      const tmp = base === "call" ? (n === 2 ? reg(s, ops[0]) : 1) : 6;
      const link = base === "call" ? tmp : 0;
      const target = ops[n - 1]!;
      s.fixup("call", target.toks, target.col);
      s.emitInsn(enc("auipc", { rd: tmp, imm: 0 }), col);
      s.emitInsn(enc("jalr", { rd: link, rs1: tmp, imm: 0 }), col);
      return true;
    }
  }
  if (d !== undefined && d.syntax.length === 2 && d.syntax[1] === "mem") {
    if (d.format === "I" && d.name !== "jalr") {
      // lw rd, symbol  ->  auipc rd, %pcrel_hi(symbol); lw rd, %pcrel_lo(.L)(rd)
      if (n === 3) throw s.err(`${mn}: expected '${mn} rd, offset(rs1)'`, col);
      if (n !== 2 || mem(s, ops[1]) !== null) return false;
      const rd = reg(s, ops[0]);
      pcrelPair(s, rd, ops[1]!, (lbl) => {
        s.fixup("pcrel_lo12_i", lblToks(lbl, col), col);
        s.emitInsn(encode(d, { rd, rs1: rd, imm: 0 }), col);
      }, col);
      return true;
    }
    if (d.format === "S") {
      // sw rs2, symbol, rt  ->  auipc rt, %pcrel_hi(symbol); sw rs2, %pcrel_lo(.L)(rt)
      if (n === 2 && mem(s, ops[1]) === null) throw s.err(`${mn}: expected '${mn} rs2, offset(rs1)' or '${mn} rs2, symbol, rt'`, ops[1]!.col);
      if (n !== 3) return false;
      const rs2 = reg(s, ops[0]);
      const rt = reg(s, ops[2]);
      pcrelPair(s, rt, ops[1]!, (lbl) => {
        s.fixup("pcrel_lo12_s", lblToks(lbl, col), col);
        s.emitInsn(encode(d, { rs1: rt, rs2, imm: 0 }), col);
      }, col);
      return true;
    }
  }
  return false;
}

/** li: one addi when the value is known and fits 12 bits, else lui (+ addi). */
function li(s: AsmState, rd: number, op: Operand, col: number): void {
  const v = s.tryAbs(op.toks);
  if (v !== null) {
    if (v < -0x80000000 || v > 0xffffffff) throw s.err(`li value ${v} does not fit 32 bits`, op.col);
    const x = v | 0;
    if (fits("imm", "I", x)) {
      s.emitInsn(enc("addi", { rd, rs1: 0, imm: x }), col);
      return;
    }
    const lo = lo12(x);
    s.emitInsn(enc("lui", { rd, imm: hi20(x) }), col);
    if (lo !== 0) s.emitInsn(enc("addi", { rd, rs1: rd, imm: lo }), col);
    return;
  }
  s.fixup("hi20", op.toks, op.col);
  s.emitInsn(enc("lui", { rd, imm: 0 }), col);
  s.fixup("lo12_i", op.toks, op.col);
  s.emitInsn(enc("addi", { rd, rs1: rd, imm: 0 }), col);
}

/** auipc rd, %pcrel_hi(sym) followed by a second instruction using %pcrel_lo. */
function pcrelPair(s: AsmState, rd: number, sym: Operand, second: (lbl: string) => void, col: number): void {
  const lbl = s.genLabel();
  s.fixup("pcrel_hi20", sym.toks, sym.col);
  s.emitInsn(enc("auipc", { rd, imm: 0 }), col);
  second(lbl);
}

function lblToks(lbl: string, col: number): Tok[] {
  return [{ kind: "id", text: lbl, col }];
}

/** A compressed instruction (`c.addi a0, 1`): operands parsed by the form's syntax, encoded by the RVC table. */
function compressedInsn(s: AsmState, mn: string, ops: Operand[], col: number): void {
  const f = cForm(mn.toLowerCase());
  if (f === undefined) throw s.err(`unknown instruction '${mn}'`, col);
  const names = f.syntax === "" ? [] : f.syntax.split(",");
  if (ops.length !== names.length) {
    throw s.err(`${mn} takes ${names.length} operand${names.length === 1 ? "" : "s"}, got ${ops.length}`, col);
  }
  const vals: number[] = [];
  let target: Operand | null = null;
  names.forEach((kind, i) => {
    const op = ops[i]!;
    switch (kind) {
      case "rd":
      case "rs1":
      case "rs2":
        vals.push(reg(s, op));
        break;
      case "sp":
        if (reg(s, op) !== 2) throw s.err(`${mn}: this operand must be sp`, op.col);
        break;
      case "imm":
        vals.push(s.absNow(op.toks, "immediate"));
        break;
      case "lui":
        vals.push(s.absNow(op.toks, "immediate"));
        break;
      case "mem": {
        const m = mem(s, op);
        if (!m) throw s.err(`${mn}: expected offset(register)`, op.col);
        vals.push(m.off.length ? s.absNow(m.off, "offset") : 0, m.base);
        break;
      }
      case "target":
        target = op;
        break;
    }
  });
  if (s.cur.kind === "nobits") throw s.err(`instruction in @nobits section ${s.cur.name}`, col);
  if (s.dot % 2 !== 0) throw s.err("instruction is not 2-byte aligned (add .align 1)", col);
  if (target !== null) {
    const t = target as Operand;
    s.fixups.push({ sec: s.cur, off: s.dot, kind: "c_target", expr: t.toks, line: s.line, col: t.col, numCounts: new Map(s.numCounts), dot: s.dot, cname: f.name, cops: vals });
    s.emitBytes([0, 0], col);
    return;
  }
  const h = encodeC(f.name, vals);
  if (h === undefined) throw s.err(`${mn}: these operands have no ${f.name} encoding (range, alignment, or a register outside x8..x15 / reserved value)`, col);
  s.emitBytes([h & 0xff, h >>> 8], col);
}

