// `kiln matrix` on every core: the cells of the matrix (each program ABI's layered and raw program
// on every kernel ABI) run on worker threads, one per core, with the matrix's own per-cell function
// (impl/layer/matrix.ts runCell); runMatrix then takes their results instead of running the cells
// itself. A cell the pool did not run (runMatrix asked for one it was not told about) runs in
// process, so the pool only ever changes the speed.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { CellRun, MatrixBuild } from "../impl/layer/matrix.ts";

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

/** How many workers for n cells: one per core, at most one per cell; 1 means "run in process". */
export function poolSize(n: number): number {
  const env = Number(process.env["KILN_MATRIX_WORKERS"]);
  const want = Number.isInteger(env) && env > 0 ? env : availableParallelism();
  return Math.max(1, Math.min(want, n));
}

/**
 * Runs the jobs on `workers` threads; `onDone(done, total)` after each. Returns a runCell-shaped
 * lookup that answers from the results and falls back to `runHere` for any other cell.
 */
export async function runCellsInPool(
  jobs: readonly Omit<CellJob, "id">[],
  workers: number,
  runHere: (elf: string, object: string | null, kernel: string, opts?: CellOpts) => CellRun,
  onDone: (done: number, total: number) => void = () => {},
): Promise<(elf: string, object: string | null, kernel: string, opts?: CellOpts) => CellRun> {
  const results = new Map<string, CellRun>();
  const queue = jobs.map((j, id) => ({ ...j, id }));
  let done = 0;
  const pool = Array.from({ length: workers }, () => startWorker());
  try {
    await Promise.all(
      pool.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const next = (): void => {
              const job = queue.shift();
              if (!job) return resolve();
              w.postMessage(job);
            };
            w.on("message", (r: CellReply) => {
              if ("error" in r) return reject(new Error(`matrix cell ${jobs[r.id]!.elf} on ${jobs[r.id]!.kernel}: ${r.error}`));
              const j = jobs[r.id]!;
              results.set(key(j.elf, j.object, j.kernel, j.opts), r.run);
              onDone(++done, jobs.length);
              next();
            });
            w.on("error", reject);
            w.on("exit", (code) => (queue.length > 0 || code !== 0 ? reject(new Error(`a matrix worker exited (status ${code})`)) : undefined));
            next();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return (elf, object, kernel, opts = {}) => results.get(key(elf, object, kernel, opts)) ?? runHere(elf, object, kernel, opts);
}
