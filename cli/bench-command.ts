// kiln bench: prints the project's benchmark figures (never asserted by tests).
import type { Command } from "commander";

export function registerBench(program: Command): void {
  program
    .command("bench")
    .description("run the benchmarks and print their figures: spec pipeline times, guest instructions and MIPS per workload, the same workload under qemu-riscv32 with the ratio when it is installed, the ports' workloads per kernel, hostile guests against the limits")
    .option("--only <suite>", "run one suite: gen, cpu, c, ports or limits")
    .action(async (opts: { only?: string }) => {
      if (opts.only && !["gen", "cpu", "c", "ports", "limits"].includes(opts.only)) {
        console.error(`kiln bench: unknown suite \`${opts.only}\`; use gen, cpu, c, ports or limits`);
        process.exitCode = 2;
        return;
      }
      if (!opts.only || opts.only === "gen") {
        const { runGenBenchmarks } = await import("../bench/gen.ts");
        console.log("spec pipeline (ms, in process)");
        for (const f of runGenBenchmarks()) console.log(`  ${f.name.padEnd(52)} median ${f.medianMs.toFixed(1).padStart(8)}  min ${f.minMs.toFixed(1).padStart(8)}  (${f.runs} runs)`);
      }
      if (!opts.only || opts.only === "cpu") {
        const { runCpuBenchmarks, runQemuComparison, formatQemuComparison } = await import("../bench/cpu.ts");
        console.log("guest workloads (CPU time)");
        printWorkloads(await runCpuBenchmarks());
        console.log("kiln k1 against qemu-riscv32, CPU time of a long run minus a short one (KILN_BENCH_ITERS sets the long run)");
        for (const l of formatQemuComparison(runQemuComparison())) console.log(l);
      }
      if (!opts.only || opts.only === "c") {
        const { runCBenchmarks } = await import("../bench/c.ts");
        console.log("C benchmark (examples/bench.c, built with kiln cc, run through the layer)");
        printWorkloads(await runCBenchmarks());
      }
      if (!opts.only || opts.only === "ports") {
        // The ports (kiln ports build, cached): a Lua and an SQLite workload on every kernel, and
        // what each layer route costs per call on them (from a traced run).
        const { runPortBenchmarks } = await import("../bench/ports.ts");
        try {
          const { rows, routes } = await runPortBenchmarks((l) => console.error(l));
          console.log("ports (Lua 5.4 and the SQLite shell from Debian's sources, bench/ports/workload.*, in process)");
          printWorkloads(rows);
          console.log("layer routes on the ports' workloads (per call: guest instructions from the jal into the slot to the return, traps)");
          for (const r of routes) {
            console.log(`  ${`${r.workload} ${r.kernel}`.padEnd(33)} ${r.route.padEnd(12)} ${String(r.calls).padStart(7)} calls  ${r.insnsPerCall.toFixed(1).padStart(7)} insns/call  ${r.trapsPerCall.toFixed(2).padStart(5)} traps/call`);
          }
        } catch (e) {
          console.error(`kiln bench: ports: ${(e as Error).message}`);
          process.exitCode = 1;
        }
      }
      if (!opts.only || opts.only === "limits") {
        const { judge, runLimitsBenchmarks } = await import("../bench/limits.ts");
        const { constants } = await import("../generated/index.ts");
        console.log(
          `hostile guests against the limits (k1; each in a fresh process; RSS is the peak; bound = idle's RSS + cap + RSS_SLACK ${constants.limits.RSS_SLACK / 1048576} MiB, spec/limits.md)`,
        );
        const rows = judge(runLimitsBenchmarks());
        const idle = rows.find((r) => r.name === "idle")?.rssMiB ?? 0;
        for (const r of rows) {
          console.log(
            `  ${r.name.padEnd(10)} RSS ${r.rssMiB.toFixed(0).padStart(4)} MiB (+${(r.rssMiB - idle).toFixed(0).padStart(3)} over idle; cap ${String(r.capMiB).padStart(3)} MiB; bound ${r.boundMiB.toFixed(0).padStart(4)} MiB ${r.pass ? "pass" : "FAIL"})` +
              `  ${r.seconds.toFixed(2).padStart(6)} s  budget ${String(r.maxInsns).padStart(10)} = ${String(r.insns).padStart(10)} insns + ${String(r.hostWork).padStart(10)} host work  ${r.outcome.padEnd(12)} ${r.what}`,
          );
        }
        if (rows.some((r) => !r.pass)) {
          console.error("kiln bench: limits: a class's RSS went past the bound of spec/limits.md");
          process.exitCode = 1;
        }
      }
    });
}

function printWorkloads(rows: readonly { name: string; instructions: number; seconds: number; mips: number }[]): void {
  for (const r of rows) {
    console.log(`  ${r.name.padEnd(40)} ${String(r.instructions).padStart(12)} instructions  ${r.seconds.toFixed(3).padStart(7)} s  ${r.mips.toFixed(0).padStart(5)} MIPS`);
  }
}
