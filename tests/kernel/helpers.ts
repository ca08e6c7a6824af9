// Test helpers: build guest programs from assembly (impl/asm + impl/elf/link) and run them on a
// Kernel with in-memory stdio.
import { assemble } from "../../impl/asm/index.ts";
import { link } from "../../impl/elf/link.ts";
import { kernels } from "../../generated/index.ts";
import { Kernel } from "../../impl/kernel/kernel.ts";
import type { KernelOptions, RunResult } from "../../impl/kernel/kernel.ts";
import { BufferStdio } from "../../impl/kernel/stdio.ts";

const k1 = kernels.k1!;

/** Assembles and links one source into an ELF executable (entry _start). */
export function asm(source: string): Uint8Array {
  return link([assemble(source)]);
}

/** Syscall numbers of k1 by id, from the generated table. */
export const NR: Record<string, number> = Object.fromEntries(k1.syscalls.map((r) => [r.id, r.nr]));

export interface Ran extends RunResult {
  stdout: string;
  stderr: string;
  kernel: Kernel;
}

export function run(
  image: Uint8Array,
  argv: string[] = ["prog"],
  opts: Partial<KernelOptions> & { stdin?: string; env?: string[]; setup?: (k: Kernel) => void } = {},
): Ran {
  const stdio = new BufferStdio(opts.stdin ?? "");
  const kernel = new Kernel({ dispatch: k1, stdio, ...opts });
  opts.setup?.(kernel);
  kernel.spawn(image, argv, opts.env ?? []);
  const r = kernel.run();
  return { ...r, stdout: stdio.stdout, stderr: stdio.stderr, kernel };
}

/** `li a7, <nr of id>; ecall` */
export const sys = (id: string): string => `  li a7, ${NR[id]}\n  ecall\n`;

/** A program that runs `body`, then exits with the value in a0 (`data` goes in .data). */
export const prog = (body: string, data = ""): Uint8Array =>
  asm(`
  .text
  .globl _start
_start:
${body}
${sys("exit_group")}
  .data
${data}
`);
