// Assembler expressions: GNU `as` operators and precedence over numbers, labels, `.`, numeric
// local labels (1f, 1b), .equ symbols and undefined (external) symbols.

import type { AsmError, Tok } from "./lexer.ts";

/** A value: absolute (sec = null, sym = null), a label in a section (sec + offset in add) or an external symbol (sym). */
export interface Val {
  add: number;
  sec: string | null;
  sym: string | null; // symbol name to use for relocation (labels have names too)
}

export interface LabelDef {
  sec: string;
  off: number;
}

/** What an expression can name. */
export interface SymbolEnv {
  readonly labels: ReadonlyMap<string, LabelDef>;
  readonly equs: ReadonlyMap<string, number | Val>;
  /** numeric label -> its definitions in order */
  readonly numDefs: ReadonlyMap<string, LabelDef[]>;
  err(msg: string, col: number): AsmError;
}

/** Evaluate; `final` = all labels known (end of file). Returns null when not yet resolvable (only if !final). */
export function evalExpr(
  env: SymbolEnv,
  toks: Tok[],
  final: boolean,
  numCounts: ReadonlyMap<string, number>,
  dot: number,
  secName: string,
): Val | null {
  let pos = 0;
  const peek = (): Tok | undefined => toks[pos];
  const fail = (msg: string, t?: Tok): never => {
    throw env.err(msg, (t ?? toks[Math.min(pos, toks.length - 1)])?.col ?? 1);
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
      const defs = env.numDefs.get(m[1]!) ?? [];
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
    const e = env.equs.get(name);
    if (e !== undefined) return typeof e === "number" ? absv(e) : { ...e };
    const l = env.labels.get(name);
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
  if (toks.length === 0) throw env.err("expected an expression", 1);
  const v = binary(0);
  if (pos < toks.length) fail(`unexpected '${toks[pos]!.text}' after expression`, toks[pos]);
  if (unresolved) return null;
  return v;
}
