// The default Machine: impl/cpu's Memory and Cpu.
import { Cpu } from "../cpu/cpu.ts";
import { Memory } from "../cpu/memory.ts";
import type { GuestCpu, GuestMemory, Machine } from "./machine.ts";

export const cpuMachine: Machine = {
  newMemory: (): GuestMemory => new Memory(),
  newCpu: (mem: GuestMemory): GuestCpu => new Cpu(mem as Memory),
};
