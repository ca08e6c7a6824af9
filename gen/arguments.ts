// The `arguments` table (spec/errors.md, "How arguments read"): how tools read a call's arguments.
// Checked here against the signatures it refers to; gen/abi-load.ts resolves it (constant
// selectors expanded to names and values) for the tracer and abi.json.
import type { Reporter } from "./diagnostics.ts";
import { argumentRules } from "./abi-load.ts";
import type { ArgumentRule as ArgumentRuleEntry } from "./types.ts";
import { specData } from "./data.ts";
import type { ArgumentRule, Spec } from "./model.ts";

/** The constants a selector names: a group, the group's names with a prefix, or one name. */
export function selectConstants(spec: Spec, selector: string): { name: string; value: number }[] {
  const [group, pick] = selector.split(":") as [string, string | undefined];
  return spec.constants
    .filter((c) => c.group === group && (pick === undefined || (pick.endsWith("*") ? c.name.startsWith(pick.slice(0, -1)) : c.name === pick)))
    .map((c) => ({ name: c.name, value: c.value }));
}

/** Every signature in the spec with this id (slots, kernel calls, messages). */
function signaturesOf(spec: Spec, id: string): (readonly { name: string; type: string }[])[] {
  const out: (readonly { name: string; type: string }[])[] = [];
  for (const p of spec.programs) for (const s of p.slots) if (s.id === id) out.push(s.args);
  for (const k of spec.kernels) {
    for (const s of k.syscalls) if (s.id === id) out.push(s.args);
    for (const m of k.messages) if (m.id === id) out.push(m.args);
  }
  return out;
}

/** The rules with their constants resolved (gen/abi-load.ts), each with its spec line: abi.json's `arguments`. */
export function resolveArguments(spec: Spec, srcOf: (r: ArgumentRule) => string): ArgumentRuleEntry[] {
  return argumentRules(specData(spec).chapters).map((r, i) => ({ ...r, src: srcOf(spec.arguments[i]!) }));
}

/** Rules [unknown-call], [unknown-arg], [unknown-constant], [bad-format], [duplicate-id]; [unknown-type]: a signature type missing from the types table. */
export function validateArguments(spec: Spec, report: Reporter): void {
  if (spec.types.length > 0) {
    const known = new Set(spec.types.map((t) => t.type));
    const check = (type: string, at: import("./diagnostics.ts").Position) => {
      const base = /^ptr<(\w+)>$/.exec(type) ? "ptr" : type;
      if (!known.has(base)) report.error(at, "unknown-type", `type \`${type}\` is not in the types table (spec/errors.md)`);
    };
    for (const p of spec.programs) for (const s of p.slots) for (const t of [...s.args.map((a) => a.type), s.ret]) check(t, s.cellAt.args ?? s.at);
    for (const k of spec.kernels) for (const s of [...k.syscalls, ...k.messages]) for (const t of [...s.args.map((a) => a.type), s.ret]) check(t, s.cellAt.args ?? s.at);
  }
  const seen = new Map<string, ArgumentRule>();
  for (const r of spec.arguments) {
    const key = `${r.call}.${r.arg}`;
    if (seen.has(key)) report.error(r.at, "duplicate-id", `argument rule ${r.call} ${r.arg} appears twice (first at line ${seen.get(key)!.at.line})`);
    seen.set(key, r);
    const sigs = r.call === "*" ? [...spec.programs.flatMap((p) => p.slots.map((s) => s.args)), ...spec.kernels.flatMap((k) => [...k.syscalls, ...k.messages].map((s) => s.args))] : signaturesOf(spec, r.call);
    if (r.call !== "*" && sigs.length === 0) report.error(r.cellAt.call ?? r.at, "unknown-call", `\`${r.call}\` is no slot, call or message of any ABI version`);
    const withArg = sigs.filter((s) => s.some((a) => a.name === r.arg));
    if (sigs.length > 0 && withArg.length === 0) report.error(r.cellAt.arg ?? r.at, "unknown-arg", `no signature of \`${r.call}\` has an argument \`${r.arg}\``);
    // A signature that lost its length argument is reported once, where it changed (arg-mismatch); tools then show the pointer.
    if (r.length && withArg.length > 0 && !withArg.some((s) => s.some((a) => a.name === r.length))) report.error(r.cellAt.length ?? r.at, "unknown-arg", `length \`${r.length}\` is not an argument of any \`${r.call}\` with \`${r.arg}\``);
    if (r.constants) {
      const group = r.constants.split(":")[0]!;
      if (!spec.constants.some((c) => c.group === group)) report.error(r.cellAt.constants ?? r.at, "unknown-constant", `no constants table for group \`${group}\``);
      else if (selectConstants(spec, r.constants).length === 0) report.error(r.cellAt.constants ?? r.at, "unknown-constant", `\`${r.constants}\` selects no constant`);
    }
    if (r.mask && !spec.constants.some((c) => c.name === r.mask)) report.error(r.cellAt.mask ?? r.at, "unknown-constant", `mask \`${r.mask}\` is not a constant`);
    const needsConstants = r.format === "flags" || r.format === "enum";
    if (needsConstants !== (r.constants !== null)) report.error(r.cellAt.format ?? r.at, "bad-format", needsConstants ? `format ${r.format} needs a \`constants\` selector` : "only the flags and enum formats take constants");
    if (r.mask && r.format !== "flags") report.error(r.cellAt.mask ?? r.at, "bad-format", "only the flags format takes a mask");
    if (r.format === "bytes" && !r.length) report.error(r.cellAt.length ?? r.at, "bad-format", "format bytes needs a `length` argument");
  }
}
