// A worker thread of `kiln matrix` (cli/matrix-pool.ts): runs the cells it is sent with the
// matrix's own per-cell function and posts each result back.
import { parentPort } from "node:worker_threads";
import { runCell } from "../harness/matrix.ts";
import type { CellJob, CellReply } from "./matrix-pool.ts";
import { usePrebuiltLayers } from "./prebuilt.ts";

usePrebuiltLayers();

parentPort!.on("message", (job: CellJob) => {
  let reply: CellReply;
  try {
    reply = { id: job.id, run: runCell(job.elf, job.object, job.kernel, job.opts) };
  } catch (e) {
    reply = { id: job.id, error: (e as Error).stack ?? String(e) };
  }
  parentPort!.postMessage(reply);
});
