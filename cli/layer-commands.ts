// kiln build-layers: one layer image per row of the selection table, from the generated tables.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { SpecError, useSpec } from "./spec-option.ts";

export function registerBuildLayers(program: Command): void {
  program
    .command("build-layers")
    .description("build the layer image of every (program ABI, kernel ABI) pair in the selection table (spec/loader.md)")
    .option("--out <dir>", "directory to write pN-kM.layer files into", "out/layers")
    .option("--asm", "also write the assembly each image was built from (pN-kM.layer.s)")
    .option("--only <pair>", "build one pair, e.g. p2-k3")
    .option("--spec <dir>", "build from this spec directory instead of the checkout's generated tables")
    .action(async (opts: { out: string; asm?: boolean; only?: string; spec?: string }) => {
      const started = performance.now();
      try {
        await useSpec(opts.spec);
      } catch (e) {
        if (!(e instanceof SpecError)) throw e;
        console.error(`kiln build-layers: ${e.message}`);
        process.exitCode = e.status;
        return;
      }
      const { selection } = await import("../generated/index.ts");
      const { buildLayer } = await import("../impl/layer/build.ts");
      const { LayerError } = await import("../impl/layer/context.ts");
      const rows = selection.filter((s) => !opts.only || `${s.program}-${s.kernel}` === opts.only);
      if (rows.length === 0) {
        console.error(`kiln build-layers: no pair ${opts.only} in the selection table; pairs: ${selection.map((s) => `${s.program}-${s.kernel}`).join(", ")}`);
        process.exitCode = 2;
        return;
      }
      const out = resolve(opts.out);
      mkdirSync(out, { recursive: true });
      let failed = 0;
      for (const s of rows) {
        const name = s.path.slice(s.path.lastIndexOf("/") + 1);
        try {
          const built = buildLayer(s.program, s.kernel);
          writeFileSync(join(out, name), built.bytes);
          if (opts.asm) writeFileSync(join(out, `${name}.s`), `${built.source}\n`);
          const routes = new Map<string, number>();
          for (const sl of built.slots) routes.set(sl.route, (routes.get(sl.route) ?? 0) + 1);
          const summary = [...routes].sort().map(([r, n]) => `${n} ${r}`).join(", ");
          console.log(`${name.padEnd(14)} ${String(built.bytes.length).padStart(6)} bytes  ${String(built.image.slotCount).padStart(3)} slots: ${summary}  (guest path ${s.path})`);
        } catch (e) {
          if (!(e instanceof LayerError)) throw e;
          console.error(`kiln build-layers: ${name}: ${e.message}`);
          failed++;
        }
      }
      console.log(`kiln build-layers: ${rows.length - failed} of ${rows.length} layers in ${opts.out} (${(performance.now() - started).toFixed(0)} ms)`);
      if (failed) process.exitCode = 1;
    });
}
