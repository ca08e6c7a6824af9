// The built site in real headless Chromium (Debian's /usr/bin/chromium through playwright-core),
// served over HTTP from 127.0.0.1 and read from file:// as well. No Chromium means a failure that
// says how to install it, never a silent skip.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../gen/main.ts";
import { buildSite } from "../../web/site.ts";
import { kernelVersions, programVersions } from "../../generated/index.ts";
import { dispatch as k1Dispatch } from "../../generated/kernel/k1.ts";

/** Debian's Chromium; KILN_CHROMIUM overrides the path (e.g. to check the failure message). */
const CHROMIUM = process.env.KILN_CHROMIUM ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".json": "application/json", ".js": "text/javascript; charset=utf-8" };

const work = mkdtempSync(join(tmpdir(), "kiln-browser-"));
const out = join(work, "site");
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
  const r = buildSite({ root: REPO_ROOT, out, matrixFile: join(work, "no-matrix.json") });
  if (!r.ok) throw new Error("the site did not build: the spec has errors (run `kiln check`)");
  server = await serve(out);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on("response", (res) => {
    if (res.status() >= 400) failures.push(`${res.status()} ${res.url()}`);
  });
  page.on("requestfailed", (req) => failures.push(`failed ${req.url()}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") failures.push(`console: ${msg.text()}`);
  });
}, 60_000);

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
    expect(await page.locator("table.kiln-table.kind-syscalls tbody tr").count()).toBe(k1Dispatch.syscalls.length);
    expect(await page.locator("text=kiln:table").count(), "markers are not shown").toBe(0);
    expect(failures).toEqual([]);
  });

  it("abi/k2.html#k2.openat scrolls that row into view, makes it the :target and highlights it", async () => {
    await page.goto(base + "abi/k2.html#k2.openat");
    const s = await targetState(page, "k2.openat");
    expect(s).toMatchObject({ isTarget: true, targetId: "k2.openat", inView: true, outline: "solid", selfLink: "#k2.openat" });
    expect(s!.background).not.toBe("rgba(0, 0, 0, 0)");
    // Rows far down the page too: a struct field and a realise row.
    for (const id of ["k2.stat.st_pad2", "k2.realise.batch"]) {
      await page.goto(`${base}abi/k2.html#${id}`);
      expect(await targetState(page, id)).toMatchObject({ isTarget: true, inView: true });
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
    for (const p of ["p1", "p2", "p3"]) {
      for (const k of kernelVersions) {
        const cell = page.locator(`td.cell[data-program="${p}"][data-kernel="${k}"]`);
        await expect.poll(() => cell.count()).toBe(1);
        expect(await cell.isVisible()).toBe(true);
        expect(await cell.textContent()).toContain(`${p}-${k}`);
      }
    }
    expect(await page.locator("text=No run results are present.").isVisible()).toBe(true);
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

  it("the playground runs hello built for p2 on k3 and shows its output, status, instructions and trace", async () => {
    await page.goto(base + "playground.html");
    expect(await page.locator("#pg-program").inputValue()).toBe("p2");
    expect(await page.locator("#pg-kernel").inputValue()).toBe("k3");
    expect(await page.locator("#pg-sample").inputValue()).toBe("hello");
    await expect.poll(() => page.locator("#pg-run").isEnabled()).toBe(true);
    await page.locator("#pg-run").click();
    await page.locator('#pg-result[data-state="done"]').waitFor({ timeout: 30_000 });
    expect(await page.locator("#pg-stdout").textContent()).toBe("hello, world\n");
    expect(await page.locator("#pg-status").textContent()).toBe("0");
    expect(await page.locator("#pg-outcome").textContent()).toBe("exited with status 0");
    expect(await page.locator("#pg-layer").textContent()).toBe("/lib/kiln/p2-k3.layer");
    expect(Number((await page.locator("#pg-insns").textContent())!.replace(/,/g, ""))).toBeGreaterThan(100);
    expect(await page.locator("#pg-mode").textContent()).toContain("Web Worker");
    // k3 has no write call: the layer turns it into a message on the ring, entered with ring_enter.
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
