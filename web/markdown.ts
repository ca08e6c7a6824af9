// One Markdown file of the spec or the guides → a hast fragment for the site, with unified:
// remark-parse + remark-gfm, a pass that gives every row of every marked table its stable anchor
// (web/anchors.ts) and a self-link, remark-rehype, rehype-slug, and a pass that rewrites links
// between .md files to the .html pages. The `<!-- kiln:table -->` markers, like all raw HTML, are
// not carried into the page.
import { posix } from "node:path";
import type { Element, ElementContent, Root as HastRoot } from "hast";
import type { Root as MdRoot, RootContent, Table, TableRow } from "mdast";
import { toString as mdToString } from "mdast-util-to-string";
import { toString as hastToString } from "hast-util-to-string";
import rehypeSlug from "rehype-slug";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import remarkRehype from "remark-rehype";
import { unified } from "unified";
import { visit } from "unist-util-visit";
import { VFile } from "vfile";
import { rowAnchor, tableAnchor, type TableContext } from "./anchors.ts";
import { isExternal, relHref, sitePathOf } from "./paths.ts";

export interface RenderedDoc {
  /** Repository path of the source, e.g. `spec/abi/k2.md`. */
  readonly repoPath: string;
  /** Site path of the page, e.g. `abi/k2.html`. */
  readonly sitePath: string;
  /** The text of the first level-1 heading (or the file name). */
  readonly title: string;
  readonly content: ElementContent[];
  /** Every id on the page. */
  readonly ids: Set<string>;
  /** `spec/abi/k2.md:41` (the row's first line) → the row's anchor id. */
  readonly rowsBySrc: Map<string, string>;
  /** Anchor ids of the marked rows, in document order. */
  readonly rowIds: string[];
  readonly warnings: string[];
}

interface Ctx {
  readonly repoPath: string;
  readonly sitePath: string;
  readonly version: string | null;
  readonly exists: (repoPath: string) => boolean;
  readonly rowsBySrc: Map<string, string>;
  readonly rowIds: string[];
  readonly warnings: string[];
}

const MARKER = /^<!--\s*kiln:table\b(.*?)-->$/s;

function selfLink(id: string, label: string): Element {
  return {
    type: "element",
    tagName: "a",
    properties: { className: ["self"], href: `#${id}`, ariaLabel: `Link to ${label}`, title: `Link to ${label}` },
    children: [{ type: "text", value: "¶" }],
  };
}

/** remark pass: anchors on marked tables and their rows. */
function anchorTables(tree: MdRoot, ctx: Ctx): void {
  const children: RootContent[] = tree.children;
  const seen = new Set<string>();
  children.forEach((node, i) => {
    if (node.type === "table") {
      const prev = children[i - 1];
      if (prev?.type === "html" && MARKER.test(prev.value.trim())) return; // handled with its marker
      node.data = { ...node.data, hProperties: { className: ["prose-table"] } };
      return;
    }
    if (node.type !== "html") return;
    const m = MARKER.exec(node.value.trim());
    const next = children[i + 1];
    if (!m || next?.type !== "table") return;
    const words = m[1]!.trim().split(/\s+/).filter(Boolean);
    const kind = words.shift() ?? "";
    const args = words.filter((w) => !w.includes("="));
    const t: TableContext = { kind, args, version: ctx.version };
    const table = next as Table;
    const [head, ...body] = table.children;
    const names = (head?.children ?? []).map((c) => mdToString(c).trim().toLowerCase());
    table.data = { ...table.data, hProperties: { id: tableAnchor(t), className: ["kiln-table", `kind-${kind}`], dataKind: kind } };
    ctx.rowsBySrc.set(`${ctx.repoPath}:${table.position?.start.line ?? 0}`, tableAnchor(t));
    body.forEach((row: TableRow) => {
      const cells: Record<string, string> = {};
      row.children.forEach((c, j) => {
        if (names[j]) cells[names[j]!] = mdToString(c).trim();
      });
      const id = rowAnchor(t, cells);
      if (!id) return;
      const line = row.position?.start.line ?? 0;
      if (seen.has(id)) {
        ctx.warnings.push(`${ctx.repoPath}:${line}: anchor #${id} is used twice on ${ctx.sitePath}`);
        return;
      }
      seen.add(id);
      ctx.rowsBySrc.set(`${ctx.repoPath}:${line}`, id);
      ctx.rowIds.push(id);
      row.data = { ...row.data, hProperties: { id, className: ["row"] } };
      // The self-link goes at the end of the first cell; remark-rehype turns it into <a class="self">.
      row.children[0]?.children.push({
        type: "link",
        url: `#${id}`,
        title: `Link to ${id}`,
        children: [{ type: "text", value: "¶" }],
        data: { hProperties: { className: ["self"], ariaLabel: `Link to ${id}` } },
      });
    });
  });
}

