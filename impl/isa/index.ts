// The RV32 instruction set: one table (table.ts, rvc.ts) and what derives from it directly.
export * from "./fields.ts";
export * from "./table.ts";
export { decode, encode, isValid } from "./codec.ts";
export { C_FORMS, cForm, cOperands, cShift, compressedForm, encodeC, expandC, isCompressed } from "./rvc.ts";
export type { CForm } from "./rvc.ts";
