// Assembler directives: sections, symbols and their attributes, data, alignment.

import type { AsmState, Operand } from "./state.ts";

/** Carry out one directive statement (`.word 1, 2`, `.section .data`, …). */
export function directive(s: AsmState, name: string, ops: Operand[], col: number): void {
  const d = name.toLowerCase();
  const symName = (op: Operand | undefined): string => {
    if (!op || op.toks.length !== 1 || op.toks[0]!.kind !== "id") throw s.err(`${name}: expected a symbol name`, op?.col ?? col);
    return op.toks[0]!.text;
  };
  switch (d) {
    case ".text":
    case ".data":
    case ".rodata":
    case ".bss":
      s.switchSection(d, null, null, col);
      return;
    case ".section": {
      if (ops.length < 1) throw s.err(".section needs a name", col);
      const nt = ops[0]!.toks;
      const secName = nt.map((t) => t.text).join("");
      if (!secName || nt[0]!.kind === "str") throw s.err(".section: expected a section name", ops[0]!.col);
      let flags: string | null = null;
      let type: string | null = null;
      if (ops[1]) {
        const f = ops[1].toks;
        if (f.length !== 1 || f[0]!.kind !== "str") throw s.err('.section: flags must be a string like "aw"', ops[1].col);
        flags = String.fromCharCode(...f[0]!.bytes!);
      }
      if (ops[2]) {
        const t = ops[2].toks;
        if (t.length !== 2 || (t[0]!.text !== "@" && t[0]!.text !== "%") || t[1]!.kind !== "id")
          throw s.err(".section: type must be @progbits, @nobits or @note", ops[2].col);
        type = t[1]!.text;
      }
      s.switchSection(secName, flags, type, col);
      return;
    }
    case ".globl":
    case ".global":
      for (const op of ops) s.globals.add(symName(op));
      return;
    case ".local":
    case ".weak":
    case ".hidden":
    case ".protected":
      if (d === ".weak") for (const op of ops) s.globals.add(symName(op));
      return;
    case ".equ":
    case ".set": {
      if (ops.length !== 2) throw s.err(`${name} takes a name and a value`, col);
      const nm = symName(ops[0]);
      if (s.labels.has(nm)) throw s.err(`symbol '${nm}' is already defined as a label`, ops[0]!.col);
      if (d === ".equ" && s.equs.has(nm)) throw s.err(`symbol '${nm}' is already defined (use .set to redefine)`, ops[0]!.col);
      const v = s.evalExpr(ops[1]!.toks, false, s.numCounts, s.dot, s.cur.name);
      if (v === null) throw s.err(`${name} ${nm}: value must be known at this point (no forward references)`, ops[1]!.col);
      s.equs.set(nm, v.sec === null && v.sym === null ? v.add : v);
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
        const v = s.tryAbs(op.toks);
        if (v === null) {
          if (size === 4) s.fixup("abs32", op.toks, op.col);
          else s.fixup(size === 1 ? "byte" : "half", op.toks, op.col);
          s.emitBytes(new Array(size).fill(0), op.col);
          continue;
        }
        const lim = size === 4 ? 2 ** 32 : 2 ** (8 * size);
        if (v < -lim / 2 || v >= lim) throw s.err(`value ${v} does not fit in ${size} byte${size > 1 ? "s" : ""}`, op.col);
        const bs: number[] = [];
        for (let i = 0; i < size; i++) bs.push((v >>> (8 * i)) & 0xff);
        s.emitBytes(bs, op.col);
      }
      return;
    }
    case ".ascii":
    case ".asciz":
    case ".string":
      for (const op of ops) {
        if (op.toks.length !== 1 || op.toks[0]!.kind !== "str") throw s.err(`${name}: expected a string literal`, op.col);
        s.emitBytes(op.toks[0]!.bytes!, op.col);
        if (d !== ".ascii") s.emitBytes([0], op.col);
      }
      return;
    case ".zero":
    case ".space":
    case ".skip": {
      if (ops.length < 1 || ops.length > 2) throw s.err(`${name} takes a size and an optional fill byte`, col);
      const n = s.absNow(ops[0]!.toks, `${name} size`);
      if (n < 0 || n > 1 << 28) throw s.err(`${name} size ${n} out of range`, ops[0]!.col);
      const fill = ops[1] ? s.absNow(ops[1].toks, "fill value") & 0xff : 0;
      s.emitBytes(new Array(n).fill(fill), col);
      return;
    }
    case ".align":
    case ".p2align":
    case ".balign": {
      if (ops.length < 1) throw s.err(`${name} needs an alignment`, col);
      const v = s.absNow(ops[0]!.toks, "alignment");
      let align: number;
      if (d === ".balign") {
        if (v <= 0 || (v & (v - 1)) !== 0) throw s.err(`.balign ${v}: alignment must be a power of two`, ops[0]!.col);
        align = v;
      } else {
        if (v < 0 || v > 16) throw s.err(`${name} ${v}: exponent must be 0..16`, ops[0]!.col);
        align = 1 << v;
      }
      const fill = ops[1] && ops[1].toks.length ? s.absNow(ops[1].toks, "fill value") & 0xff : null;
      if (align > s.cur.align) s.cur.align = align;
      let pad = (align - (s.dot % align)) % align;
      if (s.cur.exec && fill === null && s.cur.kind !== "nobits") {
        while (pad > 0 && s.dot % 4 !== 0) {
          s.emitBytes([0], col);
          pad--;
        }
        while (pad >= 4) {
          s.emitWord(0x00000013, col);
          pad -= 4;
        }
      }
      s.emitBytes(new Array(pad).fill(fill ?? 0), col);
      return;
    }
    case ".size": {
      if (ops.length !== 2) throw s.err(".size takes a symbol and a size", col);
      s.sizes.set(symName(ops[0]), ops[1]!.toks);
      // note: current dot is needed for `. - sym`; evaluate now if possible
      const v = s.tryAbs(ops[1]!.toks);
      if (v !== null) s.sizes.set(symName(ops[0]), [{ kind: "num", text: String(v), value: v, col: ops[1]!.col }]);
      return;
    }
    case ".type": {
      if (ops.length !== 2) throw s.err(".type takes a symbol and a type", col);
      const t = ops[1]!.toks.map((x) => x.text).join("").replace(/^[@%]/, "");
      const ty = t === "function" ? "func" : t === "object" ? "object" : t === "notype" ? "notype" : null;
      if (ty === null) throw s.err(`.type: unknown type '${t}' (use @function, @object or @notype)`, ops[1]!.col);
      s.types.set(symName(ops[0]), ty);
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
  throw s.err(`unknown directive '${name}'`, col);
}
