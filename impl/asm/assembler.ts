// RV32IMA assembler for the GNU text form, producing a relocatable ObjectModule (impl/asm/object.ts).
//
// One pass with fixups: every operand that names a symbol becomes a fixup, resolved at the end of
// the file. A pc-relative fixup (branch, jal, call/tail, %pcrel_hi/%pcrel_lo, la) against a label of
// the same section is resolved here; everything else against a label or an undefined symbol becomes
// a relocation for the linker. Absolute values (.equ, numbers) are always resolved here.
// Numeric branch/jump targets are absolute addresses, taking the section to start at `opts.origin`
// (default 0): that is how disassembled code (`beq a0,a1,0x1010`) reassembles.
// `li` is one instruction when its value is known and fits 12 bits (or is a multiple of 4096), else lui+addi.

import type { ObjSection, ObjSymbol, ObjectModule, Reloc, RelocType, SectionKind } from "./object.ts";
import { csrNumber, encB, encI, encJ, encR, encS, encU, regNumber } from "./encode.ts";
import { applyRelocation, hi20, lo12 } from "./relocate.ts";
import { cForm, encodeC } from "../isa/rvc.ts";

export class AsmError extends Error {
  readonly line: number;
  readonly column: number;
  readonly file: string;
  constructor(message: string, line: number, column: number, file = "<asm>") {
    super(`${file}:${line}:${column}: ${message}`);
    this.name = "AsmError";
    this.line = line;
    this.column = column;
    this.file = file;
  }
}

export interface AssembleOptions {
  /** File name used in error messages. */
  readonly file?: string;
  /** Address assumed for the start of every section when a branch/jump target is a plain number. */
  readonly origin?: number;
}

// ------------------------------------------------------------------ lexer

type TokKind = "id" | "num" | "str" | "punct";
interface Tok {
  kind: TokKind;
  text: string;
  value?: number; // num
  bytes?: number[]; // str
  col: number;
}

const ID_START = /[A-Za-z_.$%]/;
const ID_PART = /[A-Za-z0-9_.$]/;

class Ctx {
  constructor(
    readonly file: string,
    public line: number,
  ) {}
  err(msg: string, col: number): AsmError {
    return new AsmError(msg, this.line, col, this.file);
  }
}

function lex(src: string, ctx: Ctx): Tok[][] {
  // returns statements (split at ';' and newline handled by caller) -> here: one line, split at ';'
  const stmts: Tok[][] = [[]];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    const col = i + 1;
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    if (c === "#" || (c === "/" && src[i + 1] === "/")) break;
    if (c === ";") {
      stmts.push([]);
      i++;
      continue;
    }
    const cur = stmts[stmts.length - 1]!;
    if (c === '"') {
      const bytes: number[] = [];
      i++;
      for (;;) {
        if (i >= n) throw ctx.err("unterminated string literal", col);
        const d = src[i]!;
        if (d === '"') {
          i++;
          break;
        }
        if (d === "\\") {
          const e = src[i + 1];
          i += 2;
          switch (e) {
            case "n": bytes.push(10); break;
            case "t": bytes.push(9); break;
            case "r": bytes.push(13); break;
            case "0": case "1": case "2": case "3": case "4": case "5": case "6": case "7": {
              let v = e.charCodeAt(0) - 48;
              for (let k = 0; k < 2 && /[0-7]/.test(src[i] ?? ""); k++) v = v * 8 + (src[i++]!.charCodeAt(0) - 48);
              bytes.push(v & 0xff);
              break;
            }
            case "x": {
              let h = "";
              while (/[0-9a-fA-F]/.test(src[i] ?? "") && h.length < 2) h += src[i++];
              if (!h) throw ctx.err("\\x escape needs hex digits", i);
              bytes.push(parseInt(h, 16));
              break;
            }
            case "\\": bytes.push(92); break;
            case '"': bytes.push(34); break;
            case "'": bytes.push(39); break;
            case "a": bytes.push(7); break;
            case "b": bytes.push(8); break;
            case "f": bytes.push(12); break;
            case "v": bytes.push(11); break;
            case "e": bytes.push(27); break;
            default: throw ctx.err(`unknown escape \\${e ?? ""} in string`, i - 1);
          }
          continue;
        }
        const cp = src.codePointAt(i)!;
        bytes.push(...new TextEncoder().encode(String.fromCodePoint(cp)));
        i += cp > 0xffff ? 2 : 1;
      }
      cur.push({ kind: "str", text: src.slice(col - 1, i), bytes, col });
      continue;
    }
    if (c === "'") {
      // character constant 'a' or '\n'
      let v: number;
      if (src[i + 1] === "\\") {
        const e = src[i + 2];
        const map: Record<string, number> = { n: 10, t: 9, r: 13, "0": 0, "\\": 92, "'": 39, '"': 34 };
        if (e === undefined || !(e in map)) throw ctx.err("bad character constant", col);
        v = map[e]!;
        i += 3;
      } else {
        if (i + 1 >= n) throw ctx.err("bad character constant", col);
        v = src.charCodeAt(i + 1);
        i += 2;
      }
      if (src[i] === "'") i++;
      cur.push({ kind: "num", text: "'", value: v, col });
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i;
      while (j < n && /[0-9A-Za-z_]/.test(src[j]!)) j++;
      const t = src.slice(i, j);
      let v: number;
      const tl = t.toLowerCase().replace(/_/g, "");
      if (/^0x[0-9a-f]+$/.test(tl)) v = parseInt(tl.slice(2), 16);
      else if (/^0b[01]+$/.test(tl)) v = parseInt(tl.slice(2), 2);
      else if (/^[0-9]+[bf]$/.test(tl)) {
        // numeric local label reference
        cur.push({ kind: "id", text: t, col });
        i = j;
        continue;
      } else if (/^0[0-7]+$/.test(tl)) v = parseInt(tl, 8);
      else if (/^[0-9]+$/.test(tl)) v = parseInt(tl, 10);
      else throw ctx.err(`bad number '${t}'`, col);
      cur.push({ kind: "num", text: t, value: v, col });
      i = j;
      continue;
    }
    if (c === "%" && !/[A-Za-z_]/.test(src[i + 1] ?? "")) {
      cur.push({ kind: "punct", text: "%", col });
      i++;
      continue;
    }
    if (ID_START.test(c)) {
      let j = i + 1;
      while (j < n && ID_PART.test(src[j]!)) j++;
      cur.push({ kind: "id", text: src.slice(i, j), col });
      i = j;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === "<<" || two === ">>" || two === "&&" || two === "||" || two === "==" || two === "!=") {
      cur.push({ kind: "punct", text: two, col });
      i += 2;
      continue;
    }
    if ("(),:+-*/&|^~!<>=@".includes(c)) {
      cur.push({ kind: "punct", text: c, col });
      i++;
      continue;
    }
    throw ctx.err(`unexpected character '${c}'`, col);
  }
  return stmts.filter((s) => s.length > 0);
}

// ------------------------------------------------------------------ values

/** A value: absolute (sec = null, sym = null), a label in a section (sec + offset in add) or an external symbol (sym). */
interface Val {
  add: number;
  sec: string | null;
  sym: string | null; // symbol name to use for relocation (labels have names too)
}
type Modifier = "hi" | "lo" | "pcrel_hi" | "pcrel_lo";
interface Operand {
  toks: Tok[];
  col: number;
}

interface SecBuild {
  name: string;
  kind: SectionKind;
  alloc: boolean;
  write: boolean;
  exec: boolean;
  align: number;
  bytes: number[];
  size: number; // for nobits
  relocs: Reloc[];
}

interface LabelDef {
  sec: string;
  off: number;
}

