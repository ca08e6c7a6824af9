// The assembler's state: sections being filled, labels and symbols, and the fixups resolved at the
// end of the file (assembler.ts). The instruction encoder (encoder.ts) and the directives
// (directives.ts) emit into it.

import { AsmError, Ctx, type Tok } from "./lexer.ts";
import { type LabelDef, type SymbolEnv, type Val, evalExpr } from "./expressions.ts";
import type { RelocType, Reloc, SectionKind } from "./object.ts";

export interface AssembleOptions {
  /** File name used in error messages. */
  readonly file?: string;
  /** Address assumed for the start of every section when a branch/jump target is a plain number. */
  readonly origin?: number;
}

/** One operand of a statement: its tokens and column. */
export interface Operand {
  toks: Tok[];
  col: number;
}

export interface SecBuild {
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

export interface Fixup {
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

/** The assembler's state while it reads a file: sections, symbols, fixups; what statements emit into. */
export class AsmState implements SymbolEnv {
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

  evalExpr(toks: Tok[], final: boolean, numCounts: ReadonlyMap<string, number>, dot: number, secName: string): Val | null {
    return evalExpr(this, toks, final, numCounts, dot, secName);
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
}
