// Benchmark of the spec pipeline: load + validate + generate, in process, over several runs.
import { generateAll } from "../gen/generate.ts";
import { checkSpec, REPO_ROOT, runGen } from "../gen/main.ts";
import { join } from "node:path";

export interface Figure {
  readonly name: string;
  readonly runs: number;
  readonly minMs: number;
  readonly medianMs: number;
}

function measure(name: string, runs: number, fn: () => void): Figure {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { name, runs, minMs: times[0]!, medianMs: times[Math.floor(runs / 2)]! };
}

export function runGenBenchmarks(runs = 5): Figure[] {
  const specDir = join(REPO_ROOT, "spec");
  // The first run pays module loading and JIT warm-up; it is reported on its own.
  const first = measure("gen: first full regeneration (check mode, cold)", 1, () => runGen(REPO_ROOT, true));
  const { spec } = checkSpec(specDir, "spec");
  return [
    first,
    measure("gen: load + validate spec/", runs, () => checkSpec(specDir, "spec")),
    measure("gen: emit every output", runs, () => generateAll(spec)),
    measure("gen: full regeneration (check mode)", runs, () => runGen(REPO_ROOT, true)),
  ];
}