interface Fixup {
  sec: SecBuild;
  off: number;
  kind: RelocType | "imm_i" | "imm_s" | "imm_u" | "byte" | "half" | "c_target";
  /** For "c_target": the compressed form's name and the operands before the target. */
  cname?: string;
  cops?: number[];
  expr: Tok[];
  line: number;
  col: number;
  /** Numeric-label definition counts at the time of the statement (for 1f/1b). */
  numCounts: Map<string, number>;
  dot: number;
}

// ------------------------------------------------------------------ instruction tables

const R_OPS: Record<string, [number, number]> = {
  add: [0, 0], sub: [0, 0x20], sll: [1, 0], slt: [2, 0], sltu: [3, 0], xor: [4, 0], srl: [5, 0], sra: [5, 0x20], or: [6, 0], and: [7, 0],
  mul: [0, 1], mulh: [1, 1], mulhsu: [2, 1], mulhu: [3, 1], div: [4, 1], divu: [5, 1], rem: [6, 1], remu: [7, 1],
};
const I_OPS: Record<string, number> = { addi: 0, slti: 2, sltiu: 3, xori: 4, ori: 6, andi: 7 };
const SHIFT_OPS: Record<string, [number, number]> = { slli: [1, 0], srli: [5, 0], srai: [5, 0x20] };
const LOAD_OPS: Record<string, number> = { lb: 0, lh: 1, lw: 2, lbu: 4, lhu: 5 };
const STORE_OPS: Record<string, number> = { sb: 0, sh: 1, sw: 2 };
const BRANCH_OPS: Record<string, number> = { beq: 0, bne: 1, blt: 4, bge: 5, bltu: 6, bgeu: 7 };
const CSR_OPS: Record<string, number> = { csrrw: 1, csrrs: 2, csrrc: 3, csrrwi: 5, csrrsi: 6, csrrci: 7 };
const AMO_OPS: Record<string, number> = {
  "lr.w": 0x02, "sc.w": 0x03, "amoswap.w": 0x01, "amoadd.w": 0x00, "amoxor.w": 0x04, "amoand.w": 0x0c,
  "amoor.w": 0x08, "amomin.w": 0x10, "amomax.w": 0x14, "amominu.w": 0x18, "amomaxu.w": 0x1c,
};
const COUNTERS: Record<string, number> = { cycle: 0xc00, time: 0xc01, instret: 0xc02, cycleh: 0xc80, timeh: 0xc81, instreth: 0xc82 };

function fenceBits(s: string): number | null {
  let v = 0;
  for (const ch of s.toLowerCase()) {
    const b = { i: 8, o: 4, r: 2, w: 1 }[ch as "i" | "o" | "r" | "w"];
    if (b === undefined) return null;
    v |= b;
  }
  return v;
}

// ------------------------------------------------------------------ assembler

class Assembler {
  readonly file: string;
  readonly origin: number;
  readonly ctx: Ctx;
  readonly sections = new Map<string, SecBuild>();
  cur!: SecBuild;
  readonly labels = new Map<string, LabelDef>();
  readonly equs = new Map<string, number | Val>();
  readonly globals = new Set<string>();
  readonly sizes = new Map<string, Tok[]>();
  readonly types = new Map<string, "func" | "object" | "notype">();
  readonly numDefs = new Map<string, LabelDef[]>(); // numeric label -> definitions in order
  readonly numCounts = new Map<string, number>();
  readonly fixups: Fixup[] = [];
  readonly localNames: string[] = [];
  genCounter = 0;
  labelOrder: string[] = [];
  line = 0;

  constructor(opts: AssembleOptions) {
    this.file = opts.file ?? "<asm>";
    this.origin = opts.origin ?? 0;
    this.ctx = new Ctx(this.file, 0);
    this.switchSection(".text", null, null, 0);
  }

  err(msg: string, col: number): AsmError {
    return new AsmError(msg, this.line, col, this.file);
  }

  // ---- sections and emission

  switchSection(name: string, flags: string | null, type: string | null, col: number): void {
    let s = this.sections.get(name);
    if (!s) {
      let kind: SectionKind = "progbits";
      let alloc = true;
      let write = false;
      let exec = false;
      if (name === ".text" || name.startsWith(".text.")) exec = true;
      else if (name === ".data" || name.startsWith(".data.") || name === ".sdata" || name.startsWith(".sdata.")) write = true;
      else if (name === ".bss" || name.startsWith(".bss.") || name === ".sbss" || name.startsWith(".sbss.") || name === ".tbss") {
        write = true;
        kind = "nobits";
      } else if (name.startsWith(".note")) kind = "note";
      if (flags !== null) {
        alloc = flags.includes("a");
        write = flags.includes("w");
        exec = flags.includes("x");
        for (const f of flags) if (!"awxMSGTo".includes(f)) throw this.err(`unknown section flag '${f}'`, col);
      }
      if (type !== null) {
        if (type === "progbits") kind = "progbits";
        else if (type === "nobits") kind = "nobits";
        else if (type === "note") kind = "note";
        else throw this.err(`unknown section type @${type} (use @progbits, @nobits or @note)`, col);
      }
      s = { name, kind, alloc, write, exec, align: exec ? 4 : 1, bytes: [], size: 0, relocs: [] };
      this.sections.set(name, s);
    }
    this.cur = s;
  }

  get dot(): number {
    return this.cur.kind === "nobits" ? this.cur.size : this.cur.bytes.length;
  }

  emitBytes(bs: ArrayLike<number>, col: number): void {
    if (this.cur.kind === "nobits") {
      for (let i = 0; i < bs.length; i++)
        if (bs[i] !== 0) throw this.err(`section ${this.cur.name} is @nobits: only zero bytes may be reserved in it`, col);
      this.cur.size += bs.length;
      return;
    }
    for (let i = 0; i < bs.length; i++) this.cur.bytes.push(bs[i]! & 0xff);
  }

  emitWord(w: number, col: number): void {
    this.emitBytes([w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, (w >>> 24) & 0xff], col);
  }

  emitInsn(w: number, col: number): void {
    if (this.cur.kind === "nobits") throw this.err(`instruction in @nobits section ${this.cur.name}`, col);
    if (this.dot % 2 !== 0) throw this.err("instruction is not 2-byte aligned (add .align 1)", col);
    this.emitWord(w, col);
  }

  /** A compressed instruction (`c.addi a0, 1`): operands parsed by the form's syntax, encoded by the RVC table. */
  compressedInsn(mn: string, ops: Operand[], col: number): void {
    const f = cForm(mn.toLowerCase());
    if (f === undefined) throw this.err(`unknown instruction '${mn}'`, col);
    const names = f.syntax === "" ? [] : f.syntax.split(",");
    if (ops.length !== names.length) {
      throw this.err(`${mn} takes ${names.length} operand${names.length === 1 ? "" : "s"}, got ${ops.length}`, col);
    }
    const vals: number[] = [];
    let target: Operand | null = null;
    names.forEach((kind, i) => {
      const op = ops[i]!;
      switch (kind) {
        case "rd":
        case "rs1":
        case "rs2":
          vals.push(this.reg(op));
          break;
        case "sp":
          if (this.reg(op) !== 2) throw this.err(`${mn}: this operand must be sp`, op.col);
          break;
        case "imm":
          vals.push(this.absNow(op.toks, "immediate"));
          break;
        case "lui":
          vals.push(this.absNow(op.toks, "immediate"));
          break;
        case "mem": {
          const m = this.mem(op);
          if (!m) throw this.err(`${mn}: expected offset(register)`, op.col);
          vals.push(m.off.length ? this.absNow(m.off, "offset") : 0, m.base);
          break;
        }
        case "target":
          target = op;
          break;
      }
    });
    if (this.cur.kind === "nobits") throw this.err(`instruction in @nobits section ${this.cur.name}`, col);
    if (this.dot % 2 !== 0) throw this.err("instruction is not 2-byte aligned (add .align 1)", col);
    if (target !== null) {
      const t = target as Operand;
      this.fixups.push({ sec: this.cur, off: this.dot, kind: "c_target", expr: t.toks, line: this.line, col: t.col, numCounts: new Map(this.numCounts), dot: this.dot, cname: f.name, cops: vals });
      this.emitBytes([0, 0], col);
      return;
    }
    const h = encodeC(f.name, vals);
    if (h === undefined) throw this.err(`${mn}: these operands have no ${f.name} encoding (range, alignment, or a register outside x8..x15 / reserved value)`, col);
    this.emitBytes([h & 0xff, h >>> 8], col);
  }

