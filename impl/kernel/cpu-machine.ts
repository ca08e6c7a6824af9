// The default Machine: impl/cpu's Memory and Cpu.
import { Cpu } from "../cpu/cpu.ts";
import { FramePool, Memory } from "../cpu/memory.ts";
import type { GuestCpu, GuestMemory, Machine } from "./machine.ts";

/** A machine whose memories share one page-frame pool (a kernel's: what one process frees, the next reuses). */
export function newCpuMachine(pool = new FramePool()): Machine {
  return {
    newMemory: (): GuestMemory => new Memory(pool),
    newCpu: (mem: GuestMemory): GuestCpu => new Cpu(mem as Memory),
  };
}

/** A machine whose every new memory has a pool of its own (shared only with its clones). */
export const cpuMachine: Machine = {
  newMemory: (): GuestMemory => new Memory(),
  newCpu: (mem: GuestMemory): GuestCpu => new Cpu(mem as Memory),
};
