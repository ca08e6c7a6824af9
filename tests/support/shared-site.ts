// The spec site as kiln builds it by default (no run results), built once per test run and read by
// every test file that needs it (tests/web/site.test.ts, tests/web/browser.test.ts), instead of once
// per file. The first file to ask builds it in the run's scratch directory (global-setup.ts) while
// holding a lock directory; the others wait for its result file.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";
import { REPO_ROOT } from "../../gen/check.ts";
import { buildSite, type SiteResult } from "../../web/site.ts";
import "./global-setup.ts";

const nap = new Int32Array(new SharedArrayBuffer(4));

/** The shared site: its directory and buildSite's result. */
export function sharedSite(): { out: string; result: SiteResult } {
  const dir = join(inject("kilnRunDir"), "site");
  const out = join(dir, "out");
  const done = join(dir, "result.json");
  let mine = true;
  try {
    mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    mine = false;
  }
  if (mine) {
    let text: string;
    try {
      text = JSON.stringify({ result: buildSite({ root: REPO_ROOT, out, matrixFile: join(dir, "no-matrix.json") }) });
    } catch (e) {
      text = JSON.stringify({ error: (e as Error).stack ?? String(e) });
    }
    writeFileSync(`${done}.tmp`, text);
    renameSync(`${done}.tmp`, done);
  } else {
    const until = Date.now() + 600_000;
    while (!existsSync(done)) {
      if (Date.now() > until) throw new Error(`timed out waiting for the shared site in ${dir}`);
      Atomics.wait(nap, 0, 0, 100);
    }
  }
  const r = JSON.parse(readFileSync(done, "utf8")) as { result?: SiteResult; error?: string };
  if (r.error !== undefined) throw new Error(`building the shared site failed: ${r.error}`);
  return { out, result: r.result! };
}
