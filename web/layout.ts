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
    { ariaLabel: "Site", id: "site-nav" },
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

/** Pages with at least this many sections get an on-page table of contents. */
const TOC_MIN = 5;

/** An on-page table of contents of the page's level-2 headings, placed after its title. */
function withToc(content: ElementContent[]): ElementContent[] {
  const heads = content.filter((c): c is Element => c.type === "element" && c.tagName === "h2" && typeof c.properties.id === "string");
  if (heads.length < TOC_MIN) return content;
  const label = (e: Element) => toText(e).replace(/¶/g, "").trim();
  const toc = h("nav.toc", { ariaLabel: "On this page" }, [h("h2.toc-title", "On this page"), h("ol", heads.map((e) => h("li", [h("a", { href: `#${String(e.properties.id)}` }, label(e))])))]);
  const at = content.findIndex((c) => c.type === "element" && c.tagName === "h1");
  return [...content.slice(0, at + 1), toc, ...content.slice(at + 1)];
}

function toText(n: ElementContent): string {
  if (n.type === "text") return n.value;
  if (n.type === "element") return n.children.map(toText).join("");
  return "";
}

/** The whole document of one page. */
export function pageDocument(page: Page, items: readonly NavItem[]): Root {
  const css = relHref(page.path, "style.css");
  const home = relHref(page.path, "index.html");
  const root = home.slice(0, -"index.html".length);
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
        h("body", { dataPage: page.path, dataRoot: root }, [
          h("a.skip", { href: "#main" }, "Skip to content"),
          h("header.top", [
            h("button.menu-toggle", { type: "button", id: "menu-toggle", ariaControls: "site-nav", ariaExpanded: "false" }, "Menu"),
            h("a.brand", { href: home }, [h("span.logo", "kiln"), h("span.tagline", "a kernel-interfacing library layer, specified")]),
            h("form.search", { role: "search", action: home, autoComplete: "off" }, [
              h("input", { type: "search", id: "site-search", name: "q", placeholder: "Search ids, calls, numbers…", ariaLabel: "Search the specification" }),
              h("ul", { id: "search-results", hidden: true, ariaLive: "polite" }),
            ]),
          ]),
          h("div.frame", [
            nav(page, items),
            h("main.content", { id: "main" }, [...withToc(page.content), ...(p ? [p] : [])]),
          ]),
          h("footer.foot", [
            page.sources.length > 0 ? `Made from ${page.sources.join(", ")} by ` : "Made by ",
            h("code", "kiln site"),
            ". Row anchors are stable ids: link to any row with its ¶.",
          ]),
          h("script", { src: `${root}search.js`, defer: true }),
        ]),
      ]),
    ],
  };
}
