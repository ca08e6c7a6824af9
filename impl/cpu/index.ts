// Public entry of the CPU package.
export { Cpu } from "./cpu.ts";
export type { CpuExit, CpuOptions, FaultCause } from "./cpu.ts";
export { Memory, PAGE_SIZE, PERM_R, PERM_W, PERM_X } from "./memory.ts";
export { jitStats } from "./jit.ts";
