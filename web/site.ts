// kiln site: the static spec site. Every chapter, ABI version and guide is a page rendered from its
// Markdown with unified (web/markdown.ts); diff pages, the compatibility matrix and abi.json are
// generated from the model. Links are relative, CSS is one relative file, nothing is fetched at run
// time, and the output is byte-for-byte deterministic.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, posix, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { ElementContent, Root } from "hast";
import { h } from "hastscript";
import rehypeStringify from "rehype-stringify";
import { unified } from "unified";
import { visit } from "unist-util-visit";
import type { Diagnostic } from "../gen/diagnostics.ts";
import { consecutivePairs, versionsOf } from "../gen/diff.ts";
import { ABI_SCHEMA_FILE, abiJson } from "../gen/generate.ts";
import { callPages, CALLS_INDEX } from "./pages/calls.ts";

const GENERATED_SCHEMA = fileURLToPath(new URL(`../generated/${ABI_SCHEMA_FILE}`, import.meta.url));
import { linkTables } from "./link-tables.ts";
import { SEARCH_INDEX_JS, SEARCH_JS, searchIndex, searchIndexScript } from "./search.ts";
import { checkSpec } from "../gen/main.ts";
import type { Spec } from "../gen/model.ts";
import { SiteContext } from "./context.ts";
import { pageDocument, type NavItem, type Page } from "./layout.ts";
import { renderMarkdown, type RenderedDoc } from "./markdown.ts";
import { readMatrix } from "./matrix-data.ts";
import { diffPage, diffPath } from "./pages/diff.ts";
import { matrixPage, MATRIX_PATH } from "./pages/matrix.ts";
import { playgroundPage, PLAYGROUND_JS, PLAYGROUND_PATH, PLAYGROUND_SAMPLES_JS } from "./pages/playground.ts";
import { defaultCacheDir, playgroundBundle } from "./playground/bundle.ts";
import { buildSamples } from "./playground/samples.ts";
import { isExternal, relHref, resolveHref } from "./paths.ts";

const WEB_DIR = dirname(fileURLToPath(import.meta.url));

export interface SiteOptions {
  /** Repository root: spec/ and docs/ are read from here. */
  readonly root: string;
  /** Output directory; emptied first. */
  readonly out: string;
  /** Run results for the matrix page; default `<root>/out/matrix.json` when it exists. */
  readonly matrixFile?: string | undefined;
  /** Where the playground's bundle and sample builds are cached; default the user's cache directory (playground/bundle.ts defaultCacheDir). */
  readonly cacheDir?: string | undefined;
}

/** What building the playground cost (for `kiln site` to print). */
export interface PlaygroundStats {
  readonly bundleBytes: number;
  readonly bundleMs: number;
  readonly bundleCached: boolean;
  readonly samples: number;
  readonly samplesMs: number;
  readonly samplesCached: boolean;
}

export type SiteResult =
  | { readonly ok: false; readonly diagnostics: Diagnostic[] }
  | {
      readonly ok: true;
      readonly pages: number;
      readonly files: number;
      readonly warnings: string[];
      /** The run-results file the matrix page shows, or null. */
      readonly matrixFrom: string | null;
      /** Every written file, relative to `out`, sorted. */
      readonly written: string[];
      readonly playground: PlaygroundStats;
    };

/** abi.json's text for a spec: built from the parsed spec, so every row cites its spec line. */
export function abiJsonText(spec: Spec): string {
  return `${JSON.stringify(abiJson(spec), null, 2)}\n`;
}

const stringifier = unified().use(rehypeStringify, { allowDangerousHtml: false });

function listMd(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith(".md"))
    .sort();
}

/** Chapter files in the order spec/index.md links them; unlinked chapters after them, by name. */
export function chapterOrder(index: RenderedDoc | undefined, chapters: readonly string[]): string[] {
  const linked: string[] = [];
  if (index) {
    visit({ type: "root", children: index.content } as Root, "element", (n) => {
      const href = n.tagName === "a" ? n.properties.href : undefined;
      if (typeof href !== "string" || isExternal(href) || href.startsWith("#")) return;
      const { path } = resolveHref("index.html", href);
      if (!path.includes("/") && path.endsWith(".html") && path !== "index.html" && !linked.includes(path)) linked.push(path);
    });
  }
  const known = new Set(chapters);
  const ordered = linked.filter((p) => known.has(p));
  return [...ordered, ...chapters.filter((c) => !ordered.includes(c)).sort()];
}

