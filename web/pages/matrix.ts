// The compatibility matrix: every program ABI × kernel ABI. With run results (out/matrix.json),
// each cell says whether the pair passed and what each route cost; without them, each cell counts
// the routes of the generated realisation. Below, per program, the route of every slot on every
// kernel.
import type { Element, ElementContent } from "hast";
import { h } from "hastscript";
import { ROUTES } from "../../gen/schema.ts";
import { routeBadge, type SiteContext } from "../context.ts";
import type { Page } from "../layout.ts";
import type { MatrixCell } from "../matrix-data.ts";
import { relHref } from "../paths.ts";

export const MATRIX_PATH = "matrix.html";

const routeOrder = (r: string) => {
  const i = (ROUTES as readonly string[]).indexOf(r);
  return i < 0 ? ROUTES.length : i;
};

/** `stale`: why the run results may not describe this spec (web/site.ts matrixStaleness), shown on top. */
export function matrixPage(ctx: SiteContext, results: MatrixCell[] | null, resultsName: string | null, stale: readonly string[] = []): Page {
  const path = MATRIX_PATH;
  const programs = ctx.abi.programs.map((p) => p.version);
  const kernels = ctx.abi.kernels.map((k) => k.version);
  const real = (p: string, k: string) => ctx.abi.realisations.find((r) => r.program === p && r.kernel === k);
  const content: ElementContent[] = [h("h1", "Compatibility matrix")];

  const cellOf = (p: string, k: string): ElementContent[] => {
    const run = results?.find((c) => c.program === p && c.kernel === k);
    const r = real(p, k);
    const counts = new Map<string, number>();
    for (const s of r?.slots ?? []) counts.set(s.route, (counts.get(s.route) ?? 0) + 1);
    const layer = ctx.spec.selection.find((s) => s.program === p && s.kernel === k)?.layer ?? `${p}-${k}`;
    const out: ElementContent[] = [h("div.cell-head", [h("code", layer)])];
    if (results) {
      if (!run) out.push(h("div.verdict.not-run", "not run"));
      else {
        out.push(h(`div.verdict.${run.pass ? "pass" : "fail"}`, run.pass ? "pass" : "FAIL"));
        const routes = Object.entries(run.routes).sort(([a], [b]) => routeOrder(a) - routeOrder(b) || a.localeCompare(b));
        out.push(
          h(
            "table.runs",
            routes.map(([route, x]) => h("tr", [h("td", [routeBadge(route)]), h("td.num", { title: "calls" }, `${x.calls}×`), h("td.num", { title: "instructions" }, `${x.instructions} insn`), h("td.num", { title: "traps" }, `${x.traps} traps`)])),
          ),
        );
      }
    } else {
      out.push(
        h(
          "ul.route-counts",
          [...counts].sort(([a], [b]) => routeOrder(a) - routeOrder(b)).map(([route, n]) => h("li", [routeBadge(route), ` ${n}`])),
        ),
      );
    }
    return out;
  };

  for (const w of stale) content.push(h("p.note.stale", [h("strong", "Warning: "), w.replace(/^[A-Z ]+: /, "")]));
  if (results) {
    content.push(
      h("p.lede", [
        `Run results from `,
        h("code", resultsName ?? "matrix.json"),
        ": every program ABI against every kernel ABI, with what each route cost (calls, instructions retired, traps).",
      ]),
    );
  } else {
    content.push(
      h("p.note", [
        h("strong", "No run results are present. "),
        "This page shows the routes of the realisations derived from the spec (",
        h("code", "abi.json"),
        "); run ",
        h("code", "kiln matrix --json"),
        " to write ",
        h("code", "out/matrix.json"),
        " and rebuild the site to see which pairs pass and what each route costs.",
      ]),
    );
  }
  const grid: Element = h("div.table-wrap", [
    h("table.matrix", [
      h("thead", [h("tr", [h("th", "program ╲ kernel"), ...kernels.map((k) => h("th", [h("a", { href: relHref(path, ctx.abiPage(k)) }, k)]))])]),
      h(
        "tbody",
        programs.map((p) =>
          h("tr", [
            h("th", { scope: "row" }, [h("a", { href: relHref(path, ctx.abiPage(p)) }, p)]),
            ...kernels.map((k) => h("td.cell", { id: `matrix.${p}-${k}`, dataProgram: p, dataKernel: k }, cellOf(p, k))),
          ]),
        ),
      ),
    ]),
  ]);
  content.push(grid);

  content.push(h("h2", { id: "routes" }, "Route of every slot"));
  content.push(
    h("p", [
      "How each kernel realises each slot (",
      h("a", { href: relHref(path, "routes.html") }, "routes"),
      "). A cell links to the row that decided: a realise row or the kernel's call of the same id.",
    ]),
  );
  content.push(h("p.legend", ROUTES.map((r) => routeBadge(r)).flatMap((b) => [b, " "])));
  for (const p of programs) {
    const slots = ctx.abi.programs.find((x) => x.version === p)!.slots;
    content.push(h("h3", { id: `routes.${p}` }, [`Program `, h("a", { href: relHref(path, ctx.abiPage(p)) }, p)]));
    content.push(
      h("div.table-wrap", [
        h("table.slot-routes", [
          h("thead", [h("tr", [h("th", "slot"), h("th", "id"), ...kernels.map((k) => h("th", k))])]),
          h(
            "tbody",
            slots.map((s) =>
              h("tr.row", { id: `slot.${p}.${s.id}` }, [
                h("td.num", String(s.slot)),
                h("td", [ctx.linkId(path, ctx.abiPage(p), `${p}.${s.id}`, s.id)]),
                ...kernels.map((k) => {
                  const r = real(p, k)?.slots.find((x) => x.id === s.id);
                  if (!r) return h("td", [h("span.route.route-none", "no route")]);
                  const detail = [r.call, r.nr !== null ? `#${r.nr}` : null, r.opcode !== null ? `op ${r.opcode}` : null, r.recipe].filter(Boolean).join(" ");
                  return h("td", [routeBadge(r.route), detail ? " " : "", detail ? ctx.linkSrc(path, r.src, detail) : ""]);
                }),
              ]),
            ),
          ),
        ]),
      ]),
    );
  }
  return { path, label: "Compatibility matrix", title: "Compatibility matrix", section: "tool", content, sources: resultsName ? [resultsName, "generated realisation"] : ["generated realisation"] };
}
