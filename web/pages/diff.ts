// A page per pair of consecutive versions of a family (p1→p2, k1→k2): gen/diff.ts rendered as
// tables whose ids link into the two ABI pages.
import type { Element, ElementContent } from "hast";
import { h } from "hastscript";
import { changeIndex, changeKey, diffAbis, type AbiDiff, type Changed, type Entry, type FieldChange, type RegionDiff, type RouteChange, type RouteSide, type StructChange, type TableDiff } from "../../gen/diff.ts";
import { routeBadge, type SiteContext } from "../context.ts";
import type { Page } from "../layout.ts";

export const diffPath = (from: string, to: string) => `diff/${from}-${to}.html`;

const sig = (e: Entry) => `(${e.args.map((a) => `${a.name}: ${a.type}`).join(", ")}) → ${e.ret}`;
const shape = (s: { offset: number; size: number; type: string } | null) => (s ? `@${s.offset} · ${s.size} B · ${s.type}` : "—");

function table(head: string[], rows: Element[], cls = "diff-table"): Element {
  return h("div.table-wrap", [h(`table.${cls}`, [h("thead", [h("tr", head.map((c) => h("th", c)))]), h("tbody", rows)])]);
}

function row(id: string, cells: (ElementContent | string | (ElementContent | string)[])[], cls?: string): Element {
  return h(`tr.row${cls ? `.${cls}` : ""}`, { id }, cells.map((c, i) => h("td", i === 0 ? [...(Array.isArray(c) ? c : [c]), " ", h("a.self", { href: `#${id}`, ariaLabel: `Link to ${id}` }, "¶")] : Array.isArray(c) ? c : [c])));
}

function entrySection(ctx: SiteContext, page: string, d: AbiDiff, t: TableDiff, what: "call" | "slot" | "message"): ElementContent[] {
  const out: ElementContent[] = [];
  const num = what === "call" ? "nr" : what === "slot" ? "slot" : "opcode";
  const plural = what === "message" ? "Messages" : what === "call" ? "System calls" : "Slots";
  if (t.added.length + t.removed.length + t.renumbered.length + t.changed.length === 0) return out;
  out.push(h("h2", { id: `${what}s` }, plural));
  const link = (e: { id: string; src: string }) => ctx.linkSrc(page, e.src, e.id);
  if (t.added.length) {
    out.push(h("h3", `Added in ${d.to}`));
    out.push(table(["id", num, "signature"], t.added.map((e) => row(changeKey(`${what}.added`, e.id), [link(e), String(e.number), h("code", sig(e))], "added"))));
  }
  if (t.removed.length) {
    out.push(h("h3", `Removed in ${d.to}`));
    out.push(table(["id", `${num} in ${d.from}`, "signature"], t.removed.map((e) => row(changeKey(`${what}.removed`, e.id), [link(e), String(e.number), h("code", sig(e))], "removed"))));
  }
  if (t.renumbered.length) {
    out.push(h("h3", "Renumbered (same id, other number)"));
    out.push(table(["id", d.from, d.to], t.renumbered.map((r) => row(changeKey(`${what}.renumbered`, r.id), [link(r), String(r.from), h("strong", String(r.to))], "renumbered"))));
  }
  if (t.changed.length) {
    out.push(h("h3", "Signature or errors changed"));
    const cell = (c: Changed, e: Entry) => [h("code", sig(e)), h("br"), h("small", e.errors.join(", ") || "—")];
    out.push(table(["id", "what", d.from, d.to], t.changed.map((c) => row(changeKey(`${what}.changed`, c.id), [link(c.to), c.aspects.join(", "), cell(c, c.from), cell(c, c.to)], "changed"))));
  }
  return out;
}

function fieldRows(prefix: string, c: StructChange): Element[] {
  return c.fields.map((f: FieldChange) =>
    row(`${prefix}.${f.field}`, [h("code", f.field), h("span", { className: ["kinds"] }, f.kinds.join(", ")), shape(f.from), shape(f.to)], f.kinds.includes("added") ? "added" : f.kinds.includes("removed") ? "removed" : "changed"),
  );
}

