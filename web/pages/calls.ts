// A page per kernel call (`calls/openat.html`) and per program slot (`slots/openat.html`), and an
// index of them (`calls.html`): a call's number and signature in every kernel ABI, the slots that
// reach it on every pair; a slot's index and signature in every program ABI, its route on every
// pair with the spec row that decides it; errors linked to the errno table; the history of both.
import type { ElementContent } from "hast";
import { h } from "hastscript";
import type { ArgSpec, SlotRealisation } from "../../gen/types.ts";
import { routeBadge, type SiteContext } from "../context.ts";
import type { Page } from "../layout.ts";
import { relHref } from "../paths.ts";

export const CALLS_INDEX = "calls.html";
export const callPath = (id: string) => `calls/${id}.html`;
export const slotPath = (id: string) => `slots/${id}.html`;

const sig = (args: readonly ArgSpec[], ret: string) => `(${args.map((a) => `${a.name}: ${a.type}`).join(", ")}) → ${ret}`;

/** Error names, each linked to its row of the errno table. */
export function errnoLinks(ctx: SiteContext, from: string, errors: readonly string[]): ElementContent[] {
  const text = (value: string): ElementContent => ({ type: "text", value });
  if (errors.length === 0) return [text("—")];
  return errors.flatMap((e, i) => [...(i ? [text(", ")] : []), ctx.linkId(from, "errors.html", `errno.${e}`, e)]);
}

/** What a realised slot calls: `openat#56`, the message, or the recipe. */
export function routeWhat(s: SlotRealisation): string {
  if (s.recipe) return s.recipe;
  if (s.route === "message") return s.call ?? s.id;
  return s.nr !== null ? `${s.call ?? s.id} #${s.nr}` : s.call ?? s.id;
}

export function callIds(ctx: SiteContext): string[] {
  return [...new Set(ctx.abi.kernels.flatMap((k) => [...k.syscalls.map((s) => s.id), ...k.messages.map((m) => m.id)]))].sort();
}
export function slotIds(ctx: SiteContext): string[] {
  return [...new Set(ctx.abi.programs.flatMap((p) => p.slots.map((s) => s.id)))].sort();
}

function callPage(ctx: SiteContext, id: string): Page {
  const path = callPath(id);
  const v = (version: string, anchor: string) => ctx.linkId(path, ctx.abiPage(version), anchor, version);
  const rows = ctx.abi.kernels.map((k) => {
    const s = k.syscalls.find((x) => x.id === id);
    const m = k.messages.find((x) => x.id === id);
    const cells: ElementContent[] = [h("td", [v(k.version, s ? `${k.version}.${id}` : m ? `${k.version}.msg.${id}` : `${k.version}.version`)])];
    if (s) cells.push(h("td.num", [ctx.linkSrc(path, s.src, String(s.nr))]), h("td", [h("code", sig(s.args, s.ret))]), h("td", errnoLinks(ctx, path, s.errors)));
    else cells.push(h("td.num", "—"), h("td", m ? "" : "not in this kernel ABI"), h("td", "—"));
    cells.push(h("td", m ? [ctx.linkSrc(path, m.src, `opcode ${m.opcode}`), " ", h("code", sig(m.args, m.ret))] : "—"));
    return h("tr", { id: `in.${k.version}` }, cells);
  });
  const present = ctx.abi.kernels.filter((k) => k.syscalls.some((s) => s.id === id));
  const history: string[] = [];
  let prev: number | null | undefined;
  for (const k of ctx.abi.kernels) {
    const s = k.syscalls.find((x) => x.id === id);
    const nr = s ? s.nr : null;
    if (prev === undefined) history.push(nr === null ? `${k.version}: absent` : `${k.version}: number ${nr}`);
    else if (nr !== prev) history.push(nr === null ? `${k.version}: removed` : prev === null ? `${k.version}: added as ${nr}` : `${k.version}: renumbered ${prev} → ${nr}`);
    prev = nr;
  }
  const users = ctx.abi.realisations.flatMap((r) => r.slots.filter((s) => s.call === id).map((s) => ({ r, s })));
  const content: ElementContent[] = [
    h("h1", [h("code", id), " — kernel call"]),
    h("p.lede", [`${present.length ? `A system call of ${present.map((k) => k.version).join(", ")}` : "Not a system call of any kernel ABI"}${ctx.abi.kernels.some((k) => k.messages.some((m) => m.id === id)) ? "; a ring message too" : ""}. `, h("a", { href: relHref(path, CALLS_INDEX) }, "All calls and slots"), "."]),
    h("h2", { id: "kernels" }, "Number and signature in every kernel ABI"),
    h("div.table-wrap", [h("table.calls", [h("thead", [h("tr", [h("th", "kernel"), h("th", "number"), h("th", "signature"), h("th", "errors"), h("th", "message")])]), h("tbody", rows)])]),
    h("h2", { id: "history" }, "History"),
    h("ul", history.map((x) => h("li", x))),
    h("h2", { id: "routes" }, "Slots that reach it"),
    users.length === 0
      ? h("p", "No slot of any program ABI reaches this call.")
      : h("div.table-wrap", [
          h("table.calls", [
            h("thead", [h("tr", [h("th", "program slot"), h("th", "kernel"), h("th", "route"), h("th", "decided by")])]),
            h(
              "tbody",
              users.map(({ r, s }) =>
                h("tr", [h("td", [h("a", { href: relHref(path, slotPath(s.id)) }, [h("code", `${r.program}.${s.id}`)])]), h("td", [v(r.kernel, `${r.kernel}.version`)]), h("td", [routeBadge(s.route), " ", h("code", routeWhat(s))]), h("td", [ctx.linkSrc(path, s.src, s.src)])]),
              ),
            ),
          ]),
        ]),
  ];
  return { path, label: id, title: `${id} — kernel call`, section: "tool", content, sources: [...new Set(present.map((k) => `spec/abi/${k.version}.md`))] };
}