  fixup(kind: Fixup["kind"], expr: Tok[], col: number, off = this.dot): void {
    this.fixups.push({ sec: this.cur, off, kind, expr, line: this.line, col, numCounts: new Map(this.numCounts), dot: this.dot });
  }

  defineLabel(name: string, col: number): void {
    if (/^[0-9]+$/.test(name)) {
      const defs = this.numDefs.get(name) ?? [];
      const gen = `.L${name}\u0002${defs.length}`;
      defs.push({ sec: this.cur.name, off: this.dot });
      this.numDefs.set(name, defs);
      this.numCounts.set(name, defs.length);
      this.labels.set(gen, { sec: this.cur.name, off: this.dot });
      this.labelOrder.push(gen);
      return;
    }
    if (this.labels.has(name) || this.equs.has(name)) throw this.err(`symbol '${name}' is already defined`, col);
    this.labels.set(name, { sec: this.cur.name, off: this.dot });
    this.labelOrder.push(name);
  }

  genLabel(): string {
    const name = `.Lpcrel_hi${this.genCounter++}`;
    this.labels.set(name, { sec: this.cur.name, off: this.dot });
    this.labelOrder.push(name);
    return name;
  }

  // ---- expressions

  /** Evaluate; `final` = all labels known (end of file). Returns null when not yet resolvable (only if !final). */
  evalExpr(toks: Tok[], final: boolean, numCounts: Map<string, number>, dot: number, secName: string): Val | null {
    let pos = 0;
    const peek = (): Tok | undefined => toks[pos];
    const fail = (msg: string, t?: Tok): never => {
      throw this.err(msg, (t ?? toks[Math.min(pos, toks.length - 1)])?.col ?? 1);
    };
    let unresolved = false;
    const absv = (n: number): Val => ({ add: n, sec: null, sym: null });
    const isAbs = (v: Val): boolean => v.sec === null && v.sym === null;
    const needAbs = (v: Val, t: Tok | undefined, what: string): number => {
      if (!isAbs(v)) fail(`operator ${what} needs absolute operands (a symbol address is only known after linking)`, t);
      return v.add;
    };
    const primary = (): Val => {
      const t = toks[pos++];
      if (!t) return fail("expected an expression");
      if (t.kind === "num") return absv(t.value!);
      if (t.kind === "punct") {
        if (t.text === "(") {
          const v = binary(0);
          if (peek()?.text !== ")") fail("expected ')'");
          pos++;
          return v;
        }
        if (t.text === "-") {
          const v = primary();
          return absv(-needAbs(v, t, "unary -"));
        }
        if (t.text === "+") return primary();
        if (t.text === "~") return absv(~needAbs(primary(), t, "~"));
        if (t.text === "!") return absv(needAbs(primary(), t, "!") === 0 ? 1 : 0);
        return fail(`unexpected '${t.text}' in expression`, t);
      }
      if (t.kind === "str") return fail("a string is not a number here", t);
      // identifier
      const name = t.text;
      if (name.startsWith("%")) return fail(`${name} is only allowed as a whole operand`, t);
      if (name === ".") return { add: dot, sec: secName, sym: null };
      const m = /^([0-9]+)([bf])$/.exec(name);
      if (m) {
        const defs = this.numDefs.get(m[1]!) ?? [];
        const cnt = numCounts.get(m[1]!) ?? 0;
        const idx = m[2] === "b" ? cnt - 1 : cnt;
        if (idx < 0) fail(`numeric label ${name}: no '${m[1]}:' defined before this line`, t);
        const d = defs[idx];
        if (!d) {
          if (final) fail(`numeric label ${name}: no '${m[1]}:' defined after this line`, t);
          unresolved = true;
          return absv(0);
        }
        return { add: d.off, sec: d.sec, sym: `.L${m[1]}\u0002${idx}` };
      }
      const e = this.equs.get(name);
      if (e !== undefined) return typeof e === "number" ? absv(e) : { ...e };
      const l = this.labels.get(name);
      if (l) return { add: l.off, sec: l.sec, sym: name };
      if (!final) {
        unresolved = true;
        return absv(0);
      }
      return { add: 0, sec: null, sym: name }; // undefined: external
    };
    const PREC: Record<string, number> = { "||": 1, "&&": 2, "|": 3, "^": 4, "&": 5, "==": 6, "!=": 6, "<": 7, ">": 7, "<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10 };
    const binary = (minPrec: number): Val => {
      let left = primary();
      for (;;) {
        const t = peek();
        if (!t || t.kind !== "punct" || PREC[t.text] === undefined || PREC[t.text]! < minPrec) return left;
        pos++;
        const right = binary(PREC[t.text]! + 1);
        if (unresolved) {
          left = absv(0);
          continue;
        }
        if (t.text === "+") {
          if (!isAbs(left) && !isAbs(right)) fail("cannot add two symbols", t);
          left = isAbs(left) ? { ...right, add: right.add + left.add } : { ...left, add: left.add + right.add };
          continue;
        }
        if (t.text === "-") {
          if (isAbs(right)) {
            left = { ...left, add: left.add - right.add };
            continue;
          }
          if (left.sec !== null && left.sec === right.sec) {
            left = absv(left.add - right.add);
            continue;
          }
          fail("cannot subtract symbols from different sections or undefined symbols", t);
        }
        const a = needAbs(left, t, t.text);
        const b = needAbs(right, t, t.text);
        let r: number;
        switch (t.text) {
          case "*": r = Math.imul(a, b); break;
          case "/": if (b === 0) fail("division by zero", t); r = Math.trunc(a / b); break;
          case "%": if (b === 0) fail("division by zero", t); r = a % b; break;
          case "<<": r = a << b; break;
          case ">>": r = a >> b; break;
          case "&": r = a & b; break;
          case "|": r = a | b; break;
          case "^": r = a ^ b; break;
          case "==": r = a === b ? 1 : 0; break;
          case "!=": r = a !== b ? 1 : 0; break;
          case "<": r = a < b ? 1 : 0; break;
          case ">": r = a > b ? 1 : 0; break;
          case "&&": r = a && b ? 1 : 0; break;
          default: r = a || b ? 1 : 0; break;
        }
        left = absv(r);
      }
    };
    if (toks.length === 0) throw this.err("expected an expression", 1);
    const v = binary(0);
    if (pos < toks.length) fail(`unexpected '${toks[pos]!.text}' after expression`, toks[pos]);
    if (unresolved) return null;
    return v;
  }

  /** Evaluate to an absolute number now (forward references to labels not allowed). */
  absNow(toks: Tok[], what: string): number {
    const v = this.evalExpr(toks, false, this.numCounts, this.dot, this.cur.name);
    if (v === null || v.sec !== null || v.sym !== null)
      throw this.err(`${what} must be an absolute expression known at this point`, toks[0]?.col ?? 1);
    return v.add;
  }

  /** Try to evaluate to an absolute number now; null if it depends on labels/symbols. */
  tryAbs(toks: Tok[]): number | null {
    try {
      const v = this.evalExpr(toks, false, this.numCounts, this.dot, this.cur.name);
      if (v === null || v.sec !== null || v.sym !== null) return null;
      return v.add;
    } catch {
      return null;
    }
  }

  // ---- operands

  reg(op: Operand | undefined, what = "register"): number {
    if (!op) throw this.err(`missing ${what} operand`, 1);
    const t = op.toks;
    if (t.length !== 1 || t[0]!.kind !== "id") throw this.err(`expected a ${what}, got '${t.map((x) => x.text).join("")}'`, op.col);
    const r = regNumber(t[0]!.text);
    if (r === undefined) throw this.err(`unknown register '${t[0]!.text}'`, op.col);
    return r;
  }

  isReg(op: Operand | undefined): boolean {
    return !!op && op.toks.length === 1 && op.toks[0]!.kind === "id" && regNumber(op.toks[0]!.text) !== undefined;
  }

  /** Split `expr(reg)` / `(reg)`; returns offset tokens (maybe empty) and base register. */
  mem(op: Operand | undefined): { off: Tok[]; base: number } | null {
    if (!op) throw this.err("missing memory operand", 1);
    const t = op.toks;
    const n = t.length;
    if (n >= 3 && t[n - 1]!.text === ")" && t[n - 3]!.text === "(" && t[n - 2]!.kind === "id") {
      const r = regNumber(t[n - 2]!.text);
      if (r === undefined) throw this.err(`unknown register '${t[n - 2]!.text}'`, t[n - 2]!.col);
      return { off: t.slice(0, n - 3), base: r };
    }
    return null;
  }

  /** Parse `%mod(expr)` operands. */
  modifier(toks: Tok[]): { mod: Modifier; inner: Tok[] } | null {
    if (toks.length >= 3 && toks[0]!.kind === "id" && toks[0]!.text.startsWith("%")) {
      const name = toks[0]!.text.slice(1).toLowerCase();
      if (name !== "hi" && name !== "lo" && name !== "pcrel_hi" && name !== "pcrel_lo")
        throw this.err(`unknown operator %${name} (use %hi, %lo, %pcrel_hi, %pcrel_lo)`, toks[0]!.col);
      if (toks[1]!.text !== "(" || toks[toks.length - 1]!.text !== ")") throw this.err(`%${name} needs parentheses: %${name}(symbol)`, toks[0]!.col);
      return { mod: name as Modifier, inner: toks.slice(2, -1) };
    }
    return null;
  }

  /** A 12-bit I-type immediate (or %lo / %pcrel_lo) for the instruction about to be emitted; returns the value to encode now. */
  immI(toks: Tok[], col: number, store = false): number {
    if (toks.length === 0) return 0;
    const m = this.modifier(toks);
    if (m) {
      if (m.mod === "lo") this.fixup(store ? "lo12_s" : "lo12_i", m.inner, col);
      else if (m.mod === "pcrel_lo") this.fixup(store ? "pcrel_lo12_s" : "pcrel_lo12_i", m.inner, col);
      else throw this.err(`%${m.mod} is not allowed in a 12-bit immediate (use %lo or %pcrel_lo)`, col);
      return 0;
    }
    const v = this.tryAbs(toks);
    if (v === null) {
      this.fixup(store ? "imm_s" : "imm_i", toks, col);
      return 0;
    }
    if (v < -2048 || v > 2047) throw this.err(`immediate ${v} out of range (-2048..2047)`, col);
    return v;
  }

  immU(toks: Tok[], col: number, auipc: boolean): number {
    const m = this.modifier(toks);
    if (m) {
      if (m.mod === "hi" && !auipc) this.fixup("hi20", m.inner, col);
      else if (m.mod === "pcrel_hi" && auipc) this.fixup("pcrel_hi20", m.inner, col);
      else throw this.err(`%${m.mod} is not allowed here (lui takes %hi, auipc takes %pcrel_hi)`, col);
      return 0;
    }
    const v = this.tryAbs(toks);
    if (v === null) {
      this.fixup("imm_u", toks, col);
      return 0;
    }
    if (v < 0 || v > 0xfffff) throw this.err(`immediate ${v} out of range for a 20-bit upper immediate (0..0xfffff)`, col);
    return v;
  }

  csr(op: Operand | undefined): number {
    if (!op) throw this.err("missing CSR operand", 1);
    if (op.toks.length === 1 && op.toks[0]!.kind === "id") {
      const n = csrNumber(op.toks[0]!.text);
      if (n !== undefined) return n;
    }
    const v = this.tryAbs(op.toks);
    if (v === null || v < 0 || v > 0xfff) throw this.err(`unknown CSR '${op.toks.map((t) => t.text).join("")}' (a name like cycle, or a number 0..0xfff)`, op.col);
    return v;
  }

  uimm5(op: Operand | undefined): number {
    if (!op) throw this.err("missing immediate operand", 1);
    const v = this.absNow(op.toks, "immediate");
    if (v < 0 || v > 31) throw this.err(`immediate ${v} out of range (0..31)`, op.col);
    return v;
  }

  shamt(op: Operand | undefined): number {
    if (!op) throw this.err("missing shift amount", 1);
    const v = this.absNow(op.toks, "shift amount");
    if (v < 0 || v > 31) throw this.err(`shift amount ${v} out of range (0..31)`, op.col);
    return v;
  }

  branch(f3: number, rs1: number, rs2: number, target: Operand | undefined, col: number): void {
    if (!target) throw this.err("missing branch target", col);
    this.fixup("branch", target.toks, target.col);
    this.emitInsn(encB(0x63, f3, rs1, rs2, 0), col);
  }

  jal(rd: number, target: Operand, col: number): void {
    this.fixup("jal", target.toks, target.col);
    this.emitInsn(encJ(0x6f, rd, 0), col);
  }

  li(rd: number, op: Operand, col: number): void {
    const v = this.tryAbs(op.toks);
    if (v !== null) {
      if (v < -0x80000000 || v > 0xffffffff) throw this.err(`li value ${v} does not fit 32 bits`, op.col);
      const x = v | 0;
      if (x >= -2048 && x <= 2047) {
        this.emitInsn(encI(0x13, 0, rd, 0, x), col);
        return;
      }
      const hi = hi20(x);
      const lo = lo12(x);
      this.emitInsn(encU(0x37, rd, hi), col);
      if (lo !== 0) this.emitInsn(encI(0x13, 0, rd, rd, lo), col);
      return;
    }
    this.fixup("hi20", op.toks, op.col);
    this.emitInsn(encU(0x37, rd, 0), col);
    this.fixup("lo12_i", op.toks, op.col);
    this.emitInsn(encI(0x13, 0, rd, rd, 0), col);
  }

  /** auipc rd, %pcrel_hi(sym) followed by a second instruction using %pcrel_lo. */
  pcrelPair(rd: number, sym: Operand, second: (lbl: string) => void, col: number): void {
    const lbl = this.genLabel();
    this.fixup("pcrel_hi20", sym.toks, sym.col);
    this.emitInsn(encU(0x17, rd, 0), col);
    second(lbl);
  }

  lblToks(lbl: string, col: number): Tok[] {
    return [{ kind: "id", text: lbl, col }];
  }

  // ---- statements

  instruction(mn: string, ops: Operand[], col: number): void {
    const n = ops.length;
    const want = (k: number | number[]): void => {
      const ks = Array.isArray(k) ? k : [k];
      if (!ks.includes(n)) throw this.err(`${mn} takes ${ks.join(" or ")} operand${ks.length === 1 && ks[0] === 1 ? "" : "s"}, got ${n}`, col);
    };
    const base = mn.toLowerCase();
    if (base.startsWith("c.")) {
      this.compressedInsn(mn, ops, col);
      return;
    }
    // atomics with ordering suffixes
    const am = /^(lr\.w|sc\.w|amo[a-z]+\.w)(\.aq|\.rl|\.aqrl)?$/.exec(base);
    if (am && AMO_OPS[am[1]!] !== undefined) {
      const f5 = AMO_OPS[am[1]!]!;
      const aq = am[2] === ".aq" || am[2] === ".aqrl" ? 1 : 0;
      const rl = am[2] === ".rl" || am[2] === ".aqrl" ? 1 : 0;
      const f7 = (f5 << 2) | (aq << 1) | rl;
      const addrOp = (op: Operand | undefined): number => {
        const m = this.mem(op);
        if (!m) throw this.err(`${mn}: address operand must be (reg)`, op?.col ?? col);
        if (m.off.length && this.absNow(m.off, "offset") !== 0) throw this.err(`${mn}: offset must be 0`, op!.col);
        return m.base;
      };
      if (f5 === 0x02) {
        want(2);
        this.emitInsn(encR(0x2f, 2, f7, this.reg(ops[0]), addrOp(ops[1]), 0), col);
      } else {
        want(3);
        this.emitInsn(encR(0x2f, 2, f7, this.reg(ops[0]), addrOp(ops[2]), this.reg(ops[1])), col);
      }
      return;
    }
    if (R_OPS[base]) {
      want(3);
      const [f3, f7] = R_OPS[base]!;
      this.emitInsn(encR(0x33, f3, f7, this.reg(ops[0]), this.reg(ops[1]), this.reg(ops[2])), col);
      return;
    }
    if (I_OPS[base] !== undefined) {
      want(3);
      const rd = this.reg(ops[0]);
      const rs1 = this.reg(ops[1]);
      const imm = this.immI(ops[2]!.toks, ops[2]!.col);
      this.emitInsn(encI(0x13, I_OPS[base]!, rd, rs1, imm), col);
      return;
    }
    if (SHIFT_OPS[base]) {
      want(3);
      const [f3, f7] = SHIFT_OPS[base]!;
      this.emitInsn(encI(0x13, f3, this.reg(ops[0]), this.reg(ops[1]), (f7 << 5) | this.shamt(ops[2])), col);
      return;
    }
    if (LOAD_OPS[base] !== undefined) {
      want([2, 3]);
      const rd = this.reg(ops[0]);
      const m = n === 2 ? this.mem(ops[1]) : null;
      if (m) {
        const imm = this.immI(m.off, ops[1]!.col);
        this.emitInsn(encI(0x03, LOAD_OPS[base]!, rd, m.base, imm), col);
        return;
      }
      if (n === 3) throw this.err(`${mn}: expected '${mn} rd, offset(rs1)'`, col);
      // lw rd, symbol  ->  auipc rd, %pcrel_hi(symbol); lw rd, %pcrel_lo(.L)(rd)
      this.pcrelPair(rd, ops[1]!, (lbl) => {
        this.fixup("pcrel_lo12_i", this.lblToks(lbl, col), col);
        this.emitInsn(encI(0x03, LOAD_OPS[base]!, rd, rd, 0), col);
      }, col);
      return;
    }
    if (STORE_OPS[base] !== undefined) {
      want([2, 3]);
      const rs2 = this.reg(ops[0]);
      if (n === 2) {
        const m = this.mem(ops[1]);
        if (!m) throw this.err(`${mn}: expected '${mn} rs2, offset(rs1)' or '${mn} rs2, symbol, rt'`, ops[1]!.col);
        const imm = this.immI(m.off, ops[1]!.col, true);
        this.emitInsn(encS(0x23, STORE_OPS[base]!, m.base, rs2, imm), col);
        return;
      }
      const rt = this.reg(ops[2]);
      this.pcrelPair(rt, ops[1]!, (lbl) => {
        this.fixup("pcrel_lo12_s", this.lblToks(lbl, col), col);
        this.emitInsn(encS(0x23, STORE_OPS[base]!, rt, rs2, 0), col);
      }, col);
      return;
    }
    if (BRANCH_OPS[base] !== undefined) {
      want(3);
      this.branch(BRANCH_OPS[base]!, this.reg(ops[0]), this.reg(ops[1]), ops[2], col);
      return;
    }
    if (CSR_OPS[base] !== undefined) {
      want(3);
      const f3 = CSR_OPS[base]!;
      const rd = this.reg(ops[0]);
      const csr = this.csr(ops[1]);
      const src = f3 >= 5 ? this.uimm5(ops[2]) : this.reg(ops[2]);
      this.emitInsn(encI(0x73, f3, rd, src, csr), col);
      return;
    }
    switch (base) {
      case "lui":
      case "auipc": {
        want(2);
        const rd = this.reg(ops[0]);
        const imm = this.immU(ops[1]!.toks, ops[1]!.col, base === "auipc");
        this.emitInsn(encU(base === "lui" ? 0x37 : 0x17, rd, imm), col);
        return;
      }
      case "jal":
        want([1, 2]);
        if (n === 1) this.jal(1, ops[0]!, col);
        else this.jal(this.reg(ops[0]), ops[1]!, col);
        return;
      case "jalr": {
        want([1, 2, 3]);
        if (n === 1) {
          const m = this.mem(ops[0]);
          if (m) this.emitInsn(encI(0x67, 0, 1, m.base, this.immI(m.off, ops[0]!.col)), col);
          else this.emitInsn(encI(0x67, 0, 1, this.reg(ops[0]), 0), col);
          return;
        }
        const rd = this.reg(ops[0]);
        if (n === 2) {
          const m = this.mem(ops[1]);
          if (m) this.emitInsn(encI(0x67, 0, rd, m.base, this.immI(m.off, ops[1]!.col)), col);
          else this.emitInsn(encI(0x67, 0, rd, this.reg(ops[1]), 0), col);
          return;
        }
        const rs1 = this.reg(ops[1]);
        this.emitInsn(encI(0x67, 0, rd, rs1, this.immI(ops[2]!.toks, ops[2]!.col)), col);
        return;
      }
      case "ecall":
      case "scall":
        want(0);
        this.emitInsn(0x00000073, col);
        return;
      case "ebreak":
      case "sbreak":
        want(0);
        this.emitInsn(0x00100073, col);
        return;
      case "fence": {
        want([0, 2]);
        let pred = 15;
        let succ = 15;
        if (n === 2) {
          const p = ops[0]!.toks.length === 1 ? fenceBits(ops[0]!.toks[0]!.text) : null;
          const s = ops[1]!.toks.length === 1 ? fenceBits(ops[1]!.toks[0]!.text) : null;
          if (p === null || p === 0) throw this.err("fence: predecessor set must be letters from iorw", ops[0]!.col);
          if (s === null || s === 0) throw this.err("fence: successor set must be letters from iorw", ops[1]!.col);
          pred = p;
          succ = s;
        }
        this.emitInsn(encI(0x0f, 0, 0, 0, (pred << 4) | succ), col);
        return;
      }
      case "fence.tso":
        want(0);
        this.emitInsn(0x8330000f, col);
        return;
      case "fence.i":
        want(0);
        this.emitInsn(0x0000100f, col);
        return;
      // ---- pseudo-instructions
      case "nop":
        want(0);
        this.emitInsn(encI(0x13, 0, 0, 0, 0), col);
        return;
      case "li":
        want(2);
        this.li(this.reg(ops[0]), ops[1]!, col);
        return;
      case "la":
      case "lla": {
        want(2);
        const rd = this.reg(ops[0]);
        this.pcrelPair(rd, ops[1]!, (lbl) => {
          this.fixup("pcrel_lo12_i", this.lblToks(lbl, col), col);
          this.emitInsn(encI(0x13, 0, rd, rd, 0), col);
        }, col);
        return;
      }
      case "mv":
        want(2);
        this.emitInsn(encI(0x13, 0, this.reg(ops[0]), this.reg(ops[1]), 0), col);
        return;
      case "not":
        want(2);
        this.emitInsn(encI(0x13, 4, this.reg(ops[0]), this.reg(ops[1]), -1), col);
        return;
      case "neg":
        want(2);
        this.emitInsn(encR(0x33, 0, 0x20, this.reg(ops[0]), 0, this.reg(ops[1])), col);
        return;
      case "seqz":
        want(2);
        this.emitInsn(encI(0x13, 3, this.reg(ops[0]), this.reg(ops[1]), 1), col);
        return;
      case "snez":
        want(2);
        this.emitInsn(encR(0x33, 3, 0, this.reg(ops[0]), 0, this.reg(ops[1])), col);
        return;
      case "sltz":
        want(2);
        this.emitInsn(encR(0x33, 2, 0, this.reg(ops[0]), this.reg(ops[1]), 0), col);
        return;
      case "sgtz":
        want(2);
        this.emitInsn(encR(0x33, 2, 0, this.reg(ops[0]), 0, this.reg(ops[1])), col);
        return;
      case "zext.b":
        want(2);
        this.emitInsn(encI(0x13, 7, this.reg(ops[0]), this.reg(ops[1]), 255), col);
        return;
      case "beqz": want(2); this.branch(0, this.reg(ops[0]), 0, ops[1], col); return;
      case "bnez": want(2); this.branch(1, this.reg(ops[0]), 0, ops[1], col); return;
      case "blez": want(2); this.branch(5, 0, this.reg(ops[0]), ops[1], col); return;
      case "bgez": want(2); this.branch(5, this.reg(ops[0]), 0, ops[1], col); return;
      case "bltz": want(2); this.branch(4, this.reg(ops[0]), 0, ops[1], col); return;
      case "bgtz": want(2); this.branch(4, 0, this.reg(ops[0]), ops[1], col); return;
      case "bgt": want(3); this.branch(4, this.reg(ops[1]), this.reg(ops[0]), ops[2], col); return;
      case "ble": want(3); this.branch(5, this.reg(ops[1]), this.reg(ops[0]), ops[2], col); return;
      case "bgtu": want(3); this.branch(6, this.reg(ops[1]), this.reg(ops[0]), ops[2], col); return;
      case "bleu": want(3); this.branch(7, this.reg(ops[1]), this.reg(ops[0]), ops[2], col); return;
      case "j":
        want(1);
        this.jal(0, ops[0]!, col);
        return;
      case "jr":
        want(1);
        {
          const m = this.mem(ops[0]);
          if (m) this.emitInsn(encI(0x67, 0, 0, m.base, this.immI(m.off, ops[0]!.col)), col);
          else this.emitInsn(encI(0x67, 0, 0, this.reg(ops[0]), 0), col);
        }
        return;
      case "ret":
        want(0);
        this.emitInsn(encI(0x67, 0, 0, 1, 0), col);
        return;
      case "call":
      case "tail": {
        want([1, 2]);
        const tmp = base === "call" ? (n === 2 ? this.reg(ops[0]) : 1) : 6;
        const link = base === "call" ? tmp : 0;
        const target = ops[n - 1]!;
        this.fixup("call", target.toks, target.col);
        this.emitInsn(encU(0x17, tmp, 0), col);
        this.emitInsn(encI(0x67, 0, link, tmp, 0), col);
        return;
      }
      case "csrr":
        want(2);
        this.emitInsn(encI(0x73, 2, this.reg(ops[0]), 0, this.csr(ops[1])), col);
        return;
      case "csrw":
      case "csrs":
      case "csrc": {
        want(2);
        const f3 = { csrw: 1, csrs: 2, csrc: 3 }[base];
        this.emitInsn(encI(0x73, f3, 0, this.reg(ops[1]), this.csr(ops[0])), col);
        return;
      }
      case "csrwi":
      case "csrsi":
      case "csrci": {
        want(2);
        const f3 = { csrwi: 5, csrsi: 6, csrci: 7 }[base];
        this.emitInsn(encI(0x73, f3, 0, this.uimm5(ops[1]), this.csr(ops[0])), col);
        return;
      }
    }
    const rdc = /^rd(cycle|time|instret)(h?)$/.exec(base);
    if (rdc) {
      want(1);
      this.emitInsn(encI(0x73, 2, this.reg(ops[0]), 0, COUNTERS[rdc[1]! + rdc[2]!]!), col);
      return;
    }
    throw this.err(`unknown instruction '${mn}'`, col);
  }

  directive(name: string, ops: Operand[], rawToks: Tok[], col: number): void {
    const d = name.toLowerCase();
    const one = (): Operand => {
      if (ops.length !== 1) throw this.err(`${name} takes one operand`, col);
      return ops[0]!;
    };
    const symName = (op: Operand | undefined): string => {
      if (!op || op.toks.length !== 1 || op.toks[0]!.kind !== "id") throw this.err(`${name}: expected a symbol name`, op?.col ?? col);
      return op.toks[0]!.text;
    };
    switch (d) {
      case ".text":
      case ".data":
      case ".rodata":
      case ".bss":
        this.switchSection(d, null, null, col);
        return;
      case ".section": {
        if (ops.length < 1) throw this.err(".section needs a name", col);
        const nt = ops[0]!.toks;
        const secName = nt.map((t) => t.text).join("");
        if (!secName || nt[0]!.kind === "str") throw this.err(".section: expected a section name", ops[0]!.col);
        let flags: string | null = null;
        let type: string | null = null;
        if (ops[1]) {
          const f = ops[1].toks;
          if (f.length !== 1 || f[0]!.kind !== "str") throw this.err('.section: flags must be a string like "aw"', ops[1].col);
          flags = String.fromCharCode(...f[0]!.bytes!);
        }
        if (ops[2]) {
          const t = ops[2].toks;
          if (t.length !== 2 || (t[0]!.text !== "@" && t[0]!.text !== "%") || t[1]!.kind !== "id")
            throw this.err(".section: type must be @progbits, @nobits or @note", ops[2].col);
          type = t[1]!.text;
        }
        this.switchSection(secName, flags, type, col);
        return;
      }
      case ".globl":
      case ".global":
        for (const op of ops) this.globals.add(symName(op));
        return;
      case ".local":
      case ".weak":
      case ".hidden":
      case ".protected":
        if (d === ".weak") for (const op of ops) this.globals.add(symName(op));
        return;
      case ".equ":
      case ".set": {
        if (ops.length !== 2) throw this.err(`${name} takes a name and a value`, col);
        const nm = symName(ops[0]);
        if (this.labels.has(nm)) throw this.err(`symbol '${nm}' is already defined as a label`, ops[0]!.col);
        if (d === ".equ" && this.equs.has(nm)) throw this.err(`symbol '${nm}' is already defined (use .set to redefine)`, ops[0]!.col);
        const v = this.evalExpr(ops[1]!.toks, false, this.numCounts, this.dot, this.cur.name);
        if (v === null) throw this.err(`${name} ${nm}: value must be known at this point (no forward references)`, ops[1]!.col);
        this.equs.set(nm, v.sec === null && v.sym === null ? v.add : v);
        return;
      }
      case ".byte":
      case ".half":
      case ".short":
      case ".2byte":
      case ".word":
      case ".long":
      case ".4byte": {
        const size = d === ".byte" ? 1 : d === ".word" || d === ".long" || d === ".4byte" ? 4 : 2;
        for (const op of ops) {
          const v = this.tryAbs(op.toks);
          if (v === null) {
            if (size === 4) this.fixup("abs32", op.toks, op.col);
            else this.fixup(size === 1 ? "byte" : "half", op.toks, op.col);
            this.emitBytes(new Array(size).fill(0), op.col);
            continue;
          }
          const lim = size === 4 ? 2 ** 32 : 2 ** (8 * size);
          if (v < -lim / 2 || v >= lim) throw this.err(`value ${v} does not fit in ${size} byte${size > 1 ? "s" : ""}`, op.col);
          const bs: number[] = [];
          for (let i = 0; i < size; i++) bs.push((v >>> (8 * i)) & 0xff);
          this.emitBytes(bs, op.col);
        }
        return;
      }
      case ".ascii":
      case ".asciz":
      case ".string":
        for (const op of ops) {
          if (op.toks.length !== 1 || op.toks[0]!.kind !== "str") throw this.err(`${name}: expected a string literal`, op.col);
          this.emitBytes(op.toks[0]!.bytes!, op.col);
          if (d !== ".ascii") this.emitBytes([0], op.col);
        }
        return;
      case ".zero":
      case ".space":
      case ".skip": {
        if (ops.length < 1 || ops.length > 2) throw this.err(`${name} takes a size and an optional fill byte`, col);
        const n = this.absNow(ops[0]!.toks, `${name} size`);
        if (n < 0 || n > 1 << 28) throw this.err(`${name} size ${n} out of range`, ops[0]!.col);
        const fill = ops[1] ? this.absNow(ops[1].toks, "fill value") & 0xff : 0;
        this.emitBytes(new Array(n).fill(fill), col);
        return;
      }
      case ".align":
      case ".p2align":
      case ".balign": {
        if (ops.length < 1) throw this.err(`${name} needs an alignment`, col);
        const v = this.absNow(ops[0]!.toks, "alignment");
        let align: number;
        if (d === ".balign") {
          if (v <= 0 || (v & (v - 1)) !== 0) throw this.err(`.balign ${v}: alignment must be a power of two`, ops[0]!.col);
          align = v;
        } else {
          if (v < 0 || v > 16) throw this.err(`${name} ${v}: exponent must be 0..16`, ops[0]!.col);
          align = 1 << v;
        }
        const fill = ops[1] && ops[1].toks.length ? this.absNow(ops[1].toks, "fill value") & 0xff : null;
        if (align > this.cur.align) this.cur.align = align;
        let pad = (align - (this.dot % align)) % align;
        if (this.cur.exec && fill === null && this.cur.kind !== "nobits") {
          while (pad > 0 && this.dot % 4 !== 0) {
            this.emitBytes([0], col);
            pad--;
          }
          while (pad >= 4) {
            this.emitWord(0x00000013, col);
            pad -= 4;
          }
        }
        this.emitBytes(new Array(pad).fill(fill ?? 0), col);
        return;
      }
      case ".size": {
        if (ops.length !== 2) throw this.err(".size takes a symbol and a size", col);
        this.sizes.set(symName(ops[0]), ops[1]!.toks);
        // note: current dot is needed for `. - sym`; evaluate now if possible
        const v = this.tryAbsWithDot(ops[1]!.toks);
        if (v !== null) this.sizes.set(symName(ops[0]), [{ kind: "num", text: String(v), value: v, col: ops[1]!.col }]);
        return;
      }
      case ".type": {
        if (ops.length !== 2) throw this.err(".type takes a symbol and a type", col);
        const t = ops[1]!.toks.map((x) => x.text).join("").replace(/^[@%]/, "");
        const ty = t === "function" ? "func" : t === "object" ? "object" : t === "notype" ? "notype" : null;
        if (ty === null) throw this.err(`.type: unknown type '${t}' (use @function, @object or @notype)`, ops[1]!.col);
        this.types.set(symName(ops[0]), ty);
        return;
      }
      case ".option":
      case ".attribute":
      case ".file":
      case ".ident":
      case ".cfi_startproc":
      case ".cfi_endproc":
      case ".cfi_def_cfa_offset":
      case ".cfi_offset":
      case ".cfi_restore":
      case ".cfi_def_cfa":
      case ".addrsig":
        return;
    }
    void rawToks;
    void one;
    throw this.err(`unknown directive '${name}'`, col);
  }

  tryAbsWithDot(toks: Tok[]): number | null {
    return this.tryAbs(toks);
  }

  statement(toks: Tok[]): void {
    let i = 0;
    // labels
    while (i + 1 < toks.length && toks[i + 1]!.text === ":" && (toks[i]!.kind === "id" || toks[i]!.kind === "num")) {
      const t = toks[i]!;
      if (t.kind === "num" && !/^[0-9]+$/.test(t.text)) throw this.err(`bad label '${t.text}'`, t.col);
      if (t.kind === "id" && (t.text.startsWith("%") || /^[0-9]/.test(t.text))) throw this.err(`bad label '${t.text}'`, t.col);
      this.defineLabel(t.text, t.col);
      i += 2;
    }
    if (i >= toks.length) return;
    const head = toks[i]!;
    if (head.kind !== "id") throw this.err(`expected an instruction or directive, got '${head.text}'`, head.col);
    // `name = expr` assignment
    if (toks[i + 1]?.text === "=" && !head.text.startsWith(".")) {
      const v = this.evalExpr(toks.slice(i + 2), false, this.numCounts, this.dot, this.cur.name);
      if (v === null) throw this.err(`${head.text} = ...: value must be known at this point`, head.col);
      this.equs.set(head.text, v.sec === null && v.sym === null ? v.add : v);
      return;
    }
    const rest = toks.slice(i + 1);
    const ops: Operand[] = [];
    if (rest.length) {
      let depth = 0;
      let curOp: Tok[] = [];
      for (const t of rest) {
        if (t.text === "(") depth++;
        if (t.text === ")") depth--;
        if (t.text === "," && depth === 0 && t.kind === "punct") {
          if (curOp.length === 0) throw this.err("empty operand", t.col);
          ops.push({ toks: curOp, col: curOp[0]!.col });
          curOp = [];
        } else curOp.push(t);
      }
      if (curOp.length === 0) throw this.err("empty operand after ','", rest[rest.length - 1]!.col);
      ops.push({ toks: curOp, col: curOp[0]!.col });
    }
    if (head.text.startsWith(".") && !/^(fence|lr|sc|amo)/.test(head.text)) this.directive(head.text, ops, rest, head.col);
    else this.instruction(head.text, ops, head.col);
  }

  // ---- finish

  resolve(): void {
    const bytesOf = (s: SecBuild): Uint8Array => Uint8Array.from(s.bytes);
    const data = new Map<string, Uint8Array>();
    for (const s of this.sections.values()) data.set(s.name, bytesOf(s));
    // pcrel_hi fixups by (section, offset), to resolve matching pcrel_lo
    const hiAt = new Map<string, { target: Val; local: boolean }>();
    const evalF = (f: Fixup): Val => {
      this.line = f.line;
      return this.evalExpr(f.expr, true, f.numCounts, f.dot, f.sec.name)!;
    };
    const relocSym = (v: Val, f: Fixup): string => {
      if (v.sym === null) throw new AsmError("expression has no symbol to relocate against", f.line, f.col, this.file);
      return v.sym;
    };
    const order = [...this.fixups].sort((a, b) => (a.kind === "pcrel_hi20" ? 0 : 1) - (b.kind === "pcrel_hi20" ? 0 : 1));
    for (const f of order) {
      const d = data.get(f.sec.name)!;
      const v = evalF(f);
      const abs = v.sec === null && v.sym === null;
      const sameSec = v.sec !== null && v.sec === f.sec.name;
      const P = f.off;
      const err = (msg: string): AsmError => new AsmError(msg, f.line, f.col, this.file);
      const put = (type: RelocType, S: number, A: number, at: number): void => {
        try {
          applyRelocation(d, f.off, type, S, A, at);
        } catch (e) {
          throw err((e as Error).message);
        }
      };
      switch (f.kind) {
        case "c_target": {
          let off: number;
          if (abs) off = (v.add - ((this.origin + P) | 0)) | 0;
          else if (sameSec) off = v.add - P;
          else throw err(`${f.cname}: the target must be in the same section (compressed jumps and branches have no relocation here)`);
          const h = encodeC(f.cname!, [...f.cops!, off]);
          if (h === undefined) throw err(`${f.cname}: target offset ${off} out of range or not encodable`);
          d[f.off] = h & 0xff;
          d[f.off + 1] = h >>> 8;
          break;
        }
        case "imm_i":
        case "imm_s":
          if (!abs) throw err("immediate must be an absolute value (use %lo(symbol) for an address)");
          if (v.add < -2048 || v.add > 2047) throw err(`immediate ${v.add} out of range (-2048..2047)`);
          if (f.kind === "imm_i") put("lo12_i", v.add, 0, 0);
          else put("lo12_s", v.add, 0, 0);
          break;
        case "imm_u": {
          if (!abs) throw err("immediate must be an absolute value (use %hi(symbol) for an address)");
          if (v.add < 0 || v.add > 0xfffff) throw err(`immediate ${v.add} out of range (0..0xfffff)`);
          put("hi20", (v.add << 12) | 0, 0, 0);
          break;
        }
        case "byte":
        case "half": {
          if (!abs) throw err(`${f.kind === "byte" ? ".byte" : ".half"} needs an absolute value (no relocation for it)`);
          const size = f.kind === "byte" ? 1 : 2;
          const lim = 2 ** (8 * size);
          if (v.add < -lim / 2 || v.add >= lim) throw err(`value ${v.add} does not fit in ${size} byte(s)`);
          for (let i = 0; i < size; i++) d[f.off + i] = (v.add >>> (8 * i)) & 0xff;
          break;
        }
        case "abs32":
        case "hi20":
        case "lo12_i":
        case "lo12_s":
          if (abs) put(f.kind, v.add, 0, 0);
          else f.sec.relocs.push({ offset: f.off, type: f.kind, symbol: relocSym(v, f), addend: v.sec !== null ? v.add - this.labels.get(v.sym!)!.off : v.add });
          break;
        case "branch":
        case "jal":
        case "call":
        case "pcrel_hi20":
          if (abs) {
            // absolute target address, the section taken to start at `origin`
            put(f.kind, v.add, 0, (this.origin + P) | 0);
            if (f.kind === "pcrel_hi20") hiAt.set(`${f.sec.name}@${f.off}`, { target: v, local: true });
          } else if (sameSec) {
            put(f.kind, v.add, 0, P);
            if (f.kind === "pcrel_hi20") hiAt.set(`${f.sec.name}@${f.off}`, { target: v, local: true });
          } else {
            f.sec.relocs.push({ offset: f.off, type: f.kind, symbol: relocSym(v, f), addend: v.sec !== null ? v.add - this.labels.get(v.sym!)!.off : v.add });
            if (f.kind === "pcrel_hi20") hiAt.set(`${f.sec.name}@${f.off}`, { target: v, local: false });
          }
          break;
        case "pcrel_lo12_i":
        case "pcrel_lo12_s": {
          // v is the label of the auipc
          if (!sameSec) throw err("%pcrel_lo must name a label on an auipc in the same section");
          const hi = hiAt.get(`${f.sec.name}@${v.add}`);
          if (!hi) throw err(`%pcrel_lo: no %pcrel_hi at the label '${v.sym}'`);
          if (hi.local) {
            const tgt = hi.target;
            const auipcAddr = tgt.sec === null ? (this.origin + v.add) | 0 : v.add;
            put(f.kind, tgt.add, 0, auipcAddr);
          } else {
            f.sec.relocs.push({ offset: f.off, type: f.kind, symbol: v.sym!, addend: 0 });
          }
          break;
        }
      }
    }
    this.data = data;
  }

  data = new Map<string, Uint8Array>();

  finish(): ObjectModule {
    this.resolve();
    const sections: ObjSection[] = [];
    for (const s of this.sections.values()) {
      const d = this.data.get(s.name)!;
      sections.push({
        name: s.name,
        kind: s.kind,
        alloc: s.alloc,
        write: s.write,
        exec: s.exec,
        align: s.align,
        data: s.kind === "nobits" ? new Uint8Array(0) : d,
        size: s.kind === "nobits" ? s.size : d.length,
        relocs: s.relocs.sort((a, b) => a.offset - b.offset),
      });
    }
    const symbols: ObjSymbol[] = [];
    for (const name of this.labelOrder) {
      const l = this.labels.get(name)!;
      let size: number | undefined;
      const st = this.sizes.get(name);
      if (st) {
        const v = this.evalExpr(st, true, this.numCounts, 0, l.sec);
        if (v && v.sec === null && v.sym === null) size = v.add;
      }
      const type = this.types.get(name);
      symbols.push({ name, section: l.sec, value: l.off, global: this.globals.has(name), ...(size !== undefined ? { size } : {}), ...(type ? { type } : {}) });
    }
    for (const [name, v] of this.equs) {
      if (typeof v === "number") symbols.push({ name, section: null, value: v, global: this.globals.has(name) });
      else if (v.sec !== null) symbols.push({ name, section: v.sec, value: v.add, global: this.globals.has(name) });
    }
    return { sections, symbols };
  }
}

/** Assemble GNU-syntax RV32IMA source into a relocatable object. Throws AsmError (with line and column). */
export function assemble(source: string, opts: AssembleOptions = {}): ObjectModule {
  const a = new Assembler(opts);
  const lines = source.split("\n");
  let inComment = false;
  for (let ln = 0; ln < lines.length; ln++) {
    a.line = ln + 1;
    a.ctx.line = ln + 1;
    let text = lines[ln]!;
    // block comments /* ... */ (keep columns by replacing with spaces)
    let out = "";
    let k = 0;
    let inStr = false;
    while (k < text.length) {
      if (inComment) {
        const e = text.indexOf("*/", k);
        if (e < 0) {
          out += " ".repeat(text.length - k);
          k = text.length;
        } else {
          out += " ".repeat(e + 2 - k);
          k = e + 2;
          inComment = false;
        }
        continue;
      }
      const ch = text[k]!;
      if (ch === '"' && text[k - 1] !== "\\") inStr = !inStr;
      if (!inStr && ch === "/" && text[k + 1] === "*") {
        inComment = true;
        continue;
      }
      if (!inStr && ch === "#") {
        out += text.slice(k);
        break;
      }
      out += ch;
      k++;
    }
    text = out;
    for (const st of lex(text, a.ctx)) a.statement(st);
  }
  return a.finish();
}

/**
 * Assemble instructions standalone (no external symbols) as if placed at `pc`, returning the words.
 * For tests and the disassembler round trip: `encodeInstruction("beq a0, a1, 0x1010", 0x1000)`.
 */
export function encodeInstruction(text: string, pc = 0): number[] {
  const obj = assemble(text, { origin: pc });
  const sec = obj.sections.find((s) => s.name === ".text")!;
  if (sec.relocs.length) throw new AsmError(`'${text}' refers to undefined symbol '${sec.relocs[0]!.symbol}'`, 1, 1);
  const out: number[] = [];
  for (let i = 0; i + 2 <= sec.data.length; ) {
    const h = sec.data[i]! | (sec.data[i + 1]! << 8);
    if ((h & 3) !== 3) {
      out.push(h); // a compressed instruction: one 16-bit value
      i += 2;
      continue;
    }
    if (i + 4 > sec.data.length) break;
    out.push((sec.data[i]! | (sec.data[i + 1]! << 8) | (sec.data[i + 2]! << 16) | (sec.data[i + 3]! << 24)) >>> 0);
    i += 4;
  }
  return out;
}