function structBlock(d: AbiDiff, c: StructChange, idPrefix: string): ElementContent[] {
  const bits: string[] = [];
  if (c.size) bits.push(`size ${c.size.from} → ${c.size.to} bytes`);
  if (c.align) bits.push(`align ${c.align.from} → ${c.align.to}`);
  return [
    h("h3", { id: idPrefix }, [h("code", c.name), bits.length ? ` — ${bits.join(", ")}` : ""]),
    table(["field", "change", d.from, d.to], fieldRows(idPrefix, c)),
  ];
}

function regionSection(d: AbiDiff, title: string, key: string, r: RegionDiff | null): ElementContent[] {
  if (!r || r.status === "none" || r.status === "same") return [];
  const said =
    r.status === "added" ? `${d.to} adds it: structure ${r.to}.` : r.status === "removed" ? `${d.to} has none (${d.from} had ${r.from}).` : r.status === "renamed" ? `${d.to} names ${r.to} (${d.from}: ${r.from}).` : `${d.to} rearranges ${r.to}:`;
  return [h("h2", { id: changeKey(key, r.status) }, title), h("p", said), ...(r.layout ? structBlock(d, r.layout, `${key}.layout`) : [])];
}

function sideCell(ctx: SiteContext, page: string, s: RouteSide | null): (ElementContent | string)[] {
  if (!s) return [h("span.route.route-none", "no route")];
  const detail = s.summary.slice(s.route.length).trim();
  return [routeBadge(s.route), " ", ctx.linkSrc(page, s.src, h("code", detail || s.route))];
}

function routeSection(ctx: SiteContext, page: string, d: AbiDiff): ElementContent[] {
  if (d.family !== "kernel") return [];
  const idx = changeIndex(d);
  const out: ElementContent[] = [h("h2", { id: "routes" }, "Routes forced")];
  if (d.routes.length === 0) return [...out, h("p", "No program slot is realised differently.")];
  out.push(
    h("p", [
      `Every program slot whose realisation differs between ${d.from} and ${d.to} (from `,
      h("code", "realise(spec, p, k)"),
      "), with the changes above that force it.",
    ]),
  );
  // A realise row is not a change of this diff but the spec's own word: link to the row itself.
  const cause = (r: RouteChange, c: string): ElementContent => {
    if (c !== changeKey("realise", "row")) return h("a", { href: `#${c}` }, idx.get(c) ?? c);
    const rowSrc = [r.to, r.from].find((x) => x && /\/abi\/k\d+\.md:/.test(x.src) && ctx.srcHref(page, x.src)?.includes(".realise."));
    const which = rowSrc === r.to ? d.to : d.from;
    return rowSrc ? ctx.linkSrc(page, rowSrc.src, h("span", `realise row of ${which}`)) : h("span", "a realise row");
  };
  const causeCell = (r: RouteChange) => (r.causes.length ? r.causes.flatMap((c, i) => [...(i ? [h("br")] : []), cause(r, c)]) : ["—"]);
  const slotCell = (r: RouteChange) => ctx.linkId(page, ctx.abiPage(r.program), `${r.program}.${r.id}`, r.id);
  const programs = [...new Set(d.routes.map((r) => r.program))];
  for (const p of programs) {
    const changed = d.routes.filter((r) => r.program === p && !r.sameRoute);
    const relaid = d.routes.filter((r) => r.program === p && r.sameRoute);
    out.push(h("h3", { id: `routes.${p}` }, `Program ${p}`));
    if (changed.length) {
      out.push(table(["slot", `on ${d.from}`, `on ${d.to}`, "because"], changed.map((r) => row(`route.${r.program}.${r.id}`, [slotCell(r), sideCell(ctx, page, r.from), sideCell(ctx, page, r.to), causeCell(r)])), "diff-table.routes"));
    }
    if (relaid.length) {
      out.push(h("p", `Same route on both kernels, but what it reads has a new layout (the ${d.to} layer's code for these slots differs):`));
      out.push(table(["slot", "route", "because"], relaid.map((r) => row(`route.${r.program}.${r.id}`, [slotCell(r), sideCell(ctx, page, r.to), causeCell(r)])), "diff-table.routes"));
    }
  }
  return out;
}

