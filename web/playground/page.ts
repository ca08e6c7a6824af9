// The playground page's script (bundled into playground.js by web/playground/bundle.ts). It wires
// the form web/pages/playground.ts renders to the engine: the engine is a global function defined
// ahead of this script in the same file, started as a Worker from a blob: URL made of its source
// text, so a long run never blocks the page (and it works from file://); where no Worker can be made it runs on the page itself. The sample programs
// come from playground-samples.js (a plain script that sets globalThis.KILN_SAMPLES).
//
// The project is type-checked without the DOM library, so the few DOM members used here are
// declared below as a minimal, type-only view of the page's globals.
import type { RunReport, RunRequest, TraceRow } from "./engine.ts";
import type { WorkerReply, WorkerRequest } from "./worker.ts";

/** The engine, a global function defined before this script in playground.js (bundle.ts). */
declare const kilnPlaygroundEngine: () => void;
const ENGINE_SOURCE = `(${kilnPlaygroundEngine.toString()})();`;

/** What playground-samples.js holds (written by web/playground/samples.ts). */
export interface SampleData {
  readonly samples: readonly {
    readonly id: string;
    readonly title: string;
    readonly argv: readonly string[];
    readonly files: Readonly<Record<string, string>>;
    readonly stdin: string;
    /** Program ABI → the guest ELF, base64. */
    readonly elf: Readonly<Record<string, string>>;
    /** A port's sample: the script the page's #pg-script edits, written to `path` before each run. */
    readonly script?: { readonly path: string; readonly text: string };
    /** The same run with kiln, with {program} and {kernel} to fill in (a port's sample). */
    readonly kiln?: string;
  }[];
}

interface El {
  value: string;
  textContent: string | null;
  disabled: boolean;
  hidden: boolean;
  innerHTML: string;
  readonly dataset: Record<string, string | undefined>;
  addEventListener(type: string, fn: () => void): void;
  appendChild(child: El): El;
  setAttribute(name: string, value: string): void;
  getAttribute(name: string): string | null;
  readonly options?: ArrayLike<El>;
}
interface WorkerLike {
  onmessage: ((ev: { data: WorkerReply }) => void) | null;
  onerror: ((ev: { message?: string; preventDefault(): void }) => void) | null;
  postMessage(msg: WorkerRequest): void;
  terminate(): void;
}
interface PageGlobals {
  readonly document: { getElementById(id: string): El | null; createElement(tag: string): El; querySelectorAll(sel: string): ArrayLike<El> };
  readonly history: { replaceState(state: null, title: string, url: string): void };
  readonly KILN_SAMPLES?: SampleData;
  kilnEngine?: { runProgram(r: RunRequest): RunReport };
  readonly Worker?: new (url: string) => WorkerLike;
  readonly Blob: new (parts: string[], opts: { type: string }) => unknown;
  readonly URL: { createObjectURL(b: unknown): string };
  readonly location: { hash: string };
  atob(s: string): string;
  addEventListener(type: string, fn: () => void): void;
  setTimeout(fn: () => void, ms: number): unknown;
}

const g = globalThis as unknown as PageGlobals;
const $ = (id: string): El => {
  const el = g.document.getElementById(id);
  if (!el) throw new Error(`playground: #${id} is missing from the page`);
  return el;
};

