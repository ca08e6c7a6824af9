// Public entry of the assembler package.
export { assemble, encodeInstruction, AsmError } from "./assembler.ts";
export type { AssembleOptions } from "./assembler.ts";
export { disassemble } from "./disasm.ts";
export { applyRelocation } from "./relocate.ts";
export { encR, encI, encS, encB, encU, encJ, enc, regNumber, csrNumber, ABI_NAMES } from "./encode.ts";
export { loadFlat } from "./flat.ts";
export type { FlatImage } from "./flat.ts";
