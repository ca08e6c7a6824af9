// The playground page: a form (program ABI, kernel ABI, sample, instruction bound) and the places
// the page script (web/playground/page.ts, bundled into playground.js) fills with the run's output,
// exit status, instruction count and per-call trace. The sample programs are in
// playground-samples.js, built by web/playground/samples.ts.
import type { ElementContent } from "hast";
import { h } from "hastscript";
import type { SiteContext } from "../context.ts";
import type { Page } from "../layout.ts";
import { relHref } from "../paths.ts";
import { SAMPLES } from "../playground/samples.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../../impl/toolchain/cc.ts";
import { MATRIX_PATH } from "./matrix.ts";

export const PLAYGROUND_PATH = "playground.html";
export const PLAYGROUND_JS = "playground.js";
export const PLAYGROUND_SAMPLES_JS = "playground-samples.js";
/**
 * The default run (the one the browser test makes), from the spec's tables: the newest program ABI
 * on the oldest kernel ABI that speaks through a message ring, so the trace shows messages (the
 * newest kernel when none has a ring).
 */
export function playgroundDefault(programs: readonly { version: string }[], kernels: readonly { version: string; ring: string | null }[]) {
  const kernel = kernels.find((k) => k.ring !== null) ?? kernels[kernels.length - 1];
  return { program: programs[programs.length - 1]?.version ?? "", kernel: kernel?.version ?? "", sample: "hello", maxInsns: 50_000_000 } as const;
}

function select(id: string, label: string, options: readonly { value: string; label: string }[], selected: string): ElementContent {
  const pick = options.some((o) => o.value === selected) ? selected : options[options.length - 1]?.value;
  return h("label.pg-field", { htmlFor: id }, [
    h("span", label),
    h(`select#${id}`, { name: id }, options.map((o) => h("option", { value: o.value, selected: o.value === pick }, o.label))),
  ]);
}

/** `missing`: why there are no samples (no cross compiler), or null. */
export function playgroundPage(ctx: SiteContext, sampleIds: readonly string[], missing: string | null): Page {
  const path = PLAYGROUND_PATH;
  const d = playgroundDefault(ctx.abi.programs, ctx.abi.kernels);
  const samples = SAMPLES.filter((s) => sampleIds.includes(s.id));
  const content: ElementContent[] = [
    h("h1", "Playground"),
    h("p.lede", [
      "Run a sample program on kiln in your browser: the RV32IMA emulator, the kernel and the layers are bundled into this page. ",
      "Pick the program ABI the program was built for and the kernel ABI to run it on; the kernel's loader maps the layer the ",
      h("a", { href: relHref(path, "loader.html") }, "selection table"),
      " names for the pair. The same program gives the same output on every kernel; the trace shows how the calls reach the kernel, and the ",
      h("a", { href: relHref(path, MATRIX_PATH) }, "matrix"),
      " shows the route of every slot.",
    ]),
  ];
  if (missing) content.push(h("p.note", [h("strong", "No sample programs. "), missing, "."]));
  content.push(
    h("div.pg-form", [
      select("pg-program", "Program ABI", ctx.abi.programs.map((p) => ({ value: p.version, label: `${p.version} — ${p.title}` })), d.program),
      select("pg-kernel", "Kernel ABI", ctx.abi.kernels.map((k) => ({ value: k.version, label: `${k.version} — ${k.title}` })), d.kernel),
      select("pg-sample", "Sample", samples.map((s) => ({ value: s.id, label: s.title })), d.sample),
      h("label.pg-field", { htmlFor: "pg-max" }, [h("span", "Instruction bound"), h("input#pg-max", { type: "number", min: 1000, step: 1000, value: String(d.maxInsns), name: "pg-max" })]),
      h("button#pg-run", { type: "button", disabled: true }, "Run"),
    ]),
    h("p.pg-command", ["Command line: ", h("code#pg-command", "")]),
    h("p.pg-command", ["The same run with ", h("code", "kiln"), ": ", h("code#pg-kiln", ""), h("span#pg-root-note", { hidden: true }, " (DIR holds the sample's files, or its script, shown below)")]),
    h("details.pg-source-box", { open: true }, [
      h("summary", "The source it runs"),
      ...samples.map((s) =>
        s.port
          ? h("div.pg-source", { dataSample: s.id, dataFile: s.source, hidden: s.id !== d.sample }, [
              h("label", { htmlFor: "pg-script" }, ["The script, ", h("code", s.port.script), " in the guest (edit it, then Run):"]),
              h("textarea#pg-script.pg-script", { name: "pg-script", rows: 24, spellCheck: "false" }, readFileSync(join(REPO, s.source), "utf8")),
            ])
          : h("pre.pg-source", { dataSample: s.id, dataFile: s.source, hidden: s.id !== d.sample }, [
          h("code", readFileSync(join(REPO, s.source), "utf8")),
          ...Object.entries(s.files).map(([f, text]) => h("code.pg-file", `\n/* ${f} */\n${text}`)),
        ]),
      ),
    ]),
    h("noscript", [h("p.note", "The playground needs JavaScript.")]),
    h("section#pg-result", { dataState: "idle", ariaLive: "polite" }, [
      h("dl.pg-summary", [
        h("div", [h("dt", "Outcome"), h("dd#pg-outcome", "not run yet")]),
        h("div", [h("dt", "Exit status"), h("dd#pg-status", "—")]),
        h("div", [h("dt", "Instructions"), h("dd#pg-insns", "—")]),
        h("div", [h("dt", "Calls traced"), h("dd#pg-calls", "—")]),
        h("div", [h("dt", "Layer"), h("dd", [h("code#pg-layer", "—")])]),
        h("div", [h("dt", "Time"), h("dd#pg-ms", "—")]),
      ]),
      h("h2", { id: "output" }, "Standard output"),
      h("pre#pg-stdout.pg-out", ""),
      h("div#pg-stderr-box", { hidden: true }, [h("h3", "Standard error"), h("pre#pg-stderr.pg-out", "")]),
      h("h2", { id: "trace" }, "Trace"),
      h("p#pg-trace-note.lede", "Run a program to see one row per call."),
      h("div.table-wrap", [h("table#pg-trace.pg-trace", [h("thead", [h("tr#pg-trace-head")]), h("tbody#pg-trace-body")])]),
      h("p.pg-mode-line", ["The engine ", h("span#pg-mode", "is loading"), ". Every run is bounded by the instruction bound (exit status 124 when it runs out)."]),
    ]),
    h("h2", { id: "samples" }, "The samples"),
    h(
      "dl.pg-samples",
      samples.flatMap((s) => [h("dt", [h("code", s.argv.join(" "))]), h("dd", [s.about, " Source: ", h("code", s.source), "."])]),
    ),
    h("p", [
      "Built for every program ABI with ",
      h("code", "kiln cc"),
      samples.some((s) => s.port) ? [" (the Lua interpreter with ", h("code", "kiln ports build"), ", see ", h("a", { href: relHref(path, "docs/ports.html") }, "ports"), ")"] : [],
      " when the site is built; run the same binaries with ",
      h("code", "kiln run --kernel k3 prog"),
      " (see ",
      h("a", { href: relHref(path, "docs/writing-a-guest-program.html") }, "writing a guest program"),
      ").",
    ]),
    h("script", { src: relHref(path, PLAYGROUND_SAMPLES_JS) }),
    h("script", { src: relHref(path, PLAYGROUND_JS) }),
  );
  return { path, label: "Playground", title: "Playground", section: "tool", content, sources: ["web/playground/", ...samples.map((s) => s.source)] };
}