function decode64(s: string): Uint8Array {
  const bin = g.atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// ---- The engine: a Worker, or the page itself ----

type Runner = (req: RunRequest) => Promise<RunReport>;

function inPage(): Runner {
  // Let the page paint "running…" first; a failing engine rejects the run rather than throwing here.
  return (req) =>
    new Promise((resolve, reject) =>
      g.setTimeout(() => {
        try {
          if (!g.kilnEngine) kilnPlaygroundEngine();
          resolve(g.kilnEngine!.runProgram(req));
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      }, 20),
    );
}

function inWorker(): Runner | null {
  if (!g.Worker) return null;
  let worker: WorkerLike;
  try {
    worker = new g.Worker(g.URL.createObjectURL(new g.Blob([ENGINE_SOURCE], { type: "text/javascript" })));
  } catch {
    return null;
  }
  let next = 1;
  const waiting = new Map<number, { resolve: (r: RunReport) => void; reject: (e: Error) => void; req: RunRequest }>();
  let broken = false;
  worker.onmessage = (ev) => {
    const w = waiting.get(ev.data.id);
    if (!w) return;
    waiting.delete(ev.data.id);
    if (ev.data.report) w.resolve(ev.data.report);
    else w.reject(new Error(ev.data.error ?? "the engine failed"));
  };
  worker.onerror = (ev) => {
    // A worker that cannot start (e.g. a policy forbids blob: workers): run in the page instead.
    ev.preventDefault();
    broken = true;
    worker.terminate();
    const fallback = inPage();
    for (const [, w] of waiting) fallback(w.req).then(w.resolve, w.reject);
    waiting.clear();
    runner = fallback;
    mode = "page";
    showMode();
  };
  return (req) =>
    broken
      ? inPage()(req)
      : new Promise((resolve, reject) => {
          const id = next++;
          waiting.set(id, { resolve, reject, req });
          worker.postMessage({ id, run: req });
        });
}

// The Worker is made on the first run, not at page load: loading the engine's blob: script costs
// every visitor of the page, and a visitor who leaves before it loaded aborts that load.
let mode: "worker" | "page" = g.Worker ? "worker" : "page";
let runner: Runner = (req) => {
  const w = inWorker();
  if (!w) {
    mode = "page";
    showMode();
  }
  runner = w ?? inPage();
  return runner(req);
};

function showMode(): void {
  $("pg-mode").textContent = mode === "worker" ? "runs in a Web Worker" : "runs on the page (no Web Worker available)";
}

// ---- The form ----

function fmt(n: number): string {
  return n.toLocaleString("en-US");
}

function cell(tag: string, text: string, cls?: string): El {
  const el = g.document.createElement(tag);
  el.textContent = text;
  if (cls) el.setAttribute("class", cls);
  return el;
}

function link(href: string, text: string): El {
  const a = g.document.createElement("a");
  a.setAttribute("href", href);
  a.textContent = text;
  return a;
}

function showTrace(report: RunReport & { program: string; kernel: string }): void {
  const head = $("pg-trace-head");
  head.innerHTML = "";
  const cols = report.tracer === "layer" ? ["thread", "slot", "route", "arguments and result", "traps and messages", "instructions"] : ["thread", "call", "arguments and result", "instructions since previous trap"];
  for (const c of cols) head.appendChild(cell("th", c));
  const body = $("pg-trace-body");
  body.innerHTML = "";
  const rows: readonly TraceRow[] = report.trace;
  const shown = rows.slice(0, 400);
  for (const r of shown) {
    const tr = g.document.createElement("tr");
    tr.appendChild(cell("td", String(r.tid), "num"));
    // Each row links to the spec: a slot to its row in the program ABI page and its route on
    // this pair to the slot's page; a kernel call to its row in the kernel ABI page.
    const callCell = cell("td", "", "call");
    callCell.appendChild(link(report.tracer === "layer" ? `abi/${report.program}.html#${report.program}.${r.call}` : `abi/${report.kernel}.html#${report.kernel}.${r.call}`, r.call));
    tr.appendChild(callCell);
    if (report.tracer === "layer") {
      const routeCell = cell("td", "", "route");
      routeCell.appendChild(link(`slots/${r.call}.html#route.${report.program}-${report.kernel}`, r.route ?? ""));
      tr.appendChild(routeCell);
    }
    tr.appendChild(cell("td", r.detail, "detail"));
    if (report.tracer === "layer") tr.appendChild(cell("td", r.kernel ?? "", "detail"));
    tr.appendChild(cell("td", fmt(r.insns), "num"));
    body.appendChild(tr);
  }
  const more = rows.length - shown.length;
  $("pg-trace-note").textContent =
    (report.tracer === "kernel"
      ? "Kernel trace: one row per trap into the kernel; instructions are those retired since the previous trap (the program's own work plus the layer's stub and routine). Calls the layer serves in userspace (getpid, monotonic_ns on k2+) do not trap and so do not appear."
      : "Layer trace (harness/trace.ts): one row per call through the stub table, with the route the layer realises it by, the traps and ring messages it made, and its exact cost in instructions from the jal into the slot through its return. Calls served in userspace make no trap.") +
    (more > 0 ? ` (first ${shown.length} of ${rows.length} rows shown)` : "");
}

function readSamples(): SampleData {
  const s = g.KILN_SAMPLES;
  if (!s || !Array.isArray(s.samples)) throw new Error("playground-samples.js did not load");
  return s;
}

function main(): void {
  const data = readSamples();
  const program = $("pg-program");
  const kernel = $("pg-kernel");
  const sample = $("pg-sample");
  const run = $("pg-run");
  const max = $("pg-max");
  showMode();

  // `playground.html#p2-k3-hello` preselects a run (on load and when the fragment changes).
  const applyHash = () => {
    const m = /^#(p\d+)-(k\d+)-([\w-]+)$/.exec(g.location.hash);
    if (!m) return;
    program.value = m[1]!;
    kernel.value = m[2]!;
    sample.value = m[3]!;
    describe();
  };
  const describe = () => {
    const s = data.samples.find((x) => x.id === sample.value);
    $("pg-command").textContent = s ? `${s.argv.join(" ")}${s.stdin ? " < (stdin)" : ""}` : "";
    // The source it runs, and the same run on the command line.
    const sources = g.document.querySelectorAll(".pg-source");
    let file = "";
    for (let i = 0; i < sources.length; i++) {
      const pre = sources[i]!;
      pre.hidden = pre.getAttribute("data-sample") !== sample.value;
      if (!pre.hidden) file = pre.getAttribute("data-file") ?? "";
    }
    const root = s && (Object.keys(s.files).length || s.script) ? " --root DIR" : "";
    $("pg-kiln").textContent = !s
      ? ""
      : s.kiln
        ? s.kiln.replace(/\{program\}/g, program.value).replace(/\{kernel\}/g, kernel.value)
        : `kiln cc -p ${program.value} -o ${s.argv[0]} ${file} && kiln run --kernel ${kernel.value}${root} --trace ${s.argv.join(" ")}`;
    $("pg-root-note").hidden = root === "";
  };
  // The choice lives in the URL (#p2-k3-hello), so a link or a reload keeps it.
  const remember = () => {
    describe();
    g.history.replaceState(null, "", `#${program.value}-${kernel.value}-${sample.value}`);
  };
  sample.addEventListener("change", remember);
  program.addEventListener("change", remember);
  kernel.addEventListener("change", remember);
  g.addEventListener("hashchange", applyHash);
  describe();
  applyHash();

  run.addEventListener("click", () => {
    const s = data.samples.find((x) => x.id === sample.value);
    const elf = s?.elf[program.value];
    if (!s || !elf) {
      $("pg-outcome").textContent = `no ${program.value} build of this sample`;
      return;
    }
    const maxInsns = Math.max(1000, Math.min(Number(max.value) || 50_000_000, 2_000_000_000));
    run.disabled = true;
    $("pg-result").dataset["state"] = "running";
    $("pg-outcome").textContent = "running…";
    // A port's sample runs the script as edited in #pg-script.
    const script = s.script ? g.document.getElementById("pg-script") : null;
    const files = s.script ? { ...s.files, [s.script.path]: script?.value ?? s.script.text } : s.files;
    const req: RunRequest = { program: program.value, kernel: kernel.value, elf: decode64(elf), argv: s.argv, files, stdin: s.stdin, maxInsns };
    runner(req)
      .then((r) => {
        $("pg-stdout").textContent = r.stdout;
        $("pg-stderr").textContent = r.stderr;
        $("pg-stderr-box").hidden = r.stderr.length === 0;
        $("pg-status").textContent = String(r.status);
        $("pg-outcome").textContent = r.outcome;
        $("pg-insns").textContent = fmt(r.insns);
        $("pg-layer").textContent = r.layer ?? "none";
        $("pg-ms").textContent = `${r.ms.toFixed(0)} ms`;
        $("pg-calls").textContent = fmt(r.trace.length);
        showTrace({ ...r, program: req.program, kernel: req.kernel });
        $("pg-result").dataset["state"] = "done";
      })
      .catch((e: Error) => {
        $("pg-outcome").textContent = `the engine failed: ${e.message}`;
        $("pg-result").dataset["state"] = "error";
      })
      .finally(() => {
        run.disabled = false;
      });
  });
  run.disabled = false;
}

try {
  main();
} catch (e) {
  const out = g.document.getElementById("pg-outcome");
  if (out) out.textContent = `the playground could not start: ${(e as Error).message}`;
}
