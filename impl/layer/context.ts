// Everything the layer builder needs to know about one (program ABI, kernel ABI) pair, read from
// the generated tables: call numbers, message opcodes, structure offsets, TLS offsets.
import type { KernelDispatch, PairRealisation, StructLayout } from "../../gen/types.ts";
import { kernels, programs, realisations, constants, offsets } from "../../generated/index.ts";

import { LayerError } from "../image/image.ts";

// Re-exported: the builder's modules and the CLI catch the one error class of layer images.
export { LayerError };

/** A recipe's assembly (recipes.ts, load-object.ts); here so the two need not import each other. */
export interface RecipeCode {
  /** Instructions that fit in the slot itself (no jump), for the cheapest routes. */
  readonly inline?: string[];
  /** Otherwise the body of a routine the slot jumps to. */
  readonly routine?: string[];
}

export interface PairContext {
  readonly program: string;
  readonly kernel: string;
  readonly realisation: PairRealisation;
  readonly dispatch: KernelDispatch;
  readonly stubSize: number;
  readonly slotSize: number;
  /** Offsets from `tp` (the program ABI's TLS block). */
  readonly tls: { readonly errnoPtr: number; readonly layer: number };
  /** Offsets in the layer-private block. */
  readonly lp: typeof offsets.layer_private;
  /** Field offsets of a kernel structure; throws if the kernel does not define it. */
  field(struct: string, name: string): number;
  struct(name: string): StructLayout;
  programStruct(name: string): StructLayout;
  /** The kernel's number for call `id`; throws if it has none. */
  nr(id: string): number;
  /** The kernel's opcode for message `id`. */
  opcode(id: string): number;
  constant(name: string): number;
}

const allConstants: Record<string, number> = Object.assign({}, ...Object.values(constants));

export function pairContext(program: string, kernel: string): PairContext {
  const realisation = realisations[`${program}-${kernel}`];
  const dispatch = kernels[kernel];
  const prog = (programs as Record<string, (typeof programs)[keyof typeof programs]>)[program];
  if (!realisation || !dispatch || !prog) throw new LayerError(`no realisation for (${program}, ${kernel}) in generated/; run \`kiln gen\``);
  const pstructs = prog.structs as Record<string, StructLayout>;
  const tls = pstructs.tls;
  if (!tls) throw new LayerError(`${program} defines no tls structure`);
  const tlsField = (n: string) => {
    const f = tls.fields.find((x) => x.name === n);
    if (!f) throw new LayerError(`${program}'s tls structure has no field ${n}`);
    return f.offset;
  };
  const struct = (name: string): StructLayout => {
    const s = dispatch.structs[name];
    if (!s) throw new LayerError(`${kernel} defines no structure ${name}`);
    return s;
  };
  return {
    program,
    kernel,
    realisation,
    dispatch,
    stubSize: prog.stubSize,
    slotSize: prog.slotSize,
    tls: { errnoPtr: tlsField("errno_ptr"), layer: tlsField("layer") },
    lp: offsets.layer_private,
    struct,
    programStruct(name) {
      const s = pstructs[name];
      if (!s) throw new LayerError(`${program} defines no structure ${name}`);
      return s;
    },
    field(structName, name) {
      const f = struct(structName).fields.find((x) => x.name === name);
      if (!f) throw new LayerError(`${kernel}'s ${structName} has no field ${name}`);
      return f.offset;
    },
    nr(id) {
      const s = dispatch.syscalls.find((x) => x.id === id);
      if (!s) throw new LayerError(`${kernel} has no call ${id}`);
      return s.nr;
    },
    opcode(id) {
      const m = dispatch.messages.find((x) => x.id === id);
      if (!m) throw new LayerError(`${kernel} has no message ${id}`);
      return m.opcode;
    },
    constant(name) {
      const v = allConstants[name];
      if (v === undefined) throw new LayerError(`no constant ${name} in the spec`);
      return v;
    },
  };
}