/** Insert `extra` after the page's first h1 (or at the top). */
function afterTitle(content: ElementContent[], extra: ElementContent[]): ElementContent[] {
  const i = content.findIndex((n) => n.type === "element" && n.tagName === "h1");
  return i < 0 ? [...extra, ...content] : [...content.slice(0, i + 1), ...extra, ...content.slice(i + 1)];
}

/** The output directory cannot be emptied safely. */
export class SiteOutError extends Error {}

function guardOut(root: string, out: string): void {
  const o = resolve(out);
  const r = resolve(root);
  if (o === r || r.startsWith(`${o}${sep}`) || o === resolve(r, "spec") || o.startsWith(`${resolve(r, "spec")}${sep}`) || o === resolve(r, "docs")) {
    throw new SiteOutError(`refusing to build the site into ${out}: it would overwrite the repository's sources; choose a directory of its own (default out/site)`);
  }
  if (!existsSync(o)) return;
  const names = readdirSync(o);
  if (names.length > 0 && !(names.includes("index.html") && names.includes("style.css"))) {
    throw new SiteOutError(`refusing to empty ${out}: it is not empty and does not hold an earlier kiln site; remove it or choose another --out`);
  }
}

export function buildSite(opts: SiteOptions): SiteResult {
  const { spec, diagnostics } = checkSpec(join(opts.root, "spec"), "spec");
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  const warnings: string[] = [];
  const abi = abiJson(spec);

  // 1. Markdown pages.
  const sources: string[] = [
    ...listMd(join(opts.root, "spec")).map((n) => `spec/${n}`),
    ...listMd(join(opts.root, "spec/abi")).map((n) => `spec/abi/${n}`),
    ...listMd(join(opts.root, "docs")).map((n) => `docs/${n}`),
  ];
  const sourceSet = new Set(sources);
  const docs = new Map<string, RenderedDoc>();
  for (const src of sources) {
    const d = renderMarkdown(src, readFileSync(join(opts.root, src), "utf8"), (p) => sourceSet.has(p));
    warnings.push(...d.warnings);
    docs.set(d.sitePath, d);
  }
  const ctx = new SiteContext(spec, abi, docs);
  for (const d of docs.values()) linkTables(ctx, d.sitePath, d.content);

  // 2. Navigation order.
  const index = docs.get("index.html");
  const chapterPaths = chapterOrder(
    index,
    [...docs.keys()].filter((p) => !p.includes("/") && p !== "index.html"),
  );
  const { programs, kernels } = versionsOf(spec);
  const pairs = consecutivePairs(spec);
  const guides = [...docs.keys()].filter((p) => p.startsWith("docs/")).sort();
  const chapterItems: NavItem[] = [
    ...(index ? [{ path: "index.html", label: "Overview", section: "spec" as const }] : []),
    ...chapterPaths.map((p, i) => ({ path: p, label: `${i + 1}. ${docs.get(p)!.title}`, section: "spec" as const })),
  ];
  const abiTitle = (v: string) => {
    const a = [...abi.programs, ...abi.kernels].find((x) => x.version === v);
    return a ? a.title : v;
  };

  // 3. Pages.
  const pages: Page[] = [];
  const docPage = (d: RenderedDoc, section: Page["section"], label: string, content = d.content): Page => ({
    path: d.sitePath,
    label,
    title: d.title,
    section,
    content,
    sources: [d.repoPath],
  });
  if (index) {
    const extras = h("section.extras", { id: "site" }, [
      h("h2", { id: "site-contents" }, "On this site"),
      h("ul", [
        h("li", [h("a", { href: "abi.json", download: "abi.json" }, "abi.json"), " — the whole ABI as JSON (what ", h("code", "kiln abi-json"), " prints), with its ", h("a", { href: "abi.schema.json", download: "abi.schema.json" }, "JSON Schema"), " (", h("a", { href: "docs/abi-json.html" }, "the contract"), ")."]),
        h("li", [h("a", { href: MATRIX_PATH }, "Compatibility matrix"), " — every program ABI on every kernel ABI, and the route of each slot."]),
        h("li", [h("a", { href: PLAYGROUND_PATH }, "Playground"), " — run a sample program on any program ABI × kernel ABI pair, in the browser, with its trace."]),
        h("li", ["Changes between versions: ", ...pairs.flatMap(([a, b], i) => [...(i ? [", "] : []), h("a", { href: diffPath(a, b) }, `${a} → ${b}`)]), "."]),
      ]),
    ]);
    pages.push(docPage(index, "spec", "Overview", [...index.content, extras]));
  }
  chapterPaths.forEach((p, i) => {
    const prev = i === 0 ? chapterItems[0] : chapterItems.find((c) => c.path === chapterPaths[i - 1]);
    const next = chapterItems.find((c) => c.path === chapterPaths[i + 1]);
    pages.push({ ...docPage(docs.get(p)!, "spec", chapterItems.find((c) => c.path === p)!.label), ...(prev ? { prev } : {}), ...(next ? { next } : {}) });
  });
  for (const [family, list] of [["program", programs], ["kernel", kernels]] as const) {
    list.forEach((v, i) => {
      const d = docs.get(ctx.abiPage(v));
      if (!d) return;
      const before = list[i - 1];
      const after = list[i + 1];
      const bar = h("p.version-bar", [
        h("span.family", family === "program" ? "Program ABI" : "Kernel ABI"),
        " ",
        ...(before ? [h("a", { href: relHref(d.sitePath, diffPath(before, v)) }, `changes from ${before}`)] : []),
        ...(before && after ? [" · "] : []),
        ...(after ? [h("a", { href: relHref(d.sitePath, diffPath(v, after)) }, `changes in ${after}`)] : []),
        " · ",
        h("a", { href: relHref(d.sitePath, MATRIX_PATH) + (family === "program" ? `#routes.${v}` : "") }, "routes on every kernel"),
        " · ",
        h("span.versions", [
          "same row in: ",
          ...list.flatMap((o, j) => [...(j ? [" "] : []), o === v ? h("strong", o) : h("a.version-link", { href: relHref(d.sitePath, ctx.abiPage(o)), dataVersion: o }, o)]),
        ]),
        " · ",
        h("a", { href: relHref(d.sitePath, CALLS_INDEX) }, "a page per call and slot"),
      ]);
      pages.push(docPage(d, family, `${v} — ${abiTitle(v)}`, afterTitle(d.content, [bar])));
    });
  }
  for (const [a, b] of pairs) pages.push(diffPage(ctx, a, b));
  const matrixFile = opts.matrixFile ?? join(opts.root, "out/matrix.json");
  let results = null;
  try {
    results = readMatrix(matrixFile);
  } catch (err) {
    warnings.push(`${(err as Error).message}; the matrix page shows routes only`);
  }
  const stale = results ? matrixStaleness(opts.root, matrixFile, results, spec) : [];
  warnings.push(...stale);
  // Pages that are neither Markdown nor diffs go here, in the order the navigation lists them
  pages.push(matrixPage(ctx, results, results ? posix.basename(matrixFile) : null, stale));
  const perCall = callPages(ctx);
  const cacheDir = opts.cacheDir ?? defaultCacheDir(opts.root);
  const samples = buildSamples(cacheDir);
  if (samples.missing) warnings.push(samples.missing);
  warnings.push(...samples.warnings);
  const bundle = playgroundBundle(cacheDir);
  pages.push(playgroundPage(ctx, samples.data.samples.map((s) => s.id), samples.missing));
  for (const g of guides) pages.push(docPage(docs.get(g)!, "guide", docs.get(g)!.title));
  pages.push(...perCall);

  // The navigation lists every page by section, in page order, plus abi.json for download.
  const inNav = (p: Page) => !p.path.startsWith("calls/") && !p.path.startsWith("slots/");
  const items: NavItem[] = [
    ...pages.filter(inNav).map((p) => ({ path: p.path, label: p.label, section: p.section })),
    { path: "abi.json", label: "abi.json (download)", hint: "the whole ABI as JSON, as `kiln abi-json` prints it", section: "tool" },
  ];

  // 4. Link check: every relative href names a written page or file, and its fragment an id there.
  const written = new Set<string>([...pages.map((p) => p.path), "abi.json", ABI_SCHEMA_FILE, "style.css", SEARCH_JS, SEARCH_INDEX_JS, PLAYGROUND_JS, PLAYGROUND_SAMPLES_JS]);
  const trees = new Map<string, Root>();
  for (const p of pages) trees.set(p.path, pageDocument(p, items));
  const idsOf = new Map<string, Set<string>>();
  for (const [path, tree] of trees) {
    const ids = new Set<string>();
    visit(tree, "element", (n) => {
      if (typeof n.properties.id === "string") ids.add(n.properties.id);
    });
    idsOf.set(path, ids);
  }
  for (const [path, tree] of trees) {
    visit(tree, "element", (n) => {
      const href = n.tagName === "a" || n.tagName === "link" ? n.properties.href : undefined;
      if (typeof href !== "string" || isExternal(href)) return;
      const t = resolveHref(path, href);
      if (!written.has(t.path)) warnings.push(`${path}: link ${href}: no page ${t.path}`);
      else if (t.fragment && idsOf.has(t.path) && !idsOf.get(t.path)!.has(t.fragment)) warnings.push(`${path}: link ${href}: no #${t.fragment} on ${t.path}`);
    });
  }

  // 5. Write, into an emptied directory: never one that holds anything but an earlier site.
  guardOut(opts.root, opts.out);
  rmSync(opts.out, { recursive: true, force: true });
  const files: string[] = [];
  const write = (rel: string, text: string) => {
    const full = join(opts.out, rel);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
    files.push(rel);
  };
  for (const [path, tree] of trees) write(path, `${stringifier.stringify(tree)}\n`);
  write("abi.json", abiJsonText(spec));
  // The schema depends on gen/types.ts only, not on the spec: the generated copy (kept fresh
  // by `kiln gen --check`) spares every site build a TypeScript type check.
  write(ABI_SCHEMA_FILE, readFileSync(GENERATED_SCHEMA, "utf8"));
  write(SEARCH_INDEX_JS, searchIndexScript(searchIndex(ctx, pages, trees)));
  write(SEARCH_JS, readFileSync(join(WEB_DIR, "search.js"), "utf8"));
  write(PLAYGROUND_JS, bundle.js);
  write(PLAYGROUND_SAMPLES_JS, samples.js);
  mkdirSync(opts.out, { recursive: true });
  copyFileSync(join(WEB_DIR, "style.css"), join(opts.out, "style.css"));
  files.push("style.css");
  return {
    ok: true,
    pages: pages.length,
    files: files.length,
    warnings: [...new Set(warnings)],
    matrixFrom: results ? matrixFile : null,
    written: files.sort(),
    playground: { bundleBytes: bundle.js.length, bundleMs: bundle.ms, bundleCached: bundle.cached, samples: samples.data.samples.length, samplesMs: samples.ms, samplesCached: samples.cached },
  };
}

