// Public surface of impl/elf.
export * from "./types.ts";
export { readElf } from "./read.ts";
export { encodeAbiNote, decodeAbiNote, findAbiNote, serializeNotes } from "./note.ts";
export { writeElf, strip } from "./write.ts";
export type { WriteOptions, WriteSection, WriteSegment, WriteSymbol } from "./write.ts";
export { link, LinkError } from "./link.ts";
export type { LinkOptions } from "./link.ts";
