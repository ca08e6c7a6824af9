// RV32IMAC assembler for the GNU text form, producing a relocatable ObjectModule (impl/asm/object.ts).
// Modules: lexer.ts (tokens), expressions.ts (values), state.ts (sections, symbols, fixups),
// encoder.ts (instructions, from the instruction table in impl/isa), directives.ts; this file
// splits statements and resolves the fixups at the end of the file.
//
// One pass with fixups: every operand that names a symbol becomes a fixup, resolved at the end of
// the file. A pc-relative fixup (branch, jal, call/tail, %pcrel_hi/%pcrel_lo, la) against a label of
// the same section is resolved here; everything else against a label or an undefined symbol becomes
// a relocation for the linker. Absolute values (.equ, numbers) are always resolved here.
// Numeric branch/jump targets are absolute addresses, taking the section to start at `opts.origin`
// (default 0): that is how disassembled code (`beq a0,a1,0x1010`) reassembles.
// `li` is one instruction when its value is known and fits 12 bits (or is a multiple of 4096), else lui+addi.

import type { ObjSection, ObjSymbol, ObjectModule, RelocType } from "./object.ts";
import { applyRelocation } from "./relocate.ts";
import { encodeC, fits, rangeText } from "../isa/index.ts";
import { AsmError, lex, stripBlockComments, type Tok } from "./lexer.ts";
import type { Val } from "./expressions.ts";
import { AsmState, type AssembleOptions, type Fixup, type Operand, type SecBuild } from "./state.ts";
import { instruction } from "./encoder.ts";
import { directive } from "./directives.ts";

export { AsmError };
export type { AssembleOptions };

class Assembler extends AsmState {
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
    if (head.text.startsWith(".") && !/^(fence|lr|sc|amo)/.test(head.text)) directive(this, head.text, ops, head.col);
    else instruction(this, head.text, ops, head.col);
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
          if (!fits("imm", "I", v.add)) throw err(`immediate ${v.add} out of range (${rangeText("imm", "I")})`);
          if (f.kind === "imm_i") put("lo12_i", v.add, 0, 0);
          else put("lo12_s", v.add, 0, 0);
          break;
        case "imm_u": {
          if (!abs) throw err("immediate must be an absolute value (use %hi(symbol) for an address)");
          if (!fits("imm", "U", v.add)) throw err(`immediate ${v.add} out of range (${rangeText("imm", "U")})`);
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
    ({ text, inComment } = stripBlockComments(text, inComment));
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