/**
 * Why run results may not describe this spec: the file is older than a spec file, or it lacks a
 * program or kernel ABI the spec has (a version added since `kiln matrix` ran). `kiln site` prints
 * these loudly; the page still shows the results it has.
 */
export function matrixStaleness(root: string, matrixFile: string, cells: readonly { program: string; kernel: string }[], spec: Spec): string[] {
  const out: string[] = [];
  const rerun = "run `kiln matrix --out out/matrix.json` again";
  const when = statSync(matrixFile).mtimeMs;
  const newer = [...listMd(join(root, "spec")).map((n) => `spec/${n}`), ...listMd(join(root, "spec/abi")).map((n) => `spec/abi/${n}`)]
    .filter((f) => statSync(join(root, f)).mtimeMs > when)
    .sort();
  if (newer.length) out.push(`STALE RUN RESULTS: ${matrixFile} is older than ${newer.slice(0, 3).join(", ")}${newer.length > 3 ? ` and ${newer.length - 3} more` : ""}; the matrix page may not describe this spec — ${rerun}`);
  const kernels = spec.kernels.map((k) => k.version).filter((k) => !cells.some((c) => c.kernel === k));
  const programs = spec.programs.map((p) => p.version).filter((p) => !cells.some((c) => c.program === p));
  if (kernels.length || programs.length) out.push(`INCOMPLETE RUN RESULTS: ${matrixFile} has no cell for ${[...programs, ...kernels].join(", ")}; those columns show "not run" — ${rerun}`);
  return out;
}