/** rehype pass: rewrite .md links, self-links on headings, scroll wrappers around tables. */
function finishHast(tree: HastRoot, ctx: Ctx): void {
  visit(tree, "element", (node, index, parent) => {
    if (node.tagName === "a" && typeof node.properties.href === "string") {
      const href = node.properties.href;
      if (href.startsWith("#") || isExternal(href)) return;
      const hash = href.indexOf("#");
      const path = hash >= 0 ? href.slice(0, hash) : href;
      const fragment = hash >= 0 ? href.slice(hash + 1) : null;
      if (!path.endsWith(".md")) return;
      const target = posix.normalize(posix.join(posix.dirname(ctx.repoPath), decodeURI(path)));
      const site = sitePathOf(target);
      if (!site) {
        ctx.warnings.push(`${ctx.repoPath}: link to ${href}: ${target} is not part of the site; the link is left out`);
        node.tagName = "span";
        node.properties = { className: ["dead-link"], title: `${target} is not part of the site` };
        return;
      }
      if (!ctx.exists(target)) ctx.warnings.push(`${ctx.repoPath}: link to ${href}: ${target} does not exist (yet)`);
      node.properties.href = relHref(ctx.sitePath, site, fragment);
      return;
    }
    if (/^h[2-4]$/.test(node.tagName) && typeof node.properties.id === "string") {
      node.children.push({ type: "text", value: " " }, selfLink(node.properties.id, hastToString(node)));
      return;
    }
    if (node.tagName === "table" && parent && index !== undefined && !(parent.type === "element" && parent.tagName === "div")) {
      parent.children[index] = { type: "element", tagName: "div", properties: { className: ["table-wrap"] }, children: [node] };
    }
  });
}

const processor = unified()
  .use(remarkParse)
  .use(remarkGfm)
  .use(() => (tree: MdRoot, file: VFile) => anchorTables(tree, file.data.kiln as Ctx))
  .use(remarkRehype)
  .use(rehypeSlug)
  .use(() => (tree: HastRoot, file: VFile) => finishHast(tree, file.data.kiln as Ctx));

/** The ABI version a file defines (`spec/abi/k2.md` → k2), or null. */
export function versionOfFile(repoPath: string): string | null {
  const m = /^spec\/abi\/([kp]\d+)\.md$/.exec(repoPath);
  return m ? m[1]! : null;
}

/** Render one Markdown file. `exists` tells whether a repository Markdown file exists (for link checks). */
export function renderMarkdown(repoPath: string, text: string, exists: (repoPath: string) => boolean): RenderedDoc {
  const sitePath = sitePathOf(repoPath);
  if (!sitePath) throw new Error(`${repoPath} is not a site page`);
  const ctx: Ctx = { repoPath, sitePath, version: versionOfFile(repoPath), exists, rowsBySrc: new Map(), rowIds: [], warnings: [] };
  const file = new VFile({ path: repoPath, value: text });
  file.data.kiln = ctx;
  const tree = processor.runSync(processor.parse(file), file) as HastRoot;
  const ids = new Set<string>();
  let title: string | null = null;
  visit(tree, "element", (node) => {
    if (typeof node.properties.id === "string") ids.add(node.properties.id);
    if (node.tagName === "h1" && title === null) title = hastToString(node).trim();
  });
  return {
    repoPath,
    sitePath,
    title: title ?? posix.basename(repoPath, ".md"),
    content: tree.children as ElementContent[],
    ids,
    rowsBySrc: ctx.rowsBySrc,
    rowIds: ctx.rowIds,
    warnings: ctx.warnings,
  };
}
