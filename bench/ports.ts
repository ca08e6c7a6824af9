// Ports benchmark: Lua 5.4 and the SQLite shell (kiln ports build, for the two newest program ABIs
// that have what they need: the newest, and the one before it for comparison) run a workload (bench/ports/workload.lua, workload.sql) in process on every
// kernel ABI. Prints guest instructions and M instructions/s per kernel (the output is checked
// against the native program's when it is installed), then, from a traced run, what each layer
// route costs on that workload: calls, guest instructions per call and traps per call.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildPorts, missingSlots, RECIPES } from "../impl/toolchain/ports.ts";
import { REPO } from "../impl/toolchain/cc.ts";
import { kernels, kernelVersions, programVersions } from "../generated/index.ts";
import { Kernel } from "../impl/kernel/kernel.ts";
import { BufferStdio } from "../impl/kernel/stdio.ts";
import { installLayers } from "../harness/install.ts";
import { LayerTracer, type RouteStats } from "../harness/trace.ts";

export interface PortBenchRow {
  name: string;
  instructions: number;
  seconds: number;
  mips: number;
}

export interface PortRouteRow {
  workload: string;
  kernel: string;
  route: string;
  calls: number;
  insnsPerCall: number;
  trapsPerCall: number;
}

const WORK = join(REPO, "bench", "ports");

interface Workload {
  readonly name: string;
  readonly port: string;
  readonly argv: string[];
  readonly files: Record<string, string>;
  readonly stdin: string;
  readonly native: { cmd: string; args: string[] };
}

function workloads(): Workload[] {
  const lua = readFileSync(join(WORK, "workload.lua"), "utf8");
  const sql = readFileSync(join(WORK, "workload.sql"), "utf8");
  return [
    { name: "lua workload.lua", port: "lua", argv: ["lua5.4", "workload.lua"], files: { "workload.lua": lua }, stdin: "", native: { cmd: "/usr/bin/lua5.4", args: [join(WORK, "workload.lua")] } },
    { name: "sqlite3 workload.sql", port: "sqlite3", argv: ["sqlite3", "-batch", "bench.db"], files: {}, stdin: sql, native: { cmd: "/usr/bin/sqlite3", args: ["-batch", ":memory:"] } },
  ];
}

function run(k: string, image: Uint8Array, w: Workload, tracer?: LayerTracer): { status: number; stdout: string; stderr: string; insns: number; seconds: number } {
  const stdio = new BufferStdio(w.stdin);
  const base = { dispatch: kernels[k]!, stdio, maxInsns: 4_000_000_000 };
  const kernel = new Kernel(tracer ? tracer.kernelOptions(base) : base);
  installLayers(kernel.vfs);
  for (const [p, c] of Object.entries(w.files)) kernel.vfs.writeFile(`/${p}`, c);
  kernel.spawn(image, w.argv, ["HOME=/"]);
  const t0 = performance.now();
  const r = kernel.run();
  const seconds = (performance.now() - t0) / 1000;
  tracer?.finish();
  return { status: r.status, stdout: stdio.stdout, stderr: stdio.stderr, insns: r.insns, seconds };
}

export async function runPortBenchmarks(log: (s: string) => void = () => {}): Promise<{ rows: PortBenchRow[]; routes: PortRouteRow[] }> {
  const abis = [...programVersions].reverse().filter((p) => RECIPES.every((r) => missingSlots(r, p).missing.length === 0)).slice(0, 2);
  const out = mkdtempSync(join(tmpdir(), "kiln-bench-ports-"));
  try {
    const built = await buildPorts({ out, abis, log });
    const images: Record<string, Uint8Array> = {};
    for (const b of built) if (b.path) images[`${b.abi}/${b.port}`] = readFileSync(b.path);
    const rows: PortBenchRow[] = [];
    const routes: PortRouteRow[] = [];
    for (const abi of abis) {
      for (const w of workloads()) {
        const image = images[`${abi}/${w.port}`];
        if (!image) continue;
        const native = existsSync(w.native.cmd) ? spawnSync(w.native.cmd, w.native.args, { input: w.stdin, encoding: "utf8" }).stdout : null;
        for (const k of kernelVersions) {
          const r = run(k, image, w);
          if (r.status !== 0 || (native !== null && r.stdout !== native)) {
            throw new Error(`bench ports: ${w.name} (${abi}) on ${k}: status ${r.status}, stdout ${JSON.stringify(r.stdout)}, stderr ${JSON.stringify(r.stderr)}`);
          }
          rows.push({ name: `${w.name} (${abi} on ${k})`, instructions: r.insns, seconds: r.seconds, mips: r.insns / r.seconds / 1e6 });
          const tracer = new LayerTracer({ keep: false });
          run(k, image, w, tracer);
          for (const [, byRoute] of tracer.stats) {
            for (const [route, s] of [...byRoute].sort(([, a], [, b]) => b.calls - a.calls) as [string, RouteStats][]) {
              routes.push({ workload: `${w.name} (${abi})`, kernel: k, route, calls: s.calls, insnsPerCall: s.insns / s.calls, trapsPerCall: s.traps / s.calls });
            }
          }
        }
      }
    }
    return { rows, routes };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const { rows, routes } = await runPortBenchmarks((s) => console.error(s));
  for (const r of rows) console.log(`${r.name.padEnd(44)} ${String(r.instructions).padStart(12)} instr  ${r.seconds.toFixed(3).padStart(7)} s  ${r.mips.toFixed(1).padStart(7)} MIPS`);
  for (const r of routes) console.log(`${r.workload} ${r.kernel} ${r.route}: ${r.calls} calls, ${r.insnsPerCall.toFixed(1)} insns/call, ${r.trapsPerCall.toFixed(2)} traps/call`);
}