function slotPage(ctx: SiteContext, id: string): Page {
  const path = slotPath(id);
  const v = (version: string, anchor: string) => ctx.linkId(path, ctx.abiPage(version), anchor, version);
  const rows = ctx.abi.programs.map((p) => {
    const s = p.slots.find((x) => x.id === id);
    return h("tr", { id: `in.${p.version}` }, s
      ? [h("td", [v(p.version, `${p.version}.${id}`)]), h("td.num", [ctx.linkSrc(path, s.src, String(s.slot))]), h("td", [h("code", sig(s.args, s.ret))]), h("td", errnoLinks(ctx, path, s.errors)), h("td", [v(s.since, `${s.since}.version`)])]
      : [h("td", [v(p.version, `${p.version}.version`)]), h("td.num", "—"), h("td", "not in this program ABI"), h("td", "—"), h("td", "—")]);
  });
  const programs = ctx.abi.programs.filter((p) => p.slots.some((s) => s.id === id));
  const kernels = ctx.abi.kernels.map((k) => k.version);
  const routeRows = programs.map((p) =>
    h("tr", [
      h("th", { scope: "row" }, [h("code", p.version)]),
      ...kernels.map((k) => {
        const s = ctx.abi.realisations.find((r) => r.program === p.version && r.kernel === k)?.slots.find((x) => x.id === id);
        if (!s) return h("td", "—");
        const call = s.call && !s.recipe ? h("a", { href: relHref(path, callPath(s.call)) }, [h("code", routeWhat(s))]) : s.recipe ? ctx.linkId(path, "routes.html", `recipe.${s.recipe}`, s.recipe) : h("code", routeWhat(s));
        return h("td", { id: `route.${p.version}-${k}` }, [routeBadge(s.route), " ", call, h("br"), h("small", ["decided by ", ctx.linkSrc(path, s.src, s.src)])]);
      }),
    ]),
  );
  const first = programs[0];
  const content: ElementContent[] = [
    h("h1", [h("code", id), " — program slot"]),
    h("p.lede", [first ? `Slot ${first.slots.find((s) => s.id === id)!.slot} of ${programs.map((p) => p.version).join(", ")} (slots are never renumbered). ` : "", h("a", { href: relHref(path, CALLS_INDEX) }, "All calls and slots"), "."]),
    h("h2", { id: "programs" }, "Slot and signature in every program ABI"),
    h("div.table-wrap", [h("table.calls", [h("thead", [h("tr", [h("th", "program"), h("th", "slot"), h("th", "signature"), h("th", "errors"), h("th", "since")])]), h("tbody", rows)])]),
    h("h2", { id: "routes" }, "Route on every pair"),
    h("p", "How each kernel ABI realises the slot, and the spec row that decides it (a realise row, or the kernel's call of the same id)."),
    h("div.table-wrap.wide", [h("table.calls.routes", [h("thead", [h("tr", [h("th", "program"), ...kernels.map((k) => h("th", { scope: "col" }, k))])]), h("tbody", routeRows)])]),
  ];
  return { path, label: id, title: `${id} — program slot`, section: "tool", content, sources: programs.map((p) => `spec/abi/${p.version}.md`) };
}

/** Every call page, every slot page, and the index page (first). */
export function callPages(ctx: SiteContext): Page[] {
  const calls = callIds(ctx);
  const slots = slotIds(ctx);
  const index: Page = {
    path: CALLS_INDEX,
    label: "Calls and slots",
    title: "Calls and slots",
    section: "tool",
    sources: [],
    content: [
      h("h1", "Calls and slots"),
      h("p.lede", "A page for every kernel call and every program slot of every version: numbers, signatures, routes and history."),
      h("h2", { id: "slots" }, "Program slots"),
      h("ul.id-list", slots.map((id) => h("li", [h("a", { href: slotPath(id) }, [h("code", id)])]))),
      h("h2", { id: "calls" }, "Kernel calls and messages"),
      h("ul.id-list", calls.map((id) => h("li", [h("a", { href: callPath(id) }, [h("code", id)])]))),
    ],
  };
  return [index, ...slots.map((id) => slotPage(ctx, id)), ...calls.map((id) => callPage(ctx, id))];
}
