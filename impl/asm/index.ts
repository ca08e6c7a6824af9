// Public entry of the assembler package.
export { assemble, encodeInstruction, AsmError } from "./assembler.ts";
export type { AssembleOptions } from "./assembler.ts";
export { disassemble } from "./disasm.ts";
export { applyRelocation } from "./relocate.ts";
export { encode, insnByName, regNumber, csrNumber, ABI_NAMES } from "../isa/index.ts";
export { loadFlat } from "./flat.ts";
export type { FlatImage } from "./flat.ts";
