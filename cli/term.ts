// The terminal conventions of every kiln subcommand: colour only where it helps (pass/fail, diff
// signs, diagnostics) and only on a terminal, honouring NO_COLOR (https://no-color.org) and
// FORCE_COLOR; progress lines for long work only when stderr is a terminal, silence when piped.

interface Stream {
  readonly isTTY?: boolean;
}

/**
 * Whether to colour what goes to `stream`: FORCE_COLOR (https://force-color.org: set and not empty;
 * "0" or "false" turn colour off) forces it, NO_COLOR (set and not empty) forbids it, otherwise only
 * on a terminal.
 */
export function useColour(stream: Stream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env["FORCE_COLOR"];
  if (force !== undefined && force !== "") return force !== "0" && force !== "false";
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  return stream.isTTY === true && env["TERM"] !== "dumb";
}

const SGR = { red: 31, green: 32, yellow: 33, cyan: 36, bold: 1, dim: 2 } as const;
export type Style = keyof typeof SGR;

/** A painter for one stream: `paint("red", "FAIL")` colours only when that stream wants colour. */
export function painter(stream: Stream = process.stdout): (style: Style, text: string) => string {
  const on = useColour(stream);
  return (style, text) => (on && text !== "" ? `\x1b[${SGR[style]}m${text}\x1b[0m` : text);
}

/** Colours the words pass/green and FAIL/fail/UNEXPECTED in a report (whole words, in place). */
export function paintVerdicts(text: string, paint: (style: Style, text: string) => string): string {
  return text
    .replace(/\b(pass|green)\b/g, (w) => paint("green", w))
    .replace(/\b(FAIL|fail|red|UNEXPECTED)\b/g, (w) => paint("red", w));
}

/** Colours a diff-like report: lines whose first non-blank character is + green, - red, ~ yellow. */
export function paintDiffSigns(text: string, paint: (style: Style, text: string) => string): string {
  return text.replace(/^(\s*)([+\-~])( .*)$/gm, (_m, sp: string, sign: string, rest: string) =>
    `${sp}${paint(sign === "+" ? "green" : sign === "-" ? "red" : "yellow", sign + rest)}`,
  );
}

/** Colours `file:line:col: error:` diagnostics: the place dim, "error" red, "warning" yellow. */
export function paintDiagnostic(line: string, paint: (style: Style, text: string) => string): string {
  return line.replace(/^(\S+?:\d+(?::\d+)?): (error|warning)(:?)/, (_m, at: string, kind: string, colon: string) =>
    `${paint("bold", at)}: ${paint(kind === "error" ? "red" : "yellow", kind)}${colon}`,
  );
}

export interface Progress {
  /** Shows "label done/total" (overwriting the previous one). */
  update(done: number, total: number, what?: string): void;
  /** Erases the progress line. */
  end(): void;
}

/** A progress line on stderr, only when stderr is a terminal (and KILN_PROGRESS is not 0); otherwise it does nothing. */
export function progress(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const on = stream.isTTY === true && process.env["KILN_PROGRESS"] !== "0";
  let shown = false;
  let last = 0;
  return {
    update(done, total, what) {
      if (!on) return;
      const now = Date.now();
      if (done < total && now - last < 50) return;
      last = now;
      const cols = stream.columns ?? 80;
      const line = `${label} ${done}/${total}${what ? ` ${what}` : ""}`.slice(0, Math.max(10, cols - 1));
      stream.write(`\r\x1b[2K${line}`);
      shown = true;
    },
    end() {
      if (on && shown) stream.write("\r\x1b[2K");
      shown = false;
    },
  };
}
