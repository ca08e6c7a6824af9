// The kiln ABI note: owner "kiln", type NT_KILN_ABI (1), a 12-byte little-endian descriptor
// { u32 programAbi, u32 stubAddr, u32 stubSize }.

import { ElfError, KILN_NOTE_OWNER, NT_KILN_ABI, hex } from "./types.ts";
import type { AbiNote, ElfFile, ElfNote } from "./types.ts";

function checkU32(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new ElfError(`ELF: ABI note ${what} ${n} is not a u32`);
}

/** Encodes the ABI note as an ElfNote (the caller serialises it into a note section). */
export function encodeAbiNote(note: AbiNote): ElfNote {
  checkU32("programAbi", note.programAbi);
  checkU32("stubAddr", note.stubAddr);
  checkU32("stubSize", note.stubSize);
  const desc = new Uint8Array(12);
  const v = new DataView(desc.buffer);
  v.setUint32(0, note.programAbi, true);
  v.setUint32(4, note.stubAddr, true);
  v.setUint32(8, note.stubSize, true);
  return { owner: KILN_NOTE_OWNER, type: NT_KILN_ABI, desc };
}

/** Serialises notes into the bytes of a note section / PT_NOTE segment (4-byte padding). */
export function serializeNotes(notes: readonly ElfNote[]): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const n of notes) {
    const name = enc.encode(n.owner);
    const namesz = n.owner === "" ? 0 : name.length + 1;
    const size = 12 + ((namesz + 3) & ~3) + ((n.desc.length + 3) & ~3);
    const b = new Uint8Array(size);
    const v = new DataView(b.buffer);
    v.setUint32(0, namesz, true);
    v.setUint32(4, n.desc.length, true);
    v.setUint32(8, n.type >>> 0, true);
    b.set(name, 12);
    b.set(n.desc, 12 + ((namesz + 3) & ~3));
    parts.push(b);
    total += size;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Decodes a kiln ABI note; throws ElfError if it is not one or is malformed. */
export function decodeAbiNote(note: ElfNote): AbiNote {
  if (note.owner !== KILN_NOTE_OWNER || note.type !== NT_KILN_ABI) {
    throw new ElfError(
      `ELF: note (owner "${note.owner}", type ${note.type}) is not a kiln ABI note (owner "kiln", type ${NT_KILN_ABI})`,
    );
  }
  if (note.desc.length !== 12) {
    throw new ElfError(`ELF: kiln ABI note descriptor is ${note.desc.length} bytes (expected 12)`);
  }
  const v = new DataView(note.desc.buffer, note.desc.byteOffset, 12);
  const programAbi = v.getUint32(0, true);
  const stubAddr = v.getUint32(4, true);
  const stubSize = v.getUint32(8, true);
  if (programAbi === 0) throw new ElfError("ELF: kiln ABI note has program ABI 0 (program ABIs start at 1)");
  if (stubAddr % 4096 !== 0) throw new ElfError(`ELF: kiln ABI note stub address ${hex(stubAddr)} is not page aligned`);
  if (stubSize === 0 || stubSize % 4096 !== 0) {
    throw new ElfError(`ELF: kiln ABI note stub size ${hex(stubSize)} is not a non-zero multiple of 4096`);
  }
  if (stubAddr + stubSize > 0x100000000) {
    throw new ElfError(`ELF: kiln ABI note stub region ${hex(stubAddr)} + ${hex(stubSize)} wraps around the address space`);
  }
  return { programAbi, stubAddr, stubSize };
}

/**
 * Finds and decodes the kiln ABI note. Returns null when the file has none (a raw program);
 * throws ElfError when there is a malformed one or more than one.
 */
export function findAbiNote(elf: ElfFile): AbiNote | null {
  const found = elf.notes.filter((n) => n.owner === KILN_NOTE_OWNER && n.type === NT_KILN_ABI);
  if (found.length === 0) return null;
  if (found.length > 1) throw new ElfError(`ELF: ${found.length} kiln ABI notes (expected one)`);
  return decodeAbiNote(found[0]!);
}
