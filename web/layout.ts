// The page shell: head, top bar, the navigation (one list per section, in a fixed order) and the
// footer. A page is plain data (`Page`); adding one (e.g. a playground) is one more entry in the
// list web/site.ts builds — the navigation picks it up from its section.
import type { Element, ElementContent, Root } from "hast";
import { h } from "hastscript";
import { relHref } from "./paths.ts";

export type Section = "spec" | "program" | "kernel" | "diff" | "tool" | "guide";

/** Navigation sections, in the order they appear. */
export const SECTIONS: readonly { readonly id: Section; readonly title: string }[] = [
  { id: "spec", title: "Specification" },
  { id: "program", title: "Program ABIs" },
  { id: "kernel", title: "Kernel ABIs" },
  { id: "diff", title: "Changes between versions" },
  { id: "tool", title: "Tools and data" },
  { id: "guide", title: "Guides" },
];

export interface NavItem {
  /** Site path (`abi/k2.html`) or a downloadable file (`abi.json`). */
  readonly path: string;
  readonly label: string;
  readonly hint?: string;
  readonly section: Section;
}

export interface Page extends NavItem {
  readonly title: string;
  readonly content: ElementContent[];
  /** Repository files the page is made from, named in the footer. */
  readonly sources: readonly string[];
  /** Previous and next page in reading order (chapters). */
  readonly prev?: NavItem;
  readonly next?: NavItem;
}

function nav(page: Page, items: readonly NavItem[]): Element {
  const groups = SECTIONS.map((s) => ({ s, list: items.filter((i) => i.section === s.id) })).filter((g) => g.list.length > 0);
  return h(
    "nav.side",
    { ariaLabel: "Site" },
    groups.map(({ s, list }) =>
      h("section", [
        h("h2", s.title),
        h(
          "ul",
          list.map((i) =>
            h("li", [
              h(
                "a",
                { href: relHref(page.path, i.path), ariaCurrent: i.path === page.path ? "page" : undefined, title: i.hint },
                i.label,
              ),
            ]),
          ),
        ),
      ]),
    ),
  );
}

function pager(page: Page): Element | null {
  if (!page.prev && !page.next) return null;
  return h("nav.pager", { ariaLabel: "Reading order" }, [
    page.prev ? h("a.prev", { href: relHref(page.path, page.prev.path), rel: "prev" }, `← ${page.prev.label}`) : h("span"),
    page.next ? h("a.next", { href: relHref(page.path, page.next.path), rel: "next" }, `${page.next.label} →`) : h("span"),
  ]);
}

/** The whole document of one page. */
export function pageDocument(page: Page, items: readonly NavItem[]): Root {
  const css = relHref(page.path, "style.css");
  const home = relHref(page.path, "index.html");
  const p = pager(page);
  return {
    type: "root",
    children: [
      { type: "doctype" },
      h("html", { lang: "en" }, [
        h("head", [
          h("meta", { charSet: "utf-8" }),
          h("meta", { name: "viewport", content: "width=device-width, initial-scale=1" }),
          h("title", page.path === "index.html" ? "kiln specification" : `${page.title} — kiln`),
          h("link", { rel: "stylesheet", href: css }),
          // No favicon request (a 404 on most static hosts).
          h("link", { rel: "icon", href: "data:," }),
        ]),
        h("body", { dataPage: page.path }, [
          h("a.skip", { href: "#main" }, "Skip to content"),
          h("header.top", [
            h("a.brand", { href: home }, [h("span.logo", "kiln"), h("span.tagline", "a kernel-interfacing library layer, specified")]),
          ]),
          h("div.frame", [
            nav(page, items),
            h("main.content", { id: "main" }, [...page.content, ...(p ? [p] : [])]),
          ]),
          h("footer.foot", [
            page.sources.length > 0 ? `Made from ${page.sources.join(", ")} by ` : "Made by ",
            h("code", "kiln site"),
            ". Row anchors are stable ids: link to any row with its ¶.",
          ]),
        ]),
      ]),
    ],
  };
}
