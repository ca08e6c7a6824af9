// Assembler lexer: one source line into statements of tokens (numbers, identifiers, strings, punctuation).

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

export type TokKind = "id" | "num" | "str" | "punct";
export interface Tok {
  kind: TokKind;
  text: string;
  value?: number; // num
  bytes?: number[]; // str
  col: number;
}

const ID_START = /[A-Za-z_.$%]/;
const ID_PART = /[A-Za-z0-9_.$]/;

export class Ctx {
  constructor(
    readonly file: string,
    public line: number,
  ) {}
  err(msg: string, col: number): AsmError {
    return new AsmError(msg, this.line, col, this.file);
  }
}

export function lex(src: string, ctx: Ctx): Tok[][] {
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

/**
 * Blank out `/* … *\/` block comments in one line (spaces keep the columns); `inComment` carries an
 * open comment over to the next line.
 */
export function stripBlockComments(text: string, inComment: boolean): { text: string; inComment: boolean } {
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
  return { text: out, inComment };
}
