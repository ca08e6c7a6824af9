// Links inside the marked tables of the rendered spec pages: a call or slot id to its page
// (calls/openat.html, slots/openat.html), every errno to its row of the errno table, version names
// to their page, recipes to their row in routes.html, a realise row's call to the call's page, and
// a structure type to its table. Runs over the hast of a rendered page, by the column names of
// each table's header, so a new column or table kind needs one line here.
import type { Element, ElementContent } from "hast";
import { toString as hastToString } from "hast-util-to-string";
import { visit } from "unist-util-visit";
import type { SiteContext } from "./context.ts";
import { callPath, slotPath } from "./pages/calls.ts";
import { relHref } from "./paths.ts";

const a = (href: string, text: string, code = false): Element => ({
  type: "element",
  tagName: "a",
  properties: { href },
  children: code ? [{ type: "element", tagName: "code", properties: {}, children: [{ type: "text", value: text }] }] : [{ type: "text", value: text }],
});
const text = (value: string): ElementContent => ({ type: "text", value });

/** Replace a cell's leading text (before its ¶ self-link) with `make(text)`. */
function relinkLead(td: Element, make: (t: string) => ElementContent | null): void {
  const i = td.children.findIndex((c) => c.type === "text" && c.value.trim() !== "");
  if (i < 0) return;
  const node = td.children[i] as { value: string };
  const repl = make(node.value.trim());
  if (repl) td.children[i] = repl;
}

/** A comma-separated cell whose parts each become a link (or stay text). */
function relinkList(td: Element, make: (t: string) => string | null, code = false): void {
  if (td.children.some((c) => c.type === "element" && c.tagName !== "code")) return;
  const raw = hastToString(td).trim();
  if (!raw || raw === "—" || raw === "-") return;
  const parts = raw.split(",").map((x) => x.trim());
  td.children = parts.flatMap((p, i) => {
    const href = make(p);
    return [...(i ? [text(", ")] : []), href ? a(href, p, code) : text(p)];
  });
}

export function linkTables(ctx: SiteContext, page: string, content: ElementContent[]): void {
  const calls = new Set(ctx.abi.kernels.flatMap((k) => [...k.syscalls, ...k.messages].map((s) => s.id)));
  const slots = new Set(ctx.abi.programs.flatMap((p) => p.slots.map((s) => s.id)));
  const versions = new Set([...ctx.abi.kernels, ...ctx.abi.programs].map((v) => v.version));
  const errno = (e: string) => ctx.href(page, "errors.html", `errno.${e}`);
  const version = (v: string) => (versions.has(v) ? relHref(page, ctx.abiPage(v)) : null);
  const recipe = (r: string) => ctx.href(page, "routes.html", `recipe.${r}`);
  const pageVersion = /^abi\/([pk]\d+)\.html$/.exec(page)?.[1] ?? null;
  const structTable = (name: string) => (pageVersion ? ctx.href(page, page, `${pageVersion}.struct.${name}`) : null);
  const root: Element = { type: "element", tagName: "div", properties: {}, children: content };
  visit(root, "element", (table) => {
    if (table.tagName !== "table") return;
    const kind = table.properties.dataKind;
    if (typeof kind !== "string") return;
    const thead = table.children.find((c): c is Element => c.type === "element" && c.tagName === "thead");
    const tbody = table.children.find((c): c is Element => c.type === "element" && c.tagName === "tbody");
    const headRow = thead?.children.find((c): c is Element => c.type === "element" && c.tagName === "tr");
    if (!headRow || !tbody) return;
    const cols = headRow.children.filter((c): c is Element => c.type === "element").map((c) => hastToString(c).trim().toLowerCase());
    for (const tr of tbody.children) {
      if (tr.type !== "element" || tr.tagName !== "tr") continue;
      const tds = tr.children.filter((c): c is Element => c.type === "element" && c.tagName === "td");
      tds.forEach((td, i) => {
        const col = cols[i];
        if (col === "id" && (kind === "syscalls" || kind === "messages")) relinkLead(td, (t) => (calls.has(t) ? a(relHref(page, callPath(t)), t) : null));
        else if (col === "id" && kind === "slots") relinkLead(td, (t) => (slots.has(t) ? a(relHref(page, slotPath(t)), t) : null));
        else if (col === "slot" && kind === "realise") relinkLead(td, (t) => (slots.has(t) ? a(relHref(page, slotPath(t)), t) : null));
        else if (col === "call" && (kind === "realise" || kind === "arguments")) relinkList(td, (t) => (calls.has(t) ? relHref(page, callPath(t)) : slots.has(t) ? relHref(page, slotPath(t)) : null));
        else if (col === "errors") relinkList(td, errno);
        else if (col === "since" || col === "removed" || col === "base" || col === "native kernel" || col === "program" || col === "kernel") relinkList(td, version);
        else if (col === "recipe" && kind === "realise") relinkList(td, recipe);
        else if (col === "uses" && kind === "recipes") relinkList(td, (t) => (calls.has(t) ? relHref(page, callPath(t)) : null));
        else if (col === "type" && kind === "struct") relinkList(td, (t) => structTable(t.replace(/\[\d*\]$/, "")), true);
      });
    }
  });
}
