// `kiln matrix`: the compatibility matrix (harness/matrix.ts). Builds the matrix programs of
// matrix/ (cached), runs every (program ABI, kernel ABI) cell with the layer tracer on, prints the
// p × k table, the per-route costs and the cost checks.
//
// Exit status: 0 when every cell passes, every raw cell behaves as expected and every check holds;
// 1 otherwise; 127 when the cross compiler is missing.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { SpecError, useSpec } from "./spec-option.ts";

interface MatrixOpts {
  json?: boolean;
  out?: string;
  spec?: string;
}

export function registerMatrix(program: Command): void {
  program
    .command("matrix")
    .description("run the compatibility matrix: every program ABI's matrix program on every kernel ABI, with exact costs")
    .option("--json", "print the results as JSON instead of the table")
    .option("--out <file>", "also write the JSON results to this file (the site reads out/matrix.json)")
    .option("--spec <dir>", "run the matrix of this spec directory (e.g. an edited copy of spec/) instead of the checkout's generated tables")
    .addHelpText(
      "after",
      `
Each program ABI has one matrix program (matrix/matrix.c) that calls every slot of it; it is built
once (kiln cc, cached) and run unchanged on every kernel ABI. A cell passes when the program exits 0
and its output equals matrix/expected-<p>.txt and its first kernel's cell. The same programs built
raw (no stub section, the numbers of the program ABI's native kernel inline) must pass on that
kernel and fail on the others (shown as "fail", "!" marks an unexpected outcome).

Per route: calls, guest instructions per call (from the jal into the slot, counted, through its
return) and traps per call, averaged over the cell. Checks: (a) a direct-route call on the native
kernel costs at most 3 instructions more than the raw sequence "li a7, N; ecall; li t0, -4096;
bltu t0, a0, err" measured in the oldest program ABI's raw build; (b) every recipe that promises a
cost in spec/routes.md (columns "max insns", "max traps": getpid from the shared page, the
monotonic clock, a batch on the ring) keeps it on every call, in every cell that uses it.

JSON: { $schema: "matrix.schema.json", format: 1, pass, cells: [{program, kernel, pass, routes:
{route: {calls, instructions, traps}}}], raw: [...], checks: [{id, description, pass, figures}] }
(instructions and traps are totals); the schema is generated/matrix.schema.json (docs/abi-json.md).

The cells run on one thread per core, the main one and worker threads (KILN_MATRIX_WORKERS=N
chooses the number of threads; 1 runs them all in process); a terminal shows their progress on stderr.

Exit status: 0 green; 1 a cell, raw cell or check failed; 127 the cross compiler is missing.`,
    )
    .action(async (opts: MatrixOpts) => {
      try {
        await useSpec(opts.spec);
      } catch (e) {
        if (!(e instanceof SpecError)) throw e;
        process.stderr.write(`kiln matrix: ${e.message}\n`);
        process.exitCode = e.status;
        return;
      }
      const { haveCrossCompiler, CC } = await import("../impl/toolchain/cc.ts");
      if (!haveCrossCompiler()) {
        process.stderr.write(`kiln matrix: the RISC-V cross compiler '${CC}' is not installed (Debian package gcc-riscv64-unknown-elf)\n`);
        process.exitCode = 127;
        return;
      }
      const { runMatrix, formatMatrix, matrixJson, buildMatrixProgram, runCell } = await import("../harness/matrix.ts");
      const { kernelVersions, programVersions } = await import("../generated/index.ts");
      const { matrixJobs, poolSize, runCellsInPool } = await import("./matrix-pool.ts");
      const { paintVerdicts, painter, progress } = await import("./term.ts");
      (await import("./prebuilt.ts")).usePrebuiltLayers();
      // Build every matrix program here (cached), then run the cells on one worker per core.
      const jobs = matrixJobs(programVersions.map((p) => buildMatrixProgram(p)), kernelVersions);
      const workers = poolSize(jobs.length);
      const bar = progress("kiln matrix: cells");
      const lookup = workers > 1 ? await runCellsInPool(jobs, workers, runCell, (d, t) => bar.update(d, t)) : runCell;
      bar.end();
      const r = runMatrix({ runCell: lookup });
      const json = JSON.stringify(matrixJson(r), null, 2) + "\n";
      if (opts.out) {
        mkdirSync(dirname(resolve(opts.out)), { recursive: true });
        writeFileSync(resolve(opts.out), json);
      }
      process.stdout.write(opts.json ? json : paintVerdicts(formatMatrix(r), painter(process.stdout)));
      process.exitCode = r.pass ? 0 : 1;
    });
}
