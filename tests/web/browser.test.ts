// The built site in real headless Chromium (Debian's /usr/bin/chromium through playwright-core),
// served over HTTP from 127.0.0.1 and read from file:// as well. No Chromium means a failure that
// says how to install it, never a silent skip.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, relative } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SiteResult } from "../../web/site.ts";
import { sharedSite } from "../support/shared-site.ts";
import { kernels, kernelVersions, programVersions, selection } from "../../generated/index.ts";

/** Debian's Chromium; KILN_CHROMIUM overrides the path (e.g. to check the failure message). */
const CHROMIUM = process.env.KILN_CHROMIUM ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".json": "application/json", ".js": "text/javascript; charset=utf-8" };

const work = mkdtempSync(join(tmpdir(), "kiln-browser-"));
let out = "";
let server: Server;
let base: string;
let browser: Browser;
let page: Page;
const failures: string[] = [];

/** A tiny static server for `root`; 404 for anything outside it or missing. */
function serve(root: string): Promise<Server> {
  const s = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^\/+/, "");
    const file = join(root, path === "" ? "index.html" : path);
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve(s)));
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}; the browser tests need it. Install it with: apt-get install -y chromium`);
  }
  let r: SiteResult;
  ({ out, result: r } = sharedSite()); // built once per test run (tests/support/shared-site.ts)
  if (!r.ok) throw new Error("the site did not build: the spec has errors (run `kiln check`)");
  server = await serve(out);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on("response", (res) => {
    if (res.status() >= 400) failures.push(`${res.status()} ${res.url()}`);
  });
  page.on("requestfailed", (req) => failures.push(`failed ${req.url()} (${req.failure()?.errorText ?? "?"})`));
  page.on("console", (msg) => {
    if (msg.type() === "error") failures.push(`console: ${msg.text()}`);
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(() => r(null)) : r(null)));
  rmSync(work, { recursive: true, force: true });
});

// Functions passed to page.evaluate run in the browser. This project is type-checked without the DOM
// library, so they reach the page's globals through this minimal, type-only view of globalThis.
interface El {
  readonly id: string;
  matches(selector: string): boolean;
  querySelector(selector: string): El | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { top: number; bottom: number; height: number };
}
interface BrowserGlobals {
  readonly document: { getElementById(id: string): El | null; querySelector(selector: string): El | null; readonly body: El };
  readonly window: { readonly innerHeight: number };
  getComputedStyle(el: El): { backgroundColor: string; outlineStyle: string; fontFamily: string };
}

/** Is the element fully inside the viewport, and is it the :target? */
async function targetState(p: Page, id: string) {
  return p.evaluate((id) => {
    const { document, window, getComputedStyle } = globalThis as unknown as BrowserGlobals;
    const el = document.getElementById(id);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return {
      isTarget: el.matches(":target"),
      targetId: document.querySelector(":target")?.id ?? null,
      inView: r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0,
      background: getComputedStyle(el).backgroundColor,
      outline: getComputedStyle(el).outlineStyle,
      selfLink: el.querySelector("a.self")?.getAttribute("href") ?? null,
    };
  }, id);
}

describe("the spec site in Chromium", () => {
  it("renders every chapter and ABI page with its title, navigation and tables, and nothing 404s", async () => {
    const pages = ["index.html", "layer.html", "routes.html", "errors.html", "tls.html", "abi/p1.html", "abi/p3.html", "abi/k1.html", "abi/k3.html", "docs/spec-format.html", "docs/architecture.html", "docs/adding-a-syscall.html", "docs/adding-an-abi-version.html", "docs/writing-a-guest-program.html", "playground.html"];
    for (const p of pages) {
      await page.goto(base + p);
      const h1 = (await page.locator("main h1").first().textContent())?.trim() ?? "";
      expect(h1.length, `${p} has a title`).toBeGreaterThan(3);
      expect(await page.locator("nav.side a").count(), `${p} has the navigation`).toBeGreaterThan(20);
      expect(await page.locator('nav.side a[aria-current="page"]').count(), `${p} is marked current`).toBe(1);
      const css = await page.evaluate(() => {
        const g = globalThis as unknown as BrowserGlobals;
        return g.getComputedStyle(g.document.body).fontFamily;
      });
      expect(css, "style.css is applied").toMatch(/Charter|Georgia|serif/);
    }
    await page.goto(base + "abi/k1.html");
    expect(await page.locator("main h1").textContent()).toContain("Kernel ABI k1");
    expect(await page.locator("table.kiln-table.kind-syscalls tbody tr").count()).toBe(kernels.k1!.syscalls.length);
    expect(await page.locator("text=kiln:table").count(), "markers are not shown").toBe(0);
    expect(failures).toEqual([]);
  });

  it("abi/k2.html#k2.openat scrolls that row into view, makes it the :target and highlights it", async () => {
    await page.goto(base + "abi/k2.html#k2.openat");
    const s = await targetState(page, "k2.openat");
    expect(s).toMatchObject({ isTarget: true, targetId: "k2.openat", inView: true, outline: "solid", selfLink: "#k2.openat" });
    expect(s!.background).not.toBe("rgba(0, 0, 0, 0)");
    // Rows far down the page too: a struct field and a realise row; the table's header stays in
    // view above the row (sticky), so the columns are named after the jump.
    for (const id of ["k2.stat.st_pad2", "k2.realise.batch", "k2.fstatat"]) {
      await page.goto(`${base}abi/k2.html#${id}`);
      expect(await targetState(page, id)).toMatchObject({ isTarget: true, inView: true });
      const pos = await page.evaluate((id) => {
        const g = globalThis as unknown as { document: { getElementById(id: string): (El & { closest(s: string): El | null }) | null } };
        const tr = g.document.getElementById(id)!;
        const th = tr.closest("table")!.querySelector("thead th")!;
        const a = th.getBoundingClientRect();
        const b = tr.getBoundingClientRect();
        return { th: { top: a.top, bottom: a.bottom }, tr: { top: b.top } };
      }, id);
      expect(pos.th.top, id).toBeGreaterThanOrEqual(0);
      expect(pos.th.bottom, id).toBeLessThanOrEqual(pos.tr.top + 1);
    }
  });

  it("links between pages keep their fragments (routes → k1 field maps, diff → ABI row)", async () => {
    await page.goto(base + "routes.html");
    await page.locator('main a[href="abi/k1.html#field-maps"]').first().click();
    await page.waitForURL(/abi\/k1\.html#field-maps$/);
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.querySelector(":target")?.id)).toBe("field-maps");
    await page.goto(base + "diff/k1-k2.html");
    await page.locator('tr[id="call.renumbered:write"] a[href="../abi/k2.html#k2.write"]').click();
    await page.waitForURL(/abi\/k2\.html#k2\.write$/);
    expect(await targetState(page, "k2.write")).toMatchObject({ isTarget: true, inView: true });
  });

  it("the matrix page shows every program × kernel cell", async () => {
    await page.goto(base + "matrix.html");
    for (const p of programVersions) {
      for (const k of kernelVersions) {
        const cell = page.locator(`td.cell[data-program="${p}"][data-kernel="${k}"]`);
        await expect.poll(() => cell.count()).toBe(1);
        expect(await cell.isVisible()).toBe(true);
        expect(await cell.textContent()).toContain(`${p}-${k}`);
      }
    }
    expect(await page.locator("text=No run results are present.").isVisible()).toBe(true);
    // On a laptop-wide window (1280 px for four kernel ABIs, wider per added kernel) the matrix and
    // every slot-routes table fit: no kernel column is cut off.
    await page.setViewportSize({ width: Math.max(1280, 320 * kernelVersions.length), height: 800 });
    const fits = await page.evaluate(() => {
      const g = globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ className: string; scrollWidth: number; parentElement: { clientWidth: number } }> } };
      return Array.from(g.document.querySelectorAll("main table.matrix, main table.slot-routes")).map((t) => ({ table: t.className, fits: t.scrollWidth <= t.parentElement.clientWidth }));
    });
    expect(fits.length).toBeGreaterThan(1);
    await page.setViewportSize({ width: 1280, height: 800 });
    for (const f of fits) expect(f).toEqual({ table: f.table, fits: true });
  });

  it("the k1 → k2 diff page shows the renumbering and the forced routes", async () => {
    await page.goto(base + "diff/k1-k2.html#call.renumbered:write");
    const row = page.locator('tr[id="call.renumbered:write"]');
    expect((await row.innerText()).replace(/\s+/g, " ")).toMatch(/write ¶ 64 4/);
    expect(await targetState(page, "call.renumbered:write")).toMatchObject({ isTarget: true, inView: true });
    const lseek = (await page.locator('tr[id="route.p1.lseek"]').innerText()).replace(/\s+/g, " ");
    expect(lseek).toContain("emulated");
    expect(lseek).toContain("renumbered lseek #7");
    expect(lseek).toContain("call llseek removed");
  });

  it("the playground's default runs hello (newest program ABI, first ring kernel) and shows its output, status, instructions and trace", async () => {
    const program = programVersions[programVersions.length - 1]!;
    const kernel = kernelVersions.find((k) => kernels[k]!.ring !== null)!;
    await page.goto(base + "playground.html");
    expect(await page.locator("#pg-program").inputValue()).toBe(program);
    expect(await page.locator("#pg-kernel").inputValue()).toBe(kernel);
    expect(await page.locator("#pg-sample").inputValue()).toBe("hello");
    await expect.poll(() => page.locator("#pg-run").isEnabled()).toBe(true);
    await page.locator("#pg-run").click();
    await page.locator('#pg-result[data-state="done"]').waitFor({ timeout: 30_000 });
    expect(await page.locator("#pg-stdout").textContent()).toBe("hello, world\n");
    expect(await page.locator("#pg-status").textContent()).toBe("0");
    expect(await page.locator("#pg-outcome").textContent()).toBe("exited with status 0");
    expect(await page.locator("#pg-layer").textContent()).toBe(selection.find((x) => x.program === program && x.kernel === kernel)!.path);
    expect(Number((await page.locator("#pg-insns").textContent())!.replace(/,/g, ""))).toBeGreaterThan(100);
    expect(await page.locator("#pg-mode").textContent()).toContain("Web Worker");
    // A ring kernel has no write call: the layer turns it into a message on the ring, entered with ring_enter.
    expect(await page.locator("#pg-trace-body td.call").allTextContents()).toEqual(["write", "exit_group"]);
    expect(await page.locator("#pg-trace-body td.route").allTextContents()).toEqual(["message write", "renumbered exit_group#2"]);
    expect(await page.locator("#pg-trace-body tr").first().innerText()).toContain("ring_enter {write}");
    const insns = await page.locator("#pg-trace-body td.num:last-child").allTextContents();
    expect(insns.every((n) => Number(n.replace(/,/g, "")) > 0)).toBe(true);
    expect(failures).toEqual([]);
  });

  it("the playground runs the same program on another pair, and wc on its text file", async () => {
    await page.goto(base + "playground.html#p1-k1-wc");
    await expect.poll(() => page.locator("#pg-kernel").inputValue()).toBe("k1");
    expect(await page.locator("#pg-program").inputValue()).toBe("p1");
    expect(await page.locator("#pg-command").textContent()).toBe("wc /poem.txt");
    await expect.poll(() => page.locator("#pg-run").isEnabled()).toBe(true);
    await page.locator("#pg-run").click();
    await page.locator('#pg-result[data-state="done"]').waitFor({ timeout: 30_000 });
    expect(await page.locator("#pg-stdout").textContent()).toBe("4 29 156 /poem.txt\n");
    expect(await page.locator("#pg-trace-body td.call").allTextContents()).toContain("openat");
  });

  it("the playground runs an edited Lua script on a trap kernel and on a ring kernel", async () => {
    // Chosen from the spec: the newest program ABI, the oldest kernel without a ring, the newest with one.
    const program = programVersions[programVersions.length - 1]!;
    const trap = kernelVersions.find((k) => kernels[k]!.ring === null)!;
    const ring = [...kernelVersions].reverse().find((k) => kernels[k]!.ring !== null)!;
    const script = [
      'local f = assert(io.open("t.txt", "w")); f:write(string.format("%g|%5.2f|%d", 1/3, 2.5, 7 // 2)); f:close()',
      'print(io.open("t.txt"):read("a"))',
      'print(("a1b22c333"):gsub("%d+", function(d) return "<" .. #d .. ">" end))',
      "local co = coroutine.wrap(function(a) local b = coroutine.yield(a * 2) return a + b end)",
      "print(co(20), co(1.5))",
    ].join("\n");
    const expected = "0.333333| 2.50|3\na<1>b<2>c<3>\t3\n40\t21.5\n";
    await page.goto(base + "playground.html");
    await expect.poll(() => page.locator("#pg-run").isEnabled()).toBe(true);
    await page.selectOption("#pg-sample", "lua");
    await page.selectOption("#pg-program", program);
    for (const kernel of [trap, ring]) {
      await page.selectOption("#pg-kernel", kernel);
      expect(await page.locator("#pg-script").isVisible()).toBe(true);
      // The default script is there to edit; this run replaces it.
      expect(await page.locator("#pg-script").inputValue()).toContain("coroutine");
      await page.locator("#pg-script").fill(script);
      expect(await page.locator("#pg-command").textContent()).toBe("lua /main.lua");
      expect(await page.locator("#pg-kiln").textContent()).toBe(`kiln ports build --only lua -p ${program} && kiln run --kernel ${kernel} --root DIR --trace out/ports/${program}/lua /main.lua`);
      await page.locator("#pg-run").click();
      await page.locator('#pg-result[data-state="done"]').waitFor({ timeout: 60_000 });
      expect(await page.locator("#pg-stdout").textContent()).toBe(expected);
      expect(await page.locator("#pg-status").textContent()).toBe("0");
      expect(await page.locator("#pg-layer").textContent()).toBe(`/lib/kiln/${program}-${kernel}.layer`);
      const calls = await page.locator("#pg-trace-body td.call").allTextContents();
      expect(calls).toEqual(expect.arrayContaining(["openat", "write", "exit_group"]));
      // Writes reach a ring kernel as messages, a trap kernel by traps.
      const traps = (await page.locator("#pg-trace-body").innerText()).includes("ring_enter");
      expect(traps, kernel).toBe(kernel === ring);
      // The choice lives in the URL.
      expect(new URL(page.url()).hash).toBe(`#${program}-${kernel}-lua`);
    }
    expect(failures).toEqual([]);
  });

  it("works from file:// as well", async () => {
    await page.goto(`file://${out}/abi/k2.html#k2.openat`);
    expect(await targetState(page, "k2.openat")).toMatchObject({ isTarget: true, inView: true });
    expect(await page.evaluate(() => {
        const g = globalThis as unknown as BrowserGlobals;
        return g.getComputedStyle(g.document.body).fontFamily;
      })).toMatch(/serif/);
    await page.locator('nav.side a:has-text("Compatibility matrix")').click();
    await page.waitForURL(/matrix\.html$/);
    expect(await page.locator("td.cell").count()).toBe(programVersions.length * kernelVersions.length);
    // The playground starts its Worker from a blob: URL, which file:// pages may do.
    await page.goto(`file://${out}/playground.html`);
    await expect.poll(() => page.locator("#pg-run").isEnabled()).toBe(true);
    await page.locator("#pg-run").click();
    await page.locator('#pg-result[data-state="done"]').waitFor({ timeout: 30_000 });
    expect(await page.locator("#pg-stdout").textContent()).toBe("hello, world\n");
    expect(await page.locator("#pg-mode").textContent()).toContain("Web Worker");
    expect(failures).toEqual([]);
  });
});

