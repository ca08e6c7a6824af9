// The typed model of a spec: what the loader builds from the tables and the validator checks.
import type { Position } from "./diagnostics.ts";
import type { AccessRole, Arg, Route, Translation } from "./schema.ts";

export interface Located {
  readonly at: Position;
  /** Position of each cell by column name, for precise diagnostics. */
  readonly cellAt: Readonly<Record<string, Position>>;
}

export interface Field extends Located {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly type: string;
}

export interface Struct {
  readonly name: string;
  readonly at: Position;
  /** Explicit `size=` from the marker, if any. */
  readonly declaredSize: number | null;
  readonly declaredAlign: number | null;
  readonly fields: readonly Field[];
  /** The ABI that owns it (`k1`, `p2`), or "spec" for a chapter's structure. */
  readonly owner: string;
}

export interface Syscall extends Located {
  readonly id: string;
  readonly nr: number;
  readonly handler: string;
  readonly args: readonly Arg[];
  readonly ret: string;
  readonly errors: readonly string[];
  readonly since: string;
  readonly removed: string | null;
}

export interface Message extends Located {
  readonly id: string;
  readonly opcode: number;
  readonly handler: string;
  readonly args: readonly Arg[];
  readonly ret: string;
  readonly errors: readonly string[];
  readonly since: string;
  /** The first kernel ABI without the message (optional column); a removed id never returns. */
  readonly removed: string | null;
}

export interface Slot extends Located {
  readonly slot: number;
  readonly id: string;
  readonly args: readonly Arg[];
  readonly ret: string;
  readonly errors: readonly string[];
  readonly since: string;
}

export interface Realise extends Located {
  readonly slot: string;
  readonly route: Route;
  readonly call: string | null;
  readonly args: readonly string[];
  readonly translate: readonly Translation[];
  readonly recipe: string | null;
}

/** Canonical field name → path in the kernel structure `struct`. */
export interface FieldMap {
  readonly struct: string;
  readonly at: Position;
  readonly entries: readonly (Located & { readonly field: string; readonly from: string })[];
}

export interface KernelAbi {
  readonly version: string;
  readonly title: string;
  readonly base: string | null;
  readonly sharedPage: string | null;
  readonly ring: string | null;
  readonly file: string;
  readonly at: Position;
  readonly cellAt: Readonly<Record<string, Position>>;
  readonly syscalls: Syscall[];
  readonly messages: Message[];
  readonly structs: Map<string, Struct>;
  readonly realise: Realise[];
  readonly fieldmaps: FieldMap[];
}

export interface ProgramAbi {
  readonly version: string;
  readonly title: string;
  readonly base: string | null;
  readonly stubSize: number;
  readonly slotSize: number;
  readonly nativeKernel: string;
  readonly file: string;
  readonly at: Position;
  readonly cellAt: Readonly<Record<string, Position>>;
  readonly slots: Slot[];
  readonly structs: Map<string, Struct>;
}

export interface Recipe extends Located {
  readonly name: string;
  readonly route: Route;
  readonly uses: readonly string[];
  readonly description: string;
  /** The cost the recipe promises per call (`kiln matrix` checks it), or null. */
  readonly maxInsns: number | null;
  readonly maxTraps: number | null;
}

/** A field the layer or the kernel accesses, with the width it accesses it with (spec chapters). */
export interface Access extends Located {
  readonly structure: AccessRole;
  readonly field: string;
  readonly size: number;
  readonly usedBy: string;
}

export interface Selection extends Located {
  readonly program: string;
  readonly kernel: string;
  readonly layer: string;
  readonly path: string;
}

export interface Errno extends Located {
  readonly name: string;
  readonly value: number;
  readonly meaning: string;
}

export interface Constant extends Located {
  readonly group: string;
  readonly name: string;
  readonly value: number;
  readonly meaning: string;
  /** From a table marked `scope=kernel`: the reference kernel's own choice, not ABI (no C header carries it). */
  readonly kernelOnly: boolean;
}

/** A row of the `arguments` table: how tools read one argument (spec/errors.md). */
export interface ArgumentRule extends Located {
  /** A call or slot id, or "*" for every call with an argument of this name. */
  readonly call: string;
  readonly arg: string;
  readonly direction: "in" | "out" | "inout";
  readonly length: string | null;
  readonly format: "bytes" | "string" | "flags" | "enum" | "octal" | null;
  readonly constants: string | null;
  readonly mask: string | null;
}

/** A row of the `types` table (spec/errors.md). */
export interface TypeRow extends Located {
  readonly type: string;
  readonly size: number;
  readonly signed: boolean;
  readonly pointer: boolean;
  readonly meaning: string;
}

/** A row of the `convention` table (spec/errors.md). */
export interface ConventionRow extends Located {
  readonly kind: "call" | "slot";
  readonly number: string;
  readonly args: readonly string[];
  readonly result: string;
  readonly failure: string;
}

export interface Spec {
  /** The spec directory as given (used in diagnostics and `src`). */
  readonly root: string;
  readonly files: readonly string[];
  readonly kernels: KernelAbi[];
  readonly programs: ProgramAbi[];
  /** Structures defined in chapters (TLS block, layer header, …), shared by every version. */
  readonly structs: Map<string, Struct>;
  readonly recipes: Recipe[];
  readonly selection: Selection[];
  readonly errno: Errno[];
  readonly constants: Constant[];
  readonly access: Access[];
  readonly arguments: ArgumentRule[];
  readonly types: TypeRow[];
  readonly convention: ConventionRow[];
  /** Program ABIs frozen in spec/abi/published.json (filled by gen/main.ts checkSpec). */
  readonly published: Set<string>;
}

/** A version's number (spec-format.md: a version is named by its family's letter and its number): orders versions (k2 < k10), and is what layer headers and the shared page carry. The one place a name becomes a number. */
export function versionNumber(v: string): number {
  return Number(v.slice(1));
}
