// Browser entry of the engine (bundled by web/playground/bundle.ts into a string the page starts as
// a Worker from a blob: URL, which works from file:// too). In a worker it answers `run` messages;
// evaluated on the page itself (no Worker available) it leaves the engine on globalThis instead.
import { runProgram, versions, type RunReport, type RunRequest } from "./engine.ts";

export interface WorkerRequest {
  readonly id: number;
  readonly run: RunRequest;
}
export interface WorkerReply {
  readonly id: number;
  readonly report?: RunReport;
  readonly error?: string;
}

interface WorkerScope {
  onmessage: ((ev: { data: WorkerRequest }) => void) | null;
  postMessage(msg: WorkerReply): void;
}

const g = globalThis as unknown as { WorkerGlobalScope?: unknown; kilnEngine?: unknown } & WorkerScope;
const engine = { runProgram, versions };

if (typeof g.WorkerGlobalScope !== "undefined") {
  g.onmessage = (ev) => {
    const { id, run } = ev.data;
    try {
      g.postMessage({ id, report: runProgram(run) });
    } catch (e) {
      g.postMessage({ id, error: (e as Error).stack ?? String(e) });
    }
  };
} else {
  g.kilnEngine = engine;
}