/** Every file under `dir`, relative to it. */
function walk(dir: string, root = dir): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n), root) : [relative(root, join(dir, n))]));
}

/** WCAG contrast ratio of two `rgb(…)` colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? ["0", "0", "0"]).slice(0, 3).map((x) => {
      const v = Number(x) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x! + 0.05) / (y! + 0.05);
}

describe("the whole site", () => {
  it("every link and script of every page resolves, fragments included, and no page repeats an id", () => {
    const files = walk(out);
    const pages = files.filter((f) => f.endsWith(".html"));
    expect(pages.length).toBeGreaterThan(100); // chapters, versions, diffs, guides and a page per call and slot
    const idsOf = new Map<string, string[]>();
    for (const p of pages) idsOf.set(p, [...readFileSync(join(out, p), "utf8").matchAll(/ id="([^"]+)"/g)].map((m) => m[1]!));
    const problems: string[] = [];
    for (const p of pages) {
      const ids = idsOf.get(p)!;
      const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
      if (dup.length) problems.push(`${p}: duplicate ids ${[...new Set(dup)].join(", ")}`);
      for (const m of readFileSync(join(out, p), "utf8").matchAll(/ (?:href|src)="([^"]*)"/g)) {
        const href = m[1]!.replace(/&amp;/g, "&");
        if (/^(data:|https?:|mailto:)/.test(href)) {
          if (/^https?:/.test(href)) problems.push(`${p}: external link ${href}`);
          continue;
        }
        const [path, frag] = href.split("#") as [string, string | undefined];
        const target = path === "" ? p : normalize(join(dirname(p), path));
        if (!files.includes(target)) problems.push(`${p}: ${href}: no file ${target}`);
        else if (frag && target.endsWith(".html") && !idsOf.get(target)!.includes(decodeURIComponent(frag))) problems.push(`${p}: ${href}: no #${frag} on ${target}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("search from file:// finds a call by name and lands on its page; the call page links its errors and rows", async () => {
    await page.goto(`file://${out}/errors.html`);
    await page.locator("#site-search").fill("openat");
    await page.locator("#search-results li a").first().waitFor();
    expect((await page.locator("#search-results li a").first().innerText()).split("\n")[0]).toBe("openat call page");
    await page.locator("#site-search").press("Enter");
    await page.waitForURL(/calls\/openat\.html$/);
    expect(await page.locator("main h1").innerText()).toContain("openat");
    expect(await page.locator('main a[href="../errors.html#errno.ENOENT"]').count()).toBeGreaterThan(0);
    expect(await page.locator('main a[href="../abi/k2.html#k2.openat"]').count()).toBeGreaterThan(0);
    // A number finds the call too: 56 is openat on k1.
    await page.locator("#site-search").fill("56");
    await page.locator("#search-results li a").first().waitFor();
    expect(await page.locator("#search-results li a").allInnerTexts()).toContainEqual(expect.stringContaining("k1.openat"));
    expect(failures).toEqual([]);
  });

  it("a long table has a filter box; the version switcher keeps the row", async () => {
    await page.goto(`${base}abi/k2.html#k2.exit_group`);
    const box = page.locator("input.table-filter").first();
    await box.fill("openat");
    const rows = page.locator("table.kind-syscalls tbody tr:visible");
    expect(await rows.count()).toBe(1);
    expect(await page.locator('a.version-link[data-version="k3"]').getAttribute("href")).toBe("k3.html#k3.exit_group");
    await page.locator('a.version-link[data-version="k3"]').click();
    await page.waitForURL(/k3\.html#k3\.exit_group$/);
    expect(await targetState(page, "k3.exit_group")).toMatchObject({ isTarget: true, inView: true });
  });

  it("at 390 px no page is wider than the window, the navigation is behind a menu and the content starts at the top", async () => {
    const narrow = await browser.newPage({ viewport: { width: 390, height: 800 } });
    narrow.on("console", (msg) => msg.type() === "error" && failures.push(`console: ${msg.text()}`));
    try {
      for (const p of ["index.html", "abi/k2.html", "abi/p1.html", "matrix.html", "playground.html", "errors.html", "routes.html", "calls.html", "slots/openat.html", "calls/openat.html", "diff/k1-k2.html", "docs/spec-format.html"]) {
        await narrow.goto(base + p);
        const m = await narrow.evaluate(() => {
          const g = globalThis as unknown as { document: { documentElement: { scrollWidth: number }; querySelector(s: string): El | null } };
          return { width: g.document.documentElement.scrollWidth, h1: g.document.querySelector("main h1")?.getBoundingClientRect().top ?? -1 };
        });
        expect(m.width, p).toBeLessThanOrEqual(390);
        expect(m.h1, `${p}: the title is near the top`).toBeLessThan(250);
        expect(await narrow.locator("nav.side").isVisible(), p).toBe(false);
      }
      await narrow.locator("#menu-toggle").click();
      expect(await narrow.locator("nav.side").isVisible()).toBe(true);
    } finally {
      await narrow.close();
    }
    expect(failures).toEqual([]);
  });

  it("in dark mode the current navigation item, route pills and pass verdict have a contrast of at least 4.5:1", async () => {
    await page.emulateMedia({ colorScheme: "dark" });
    try {
      await page.goto(base + "matrix.html");
      const pairs = await page.evaluate(() => {
        const g = globalThis as unknown as {
          document: { querySelector(s: string): El | null; createElement(t: string): El & { className: string; textContent: string }; querySelector(s: string): El | null };
          getComputedStyle(el: El): { color: string; backgroundColor: string };
        };
        const main = g.document.querySelector("main") as unknown as { appendChild(e: unknown): void };
        const pass = g.document.createElement("div");
        pass.className = "verdict pass";
        pass.textContent = "pass";
        main.appendChild(pass);
        const out: [string, string, string][] = [];
        const cur = g.document.querySelector('nav.side a[aria-current="page"]')!;
        out.push(["current nav item", g.getComputedStyle(cur).color, g.getComputedStyle(cur).backgroundColor]);
        for (const r of ["direct", "renumbered", "translated", "userspace", "emulated", "message"]) {
          const el = g.document.querySelector(`.route-${r}`);
          if (el) out.push([r, g.getComputedStyle(el).color, g.getComputedStyle(el).backgroundColor]);
        }
        const bodyBg = g.getComputedStyle(g.document.querySelector("body")!).backgroundColor;
        out.push(["pass", g.getComputedStyle(pass as unknown as El).color, bodyBg]);
        return out;
      });
      expect(pairs.length).toBeGreaterThanOrEqual(8);
      for (const [what, fg, bg] of pairs) expect(contrast(fg, bg), `${what}: ${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
    } finally {
      await page.emulateMedia({ colorScheme: "light" });
    }
  });
});
