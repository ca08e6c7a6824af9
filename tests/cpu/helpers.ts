// Test helpers: assemble a program with kiln's assembler, load it flat into a Memory, run it.
import { assemble } from "../../impl/asm/assembler.ts";
import { loadFlat } from "../../impl/asm/flat.ts";
import type { FlatImage } from "../../impl/asm/flat.ts";
import { Cpu } from "../../impl/cpu/cpu.ts";
import type { CpuExit } from "../../impl/cpu/cpu.ts";
import { PERM_R, PERM_W } from "../../impl/cpu/memory.ts";
export { prng } from "../support/prng.ts";

export const STACK_TOP = 0x7fff0000;

export interface Loaded {
  cpu: Cpu;
  img: FlatImage;
  sym(name: string): number;
}

export function load(src: string, opts: { jit?: boolean } = {}): Loaded {
  const img = loadFlat(assemble(src));
  img.mem.map(STACK_TOP - 0x10000, 0x10000, PERM_R | PERM_W);
  const cpu = new Cpu(img.mem, opts.jit === undefined ? {} : { jit: opts.jit });
  cpu.pc = img.entry;
  cpu.regs[2] = STACK_TOP;
  return {
    cpu,
    img,
    sym(name: string): number {
      const v = img.symbols.get(name);
      if (v === undefined) throw new Error(`no symbol ${name}`);
      return v;
    },
  };
}

/** Assemble, load and run until the first trap/fault (or budget). */
export function run(src: string, opts: { jit?: boolean; budget?: number } = {}): Loaded & { exit: CpuExit } {
  const l = load(src, opts);
  const exit = l.cpu.run(opts.budget ?? 10_000_000);
  return { ...l, exit };
}

/** Run the same program with and without the JIT; returns both (for equivalence checks). */
export function runBoth(src: string, budget = 10_000_000): Array<Loaded & { exit: CpuExit }> {
  return [run(src, { jit: true, budget }), run(src, { jit: false, budget })];
}

