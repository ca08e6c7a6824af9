// The parts of the CPU and memory (impl/cpu) that the kernel uses, as structural types, so the
// kernel depends on a narrow surface and tests can substitute fakes.

export const PAGE_SIZE = 4096;
export const PERM_R = 1;
export const PERM_W = 2;
export const PERM_X = 4;

export interface GuestMemory {
  map(addr: number, len: number, perms: number): void;
  unmap(addr: number, len: number): void;
  protect(addr: number, len: number, perms: number): void;
  permsAt(addr: number): number | null | undefined;
  isRangeMapped(addr: number, len: number, perms?: number): boolean;
  readBytes(addr: number, len: number): Uint8Array | null;
  writeBytes(addr: number, bytes: Uint8Array, force?: boolean): boolean;
  clone(): GuestMemory;
  /** Bytes mapped in all. */
  mappedBytes(): number;
  /** 4 MiB regions (1024 pages, aligned) that hold a mapped page. */
  regionCount(): number;
  /** Bytes of [addr, addr+len) that are mapped; costs time per mapped interval, not per page. */
  mappedIn(addr: number, len: number): number;
  /** Highest page-aligned a, floor <= a, a + len <= top, with [a, a+len) unmapped; -1 if none. */
  findGap(top: number, floor: number, len: number): number;
  /** Unmaps everything. */
  clear(): void;
}

export type CpuExit =
  | { kind: "ecall" }
  | { kind: "ebreak" }
  | { kind: "fault"; cause: string; addr: number; pc: number }
  | { kind: "budget" }
  /** impl/cpu's entry watch (Cpu.watch) fired: nothing executed, nothing to do but tell onWatch. */
  | { kind: "watch" };

export interface GuestCpu {
  readonly regs: Int32Array;
  pc: number;
  instret: bigint | number;
  timeSource?: () => bigint;
  clearReservation(): void;
  run(budget: number): CpuExit;
}

/** Creates CPUs and memories; the kernel's default comes from impl/cpu. */
export interface Machine {
  newMemory(): GuestMemory;
  newCpu(mem: GuestMemory): GuestCpu;
}

export const pageDown = (a: number): number => Math.floor(a / PAGE_SIZE) * PAGE_SIZE;
export const pageUp = (a: number): number => Math.ceil(a / PAGE_SIZE) * PAGE_SIZE;
