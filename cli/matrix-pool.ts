// `kiln matrix` on every core: the cells of the matrix (each program ABI's layered and raw program
// on every kernel ABI) run on this thread and on worker threads, one thread per core, with the matrix's own per-cell function
// (harness/matrix.ts runCell); runMatrix then takes their results instead of running the cells
// itself. A cell the pool did not run (runMatrix asked for one it was not told about) runs in
// process, so the pool only ever changes the speed.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { CellRun, MatrixBuild } from "../harness/matrix.ts";

declare const __KILN_BUNDLE__: boolean | undefined;

type CellOpts = { trace?: boolean; budget?: number };
export interface CellJob {
  readonly id: number;
  readonly elf: string;
  readonly object: string | null;
  readonly kernel: string;
  readonly opts: CellOpts;
}
export type CellReply = { readonly id: number; readonly run: CellRun } | { readonly id: number; readonly error: string };

const key = (elf: string, object: string | null, kernel: string, opts: CellOpts) =>
  JSON.stringify([elf, object, kernel, opts.trace ?? true, opts.budget ?? null]);

/** The cells runMatrix runs for these builds: each layered program traced, each raw one untraced on a small budget. */
export function matrixJobs(builds: readonly MatrixBuild[], kernels: readonly string[]): Omit<CellJob, "id">[] {
  const jobs: Omit<CellJob, "id">[] = [];
  for (const b of builds) {
    for (const k of kernels) jobs.push({ elf: b.layered, object: b.object, kernel: k, opts: {} });
    for (const k of kernels) jobs.push({ elf: b.raw, object: b.rawObject, kernel: k, opts: { trace: false, budget: 5_000_000 } });
  }
  return jobs;
}

/** A worker running cli/matrix-worker: the bundled one under dist/, or the TypeScript one through tsx. */
function startWorker(): Worker {
  if (typeof __KILN_BUNDLE__ !== "undefined") return new Worker(new URL("../dist/matrix-worker.mjs", import.meta.url));
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = new URL("./matrix-worker.ts", import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true });
}

/** How many threads for n cells (this one and the workers): one per core, at most one per cell; 1 means "run in process". */
export function poolSize(n: number): number {
  const env = Number(process.env["KILN_MATRIX_WORKERS"]);
  const want = Number.isInteger(env) && env > 0 ? env : availableParallelism();
  return Math.max(1, Math.min(want, n));
}

/**
 * Runs the jobs on `lanes` threads: this one and `lanes - 1` workers, all taking cells from one
 * queue; `onDone(done, total)` after each. Returns a runCell-shaped lookup that answers from the
 * results and falls back to `runHere` for any other cell.
 */
export async function runCellsInPool(
  jobs: readonly Omit<CellJob, "id">[],
  lanes: number,
  runHere: (elf: string, object: string | null, kernel: string, opts?: CellOpts) => CellRun,
  onDone: (done: number, total: number) => void = () => {},
): Promise<(elf: string, object: string | null, kernel: string, opts?: CellOpts) => CellRun> {
  const results = new Map<string, CellRun>();
  const queue = jobs.map((j, id) => ({ ...j, id }));
  let done = 0;
  const finished = (j: Omit<CellJob, "id">, run: CellRun): void => {
    results.set(key(j.elf, j.object, j.kernel, j.opts), run);
    onDone(++done, jobs.length);
  };
  const pool = Array.from({ length: Math.max(0, lanes - 1) }, () => startWorker());
  const workerLane = (w: Worker) =>
    new Promise<void>((resolve, reject) => {
      let busy = false;
      const next = (): void => {
        const job = queue.shift();
        if (!job) return resolve();
        busy = true;
        w.postMessage(job);
      };
      w.on("message", (r: CellReply) => {
        busy = false;
        if ("error" in r) return reject(new Error(`matrix cell ${jobs[r.id]!.elf} on ${jobs[r.id]!.kernel}: ${r.error}`));
        finished(jobs[r.id]!, r.run);
        next();
      });
      w.on("error", reject);
      w.on("exit", (code) => (busy || queue.length > 0 ? reject(new Error(`a matrix worker exited (status ${code}) with cells left to run`)) : undefined));
      next();
    });
  // This thread's lane: one cell at a time, yielding between cells so the workers' results and
  // requests for more are handled.
  const hereLane = async (): Promise<void> => {
    for (;;) {
      await new Promise<void>((r) => setImmediate(r));
      const job = queue.shift();
      if (!job) return;
      finished(job, runHere(job.elf, job.object, job.kernel, job.opts));
    }
  };
  try {
    await Promise.all([...pool.map(workerLane), hereLane()]);
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return (elf, object, kernel, opts = {}) => results.get(key(elf, object, kernel, opts)) ?? runHere(elf, object, kernel, opts);
}
