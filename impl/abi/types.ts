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
  /** Name of the kernel-shared page structure, or null when this kernel has none. */
  readonly sharedPage: string | null;
  /** Name of the message-ring header structure, or null when this kernel has no ring. */
  readonly ring: string | null;
  readonly syscalls: readonly SyscallRow[];
  readonly messages: readonly MessageRow[];
  readonly structs: Readonly<Record<string, StructLayout>>;
}

/** One argument of a kernel call as a layer passes it. */
export type Operand =
  | { readonly kind: "arg"; readonly name: string; /** index of the slot argument (a0 = 0) */ readonly index: number }
  | { readonly kind: "int"; readonly value: number; /** the constant's name, when it was written as one */ readonly name?: string }
  | { readonly kind: "string"; readonly value: string };

/** One scalar copied from the kernel's structure (in scratch) into the program's. */
export interface FieldCopy {
  readonly field: string;
  readonly toOffset: number;
  readonly toType: string;
  readonly fromOffset: number;
  readonly fromType: string;
}

/** How the layer translates one structure argument after the call. */
export interface TranslationPlan {
  readonly arg: string;
  readonly argIndex: number;
  /** out: kernel → program after the call; in: program → kernel before it; inout: both. */
  readonly direction: "out" | "in" | "inout";
  /** Where the kernel's copy lives in the layer's scratch buffer (several arguments, one buffer). */
  readonly scratchOffset: number;
  /** Program structure and its size. */
  readonly to: string;
  readonly toSize: number;
  /** Kernel structure and its size (it must fit the layer's scratch buffer). */
  readonly from: string;
  readonly fromSize: number;
  readonly copies: readonly FieldCopy[];
  /** Program fields with no source: zeroed. */
  readonly zero: readonly { readonly field: string; readonly offset: number; readonly size: number }[];
}

export type RouteName = "direct" | "renumbered" | "translated" | "userspace" | "emulated" | "message";

/** How one kernel ABI realises one program slot: the layer builder's input. */
export interface SlotRealisation {
  readonly slot: number;
  readonly id: string;
  readonly route: RouteName;
  readonly call: string | null;
  readonly nr: number | null;
  readonly opcode: number | null;
  readonly args: readonly Operand[];
  readonly translate: readonly TranslationPlan[];
  readonly recipe: string | null;
  readonly src: Source;
}

export interface PairRealisation {
  readonly program: string;
  readonly kernel: string;
  readonly layer: string | null;
  readonly path: string | null;
  readonly slots: readonly SlotRealisation[];
}