export function diffPage(ctx: SiteContext, from: string, to: string): Page {
  const d = diffAbis(ctx.spec, from, to);
  const path = diffPath(from, to);
  const fam = d.family === "kernel" ? "Kernel" : "Program";
  const t = d.calls;
  const counts = [
    `${t.added.length} ${d.family === "kernel" ? "calls" : "slots"} added`,
    `${t.removed.length} removed`,
    `${t.renumbered.length} renumbered`,
    `${t.changed.length} changed`,
    `${d.structs.added.length + d.structs.removed.length + d.structs.changed.length} structure changes`,
    ...(d.family === "kernel" ? [`${d.routes.length} slot routes changed`] : []),
  ];
  const content: ElementContent[] = [
    h("h1", `${fam} ABI ${from} → ${to}`),
    h("p.lede", [
      "What changed from ",
      h("a", { href: `../${ctx.abiPage(from)}` }, from),
      " to ",
      h("a", { href: `../${ctx.abiPage(to)}` }, to),
      `: ${counts.join(" · ")}. The same data: `,
      h("code", `kiln diff ${from} ${to} --json`),
      ".",
    ]),
  ];
  if (d.header.length) {
    content.push(h("h2", { id: "header" }, "Version header"), table(["column", from, to], d.header.map((x) => row(`header.${x.column.replace(/\s+/g, "-")}`, [x.column, String(x.from ?? "—"), String(x.to ?? "—")]))));
  }
  content.push(...entrySection(ctx, path, d, d.calls, d.family === "kernel" ? "call" : "slot"));
  content.push(...entrySection(ctx, path, d, d.messages, "message"));
  const s = d.structs;
  if (s.added.length + s.removed.length + s.changed.length > 0) {
    content.push(h("h2", { id: "structs" }, "Structures"));
    if (s.added.length) content.push(h("h3", `Added in ${to}`), table(["structure", "size"], s.added.map((x) => row(changeKey("struct.added", x.name), [ctx.linkSrc(path, x.src, x.name), `${x.size} B`], "added"))));
    if (s.removed.length) content.push(h("h3", `Removed in ${to}`), table(["structure", "size"], s.removed.map((x) => row(changeKey("struct.removed", x.name), [ctx.linkSrc(path, x.src, x.name), `${x.size} B`], "removed"))));
    // The shared page's and the ring's own structures are shown in their sections below.
    const regions = new Map<string, string>();
    for (const [r, id, title] of [[d.sharedPage, "shared-page", "Shared page"], [d.ring, "ring", "Message ring"]] as const) {
      if (r?.layout) regions.set(r.layout.name, `#${changeKey(id, r.status)}|${title}`);
    }
    for (const c of s.changed) {
      const region = regions.get(c.name);
      if (region) {
        const [href, title] = region.split("|") as [string, string];
        content.push(h("h3", { id: changeKey("struct.changed", c.name) }, [h("code", c.name)]), h("p", ["Rearranged: see ", h("a", { href }, title), "."]));
      } else content.push(...structBlock(d, c, changeKey("struct.changed", c.name)));
    }
  }
  content.push(...regionSection(d, "Shared page", "shared-page", d.sharedPage));
  content.push(...regionSection(d, "Message ring", "ring", d.ring));
  content.push(...routeSection(ctx, path, d));
  if (content.length === 2) content.push(h("p", "No differences."));
  return { path, label: `${from} → ${to}`, title: `${fam} ABI ${from} → ${to}`, section: "diff", content, sources: [`spec/abi/${from}.md`, `spec/abi/${to}.md`] };
}
