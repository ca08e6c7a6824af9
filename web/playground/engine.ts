// The playground's engine: runs one guest program on the kiln kernel, in the browser (a Worker, or
// the page itself when workers are unavailable) or in Node (tests). It is bundled by esbuild for
// the browser (web/playground/bundle.ts), so it imports nothing from node: itself; the modules it
// reaches that do (vfs.importHostDir, hostStdio, layersFromDir) are never called here and their
// node: imports are stubbed in the bundle.
import { kernels, realisations, selection } from "../../generated/index.ts";
import { Kernel, type KernelOptions } from "../../impl/kernel/kernel.ts";
import { LoadError } from "../../impl/kernel/loader.ts";
import { BufferStdio } from "../../impl/kernel/stdio.ts";
import { buildLayer } from "../../impl/layer/build.ts";
import { installLayers } from "../../harness/install.ts";
import { LayerTracer, type TracedCall } from "../../harness/trace.ts";

export interface RunRequest {
  readonly program: string;
  readonly kernel: string;
  /** The guest ELF. */
  readonly elf: Uint8Array;
  readonly argv: readonly string[];
  /** Files to create in the guest file system before the run (path → text). */
  readonly files?: Readonly<Record<string, string>>;
  readonly stdin?: string;
  /** Every run is bounded: the kernel stops it after this many instructions (status 124). */
  readonly maxInsns: number;
}

/** One row of the per-call trace. */
export interface TraceRow {
  readonly tid: number;
  /** The call's stable id (`write`, `getpid`, …). */
  readonly call: string;
  /** What the tracer shows of the call: arguments and result. */
  readonly detail: string;
  /**
   * Instructions this row accounts for. Layer tracer: the call's own cost, from the jal into the
   * slot through its return. Kernel tracer: instructions retired since the previous trap.
   */
  readonly insns: number;
  /** How the layer realised the slot (layer tracer only). */
  readonly route?: string;
  /** The traps and ring messages the call made (layer tracer only), e.g. `ring_enter {write}`. */
  readonly kernel?: string;
}

export interface RunReport {
  readonly stdout: string;
  readonly stderr: string;
  /** Shell-style status: the exit code, 128+signal, 124 (instruction limit), 125 (deadlock), 126 (not loadable). */
  readonly status: number;
  /** The outcome in words. */
  readonly outcome: string;
  /** Instructions retired by every guest thread. */
  readonly insns: number;
  /** Which tracer made `trace`: the kernel's per-syscall trace, or the layer's per-slot tracer. */
  readonly tracer: "kernel" | "layer";
  readonly trace: readonly TraceRow[];
  /** The layer file the loader mapped (from the selection table), or null for none. */
  readonly layer: string | null;
  /** Wall-clock milliseconds of the run (layer build included); for display only. */
  readonly ms: number;
}

/** Program and kernel ABIs the bundle was built with. */
export const versions = {
  programs: [...new Set(selection.map((s) => s.program))],
  kernels: Object.keys(kernels),
};

/** Layer images built in this page, by selection path (built on first use: a few ms each). */
const layerCache = new Map<string, Uint8Array>();

function layerFor(program: string, kernel: string): { path: string; bytes: Uint8Array } | null {
  const sel = selection.find((s) => s.program === program && s.kernel === kernel);
  if (!sel || !realisations[`${program}-${kernel}`]) return null;
  let bytes = layerCache.get(sel.path);
  if (!bytes) {
    bytes = buildLayer(program, kernel).bytes;
    layerCache.set(sel.path, bytes);
  }
  return { path: sel.path, bytes };
}

/**
 * The one place that knows about tracers. A layered program is traced by the layer's call tracer
 * (harness/trace.ts): one row per stub-slot call with its route and the exact instructions from
 * the jal into the slot through its return. A raw program (no layer, so no slot calls) falls back
 * to the kernel's per-syscall trace (KernelOptions.trace, `[tid] id(args) = ret` per trap), with
 * the instructions retired since the previous trap.
 */
function makeTracer(insnsNow: () => number) {
  const kernelRows: TraceRow[] = [];
  let last = 0;
  const kernelLine = (line: string) => {
    const now = insnsNow();
    const m = /^\[(\d+)\] ([A-Za-z_][\w.]*)(.*)$/.exec(line);
    kernelRows.push({ tid: m ? Number(m[1]) : 0, call: m ? m[2]! : line, detail: m ? m[3]!.trim() : "", insns: now - last });
    last = now;
  };
  const layer = new LayerTracer({ keep: true, maxString: 24 });
  const layerRow = (c: TracedCall): TraceRow => {
    const what = c.recipe ?? (c.call ? `${c.call}${c.nr !== null ? `#${c.nr}` : ""}` : "");
    const kernel = [c.kernelCalls.join(", "), c.messages.length ? `{${c.messages.join(", ")}}` : ""].filter(Boolean).join(" ");
    return {
      tid: c.tid,
      call: c.id,
      route: `${c.route}${what ? ` ${what}` : ""}`,
      detail: `(${c.argText.join(", ")}) = ${c.resultText}`,
      kernel: kernel || "no trap",
      insns: c.insns,
    };
  };
  return {
    options: <T extends Partial<KernelOptions>>(base: T) => layer.kernelOptions({ ...base, trace: kernelLine }),
    result: (): { kind: "kernel" | "layer"; rows: TraceRow[] } => {
      layer.finish();
      return layer.calls.length > 0 ? { kind: "layer", rows: layer.calls.map(layerRow) } : { kind: "kernel", rows: kernelRows };
    },
  };
}

const now = () => (typeof performance !== "undefined" ? performance.now() : Date.now());

/** Run one program to its end (or its instruction bound). Never throws for bad guest input. */
export function runProgram(req: RunRequest): RunReport {
  const started = now();
  const dispatch = kernels[req.kernel];
  const empty = { stdout: "", stderr: "", insns: 0, tracer: "kernel" as const, trace: [], layer: null };
  if (!dispatch) return { ...empty, status: 2, outcome: `unknown kernel ABI ${req.kernel}`, ms: 0 };
  const stdio = new BufferStdio(req.stdin ?? "");
  let kernel: Kernel | null = null;
  const tracer = makeTracer(() => kernel?.insns ?? 0);
  kernel = new Kernel(tracer.options({ dispatch, stdio, maxInsns: req.maxInsns }));
  let layer: string | null = null;
  try {
    const l = layerFor(req.program, req.kernel);
    if (l) {
      installLayers(kernel.vfs, new Map([[l.path, l.bytes]]));
      layer = l.path;
    }
    for (const [path, text] of Object.entries(req.files ?? {})) kernel.vfs.writeFile(path, text);
    kernel.spawn(req.elf, [...req.argv], []);
  } catch (e) {
    const msg = e instanceof LoadError ? `cannot run: ${e.message}` : `cannot start: ${(e as Error).message}`;
    return { ...empty, layer, status: 126, outcome: msg, ms: now() - started };
  }
  const r = kernel.run();
  const trace = tracer.result();
  const o = r.outcome;
  const outcome = o.kind === "exited" ? `exited with status ${o.code}` : o.kind === "signaled" ? `killed by signal ${o.signal}` : o.message;
  return {
    stdout: stdio.stdout,
    stderr: stdio.stderr,
    status: r.status,
    outcome,
    insns: r.insns,
    tracer: trace.kind,
    trace: trace.rows,
    layer,
    ms: now() - started,
  };
}
