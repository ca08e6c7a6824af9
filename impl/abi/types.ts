// Shapes of the data that the generator emits from the spec tables (generated/**).
// Handwritten code (kernel, layer, tools) consumes the generated modules through these types.

/** Where a row came from: "spec/abi/k1.md:41". */
export type Source = string;

/** One argument of a call, as the spec's typed signature writes it: `fd: fd`, `buf: ptr<u8>`. */
export interface ArgSpec {
  readonly name: string;
  /** The spec type, e.g. "fd", "int", "uint", "usize", "ptr<u8>", "cstr", "ptr<stat>", "flags". */
  readonly type: string;
}

/** A kernel system call as one kernel ABI numbers it. */
export interface SyscallRow {
  /** Stable id, the same across versions for the same call ("openat"). Anchor: `${version}.${id}`. */
  readonly id: string;
  /** The number in a7 for this kernel ABI. */
  readonly nr: number;
  /** Name of the handwritten kernel handler (impl/kernel) that implements it. */
  readonly handler: string;
  readonly args: readonly ArgSpec[];
  readonly ret: string;
  readonly errors: readonly string[];
  readonly since: string;
  readonly removed: string | null;
  readonly src: Source;
}

/** A message-ring operation (k3 and later). */
export interface MessageRow {
  readonly id: string;
  readonly opcode: number;
  readonly handler: string;
  readonly args: readonly ArgSpec[];
  readonly ret: string;
  readonly errors: readonly string[];
  readonly since: string;
  readonly src: Source;
}

export interface FieldLayout {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  /** Scalar type ("u32", "i64", …), "u8[N]" arrays, or another structure's name. */
  readonly type: string;
  readonly src: Source;
}

export interface StructLayout {
  readonly name: string;
  readonly size: number;
  readonly align: number;
  readonly fields: readonly FieldLayout[];
  readonly src: Source;
}

/** A dispatch table of one kernel ABI, as generated/kernel/<k>.ts exports it. */
export interface KernelDispatch {
  readonly version: string;
  readonly syscalls: readonly SyscallRow[];
  readonly messages: readonly MessageRow[];
  readonly structs: Readonly<Record<string, StructLayout>>;
}
