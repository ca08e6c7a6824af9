// Shapes of the ABI data: what the generator writes to generated/abi/*.json (the *Data types),
// what gen/abi-load.ts derives from it on load (kernel dispatch tables, program tables,
// realisations, offsets), and abi.json (the Abi* types, built from the parsed spec).
// Handwritten code (kernel, layer, tools) consumes generated/index.ts through these types.

/** Where a row came from in the spec: "spec/abi/k1.md:41" (abi.json only; computed from the parsed spec). */
export type Source = string;

/** A row's stable id: `k2.openat`, `k3.msg.read`, `k3.realise.read`, `p1.write` (the site's anchors). */
export type RowId = string;

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
}

export interface FieldLayout {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  /** Scalar type ("u32", "i64", …), "u8[N]" arrays, or another structure's name. */
  readonly type: string;
}

export interface StructLayout {
  readonly name: string;
  readonly size: number;
  readonly align: number;
  readonly fields: readonly FieldLayout[];
}

/** A dispatch table of one kernel ABI: its calls and every structure it sees (gen/abi-load.ts). */
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
  /** The stable id of the row that decided the route: `k3.realise.read`, `k2.openat`, `k3.msg.read`. */
  readonly by: RowId;
}

export interface PairRealisation {
  readonly program: string;
  readonly kernel: string;
  readonly layer: string | null;
  readonly path: string | null;
  readonly slots: readonly SlotRealisation[];
}

/** One stub slot of a program ABI. */
export interface SlotRow {
  readonly slot: number;
  readonly id: string;
  readonly args: readonly ArgSpec[];
  readonly ret: string;
  readonly errors: readonly string[];
  readonly since: string;
}

/** A program ABI's tables: its slots and every structure it sees (its own and the chapters'). */
export interface ProgramTables {
  readonly version: string;
  readonly stubSize: number;
  readonly slotSize: number;
  readonly nativeKernel: string;
  readonly slots: readonly SlotRow[];
  readonly structs: Readonly<Record<string, StructLayout>>;
}

export interface SelectionRow {
  readonly program: string;
  readonly kernel: string;
  readonly layer: string;
  readonly path: string;
}

export interface RecipeRow {
  readonly recipe: string;
  readonly route: RouteName;
  readonly uses: readonly string[];
  readonly description: string;
  /** The most guest instructions one call through this recipe may take (the matrix checks it); null: no promise. */
  readonly maxInsns: number | null;
  /** The most traps one call through this recipe may take; null: no promise. */
  readonly maxTraps: number | null;
}

/** How tools read one argument (spec/errors.md, "How arguments read"), its constants resolved. */
export interface ResolvedArgumentRule {
  /** A call, message or slot id; "*" for every call with an argument of this name. */
  readonly call: string;
  readonly arg: string;
  /** Whether the call reads the memory the argument points at, writes it, or both. */
  readonly direction: "in" | "out" | "inout";
  /** The argument holding this one's length in bytes; for `out`, the result is how many were written. */
  readonly length: string | null;
  readonly format: "bytes" | "string" | "flags" | "enum" | "octal" | null;
  /** The constant selector as the spec writes it: `group`, `group:PREFIX*` or `group:NAME`. */
  readonly constants: string | null;
  /** The constants it selects, in spec order (the mask left out). */
  readonly names: readonly { readonly name: string; readonly value: number }[];
  /** A constant whose bits hold one value of `names` (O_ACCMODE), or null. */
  readonly mask: { readonly name: string; readonly value: number } | null;
}

// ---- generated/abi/*.json: the spec's tables as data, each fact once, no line numbers ----
// gen/abi-load.ts derives everything else on load: inherited structures, offsets, realisations.

/** A structure as a data file stores it: fields keyed by name, in offset order of the spec. */
export interface StructData {
  readonly size: number;
  readonly align: number;
  readonly fields: Readonly<Record<string, { readonly offset: number; readonly size: number; readonly type: string }>>;
}

/** A realise row as the kernel ABI's table writes it (args are expressions: names, integers, constants). */
export interface RealiseRowData {
  readonly slot: string;
  readonly route: RouteName;
  readonly call: string | null;
  readonly args: readonly string[];
  readonly translate: readonly { readonly arg: string; readonly to: string; readonly from: string; readonly direction: "out" | "in" | "inout" }[];
  readonly recipe: string | null;
}

/** generated/abi/<kN>.json: one kernel ABI's own tables (structures it inherits are its base's). */
export interface KernelData {
  readonly version: string;
  readonly title: string;
  readonly base: string | null;
  readonly sharedPage: string | null;
  readonly ring: string | null;
  readonly syscalls: readonly SyscallRow[];
  readonly messages: readonly MessageRow[];
  readonly structs: Readonly<Record<string, StructData>>;
  readonly realise: readonly RealiseRowData[];
  /** structure → canonical field → path in the kernel's structure. */
  readonly fieldmaps: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** generated/abi/<pN>.json: one program ABI's tables. */
export interface ProgramData {
  readonly version: string;
  readonly title: string;
  readonly base: string | null;
  readonly stubSize: number;
  readonly slotSize: number;
  readonly nativeKernel: string;
  readonly published: boolean;
  readonly slots: readonly SlotRow[];
  readonly structs: Readonly<Record<string, StructData>>;
}

/** generated/abi/chapters.json: the chapters' tables (spec/*.md). */
export interface ChaptersData {
  readonly convention: readonly Omit<ConventionEntry, "src">[];
  readonly types: readonly Omit<TypeEntry, "src">[];
  readonly errno: Readonly<Record<string, { readonly value: number; readonly meaning: string }>>;
  /** group → name → value and meaning. */
  readonly constants: Readonly<Record<string, Readonly<Record<string, { readonly value: number; readonly meaning: string }>>>>;
  readonly structs: Readonly<Record<string, StructData>>;
  readonly selection: readonly SelectionRow[];
  readonly recipes: readonly RecipeRow[];
  // Not `arguments`: a JSON module's keys may become ES bindings, and that name is not one.
  readonly argumentRules: readonly ArgumentRuleData[];
}

/** An argument rule as the spec writes it: the constant selector and mask by name. */
export interface ArgumentRuleData extends Omit<ResolvedArgumentRule, "names" | "mask"> {
  readonly mask: string | null;
}

// ---- abi.json: the whole ABI for other tools (docs/abi-json.md) ----
// generated/abi.schema.json is generated from these interfaces (gen/json-schema.ts); a change here
// changes the published schema, and a change that breaks readers must bump ABI_JSON_FORMAT.
// abi.json is built from the parsed spec (`kiln abi-json`, the site), so its rows carry `src`.

/** The version of abi.json's shape: bumped when a reader written for the old shape would break. */
/** The chapters' error numbers and constants for C, in generated/c/ beside the pN/ folders (gen/c-header.ts). */
export const C_CONSTANTS_HEADER = "kiln_constants.h";

export const ABI_JSON_FORMAT = 2;

/** The whole ABI: every version, realisation, table and convention of the spec. */
export interface AbiJson {
  /** Where the JSON Schema of this document is: `abi.schema.json`, beside it. */
  readonly $schema: string;
  /** The shape's version (ABI_JSON_FORMAT); readers check it. */
  readonly format: typeof ABI_JSON_FORMAT;
  /** How kernel calls and program slots pass arguments, results and errors. */
  readonly convention: readonly ConventionEntry[];
  /** Every type a signature or field uses: size, signedness, pointer-ness. */
  readonly types: readonly TypeEntry[];
  readonly kernels: readonly AbiKernel[];
  readonly programs: readonly AbiProgram[];
  /** How every kernel ABI realises every slot of every program ABI. */
  readonly realisations: readonly AbiRealisation[];
  readonly selection: readonly SelectionEntry[];
  readonly recipes: readonly RecipeEntry[];
  readonly errno: readonly ErrnoEntry[];
  readonly constants: readonly ConstantEntry[];
  /** How tools read arguments: direction, length argument, format and constants. */
  readonly arguments: readonly ArgumentRule[];
  /** Structures the chapters define (TLS block, layer image header, …). */
  readonly structs: Readonly<Record<string, AbiStruct>>;
}

export interface ConventionEntry {
  /** `call`: a kernel call (ecall); `slot`: a program's stub slot. */
  readonly kind: "call" | "slot";
  /** Where the call's number goes, or how a slot is reached. */
  readonly number: string;
  /** Argument registers, in order. */
  readonly args: readonly string[];
  readonly result: string;
  readonly failure: string;
  readonly src: Source;
}

export interface TypeEntry {
  readonly type: string;
  /** Bytes. */
  readonly size: number;
  readonly signed: boolean;
  readonly pointer: boolean;
  readonly meaning: string;
  readonly src: Source;
}

export interface AbiSyscall extends SyscallRow {
  readonly src: Source;
}

export interface AbiMessage extends MessageRow {
  readonly src: Source;
}

export interface AbiField extends FieldLayout {
  readonly src: Source;
}

export interface AbiStruct extends StructLayout {
  readonly fields: readonly AbiField[];
  readonly src: Source;
}

export interface AbiKernel {
  readonly version: string;
  /** Name of the kernel-shared page structure, or null when this kernel has none. */
  readonly sharedPage: string | null;
  /** Name of the message-ring header structure, or null when this kernel has no ring. */
  readonly ring: string | null;
  readonly syscalls: readonly AbiSyscall[];
  readonly messages: readonly AbiMessage[];
  readonly structs: Readonly<Record<string, AbiStruct>>;
  readonly title: string;
  readonly base: string | null;
  readonly src: Source;
}

export interface AbiSlot extends SlotRow {
  readonly src: Source;
}

export interface AbiProgram {
  readonly version: string;
  readonly stubSize: number;
  readonly slotSize: number;
  readonly nativeKernel: string;
  readonly slots: readonly AbiSlot[];
  readonly structs: Readonly<Record<string, AbiStruct>>;
  readonly title: string;
  readonly base: string | null;
  /** Frozen by `kiln publish` (spec/abi/published.json): its slots and structures never change. */
  readonly published: boolean;
  readonly src: Source;
}

export interface AbiSlotRealisation extends SlotRealisation {
  /** The spec line of the row named by `by`. */
  readonly src: Source;
}

export interface AbiRealisation {
  readonly program: string;
  readonly kernel: string;
  readonly slots: readonly AbiSlotRealisation[];
}

export interface SelectionEntry extends SelectionRow {
  readonly src: Source;
}

export interface RecipeEntry extends RecipeRow {
  readonly src: Source;
}

export interface ErrnoEntry {
  readonly name: string;
  readonly value: number;
  readonly meaning: string;
  readonly src: Source;
}

export interface ConstantEntry {
  readonly group: string;
  readonly name: string;
  readonly value: number;
  readonly meaning: string;
  /** "kernel": the reference kernel's own value, not ABI (absent for ABI constants). */
  readonly scope?: "kernel";
  readonly src: Source;
}

export interface ArgumentRule extends ResolvedArgumentRule {
  readonly src: Source;
}

// ---- kiln matrix --json (and out/matrix.json) ----

/** The version of `kiln matrix --json`'s shape; generated/matrix.schema.json describes it. */
export const MATRIX_JSON_FORMAT = 1;

/** What `kiln matrix --json` prints: every cell, the raw builds, the cost checks. */
export interface MatrixJson {
  /** `matrix.schema.json`. */
  readonly $schema: string;
  readonly format: typeof MATRIX_JSON_FORMAT;
  /** Every cell passed, every raw build behaved as expected and every check held. */
  readonly pass: boolean;
  readonly cells: readonly MatrixJsonCell[];
  readonly raw: readonly MatrixJsonRaw[];
  readonly checks: readonly MatrixJsonCheck[];
}

/** One program ABI on one kernel ABI. */
export interface MatrixJsonCell {
  readonly program: string;
  readonly kernel: string;
  readonly pass: boolean;
  /** Why the cell failed (absent when it passed). */
  readonly reason?: string;
  /** Per route: how many slot calls took it and what they cost in guest instructions and traps. */
  readonly routes: Readonly<Record<string, { readonly calls: number; readonly instructions: number; readonly traps: number }>>;
}

/** A program built raw (k1's numbers, no stub section) on one kernel: expected to pass on k1 only. */
export interface MatrixJsonRaw {
  readonly program: string;
  readonly kernel: string;
  readonly ran: boolean;
  readonly expected: "pass" | "fail";
  readonly asExpected: boolean;
}

/** One of the cost checks the layer promises. */
export interface MatrixJsonCheck {
  readonly id: string;
  readonly description: string;
  readonly pass: boolean;
  readonly figures: Readonly<Record<string, number | string>>;
}
