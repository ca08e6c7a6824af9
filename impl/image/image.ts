// The layer image format of spec/layer-image.md: header, stub table, code. Offsets come from the
// generated `layer_header` layout; nothing here hard-codes the header. Shared by the kernel (which
// maps images) and the layer builder (which writes them), so neither imports the other.
import { constants, offsets } from "../../generated/index.ts";

/** A layer image that cannot be built, read or mapped (the kernel's loader and the layer builder both throw it). */
export class LayerError extends Error {}

const H = offsets.layer_header;
export const LAYER_MAGIC = constants.layer.LAYER_MAGIC;
export const LAYER_FORMAT = constants.layer.LAYER_FORMAT;
const PAGE = 4096;

export interface LayerImage {
  readonly programAbi: number;
  readonly kernelAbi: number;
  /** The stub table: mapped over the program's stub section, read + execute. */
  readonly stubs: Uint8Array;
  /** Code and read-only data: mapped read + execute right after the stub region. */
  readonly code: Uint8Array;
  /** Bytes of zeroed private data mapped read + write after the code. */
  readonly dataSize: number;
  readonly slotCount: number;
}

export function encodeImage(img: LayerImage): Uint8Array {
  const stubOffset = PAGE;
  const codeOffset = stubOffset + img.stubs.length;
  const out = new Uint8Array(codeOffset + Math.ceil(img.code.length / PAGE) * PAGE);
  const dv = new DataView(out.buffer);
  dv.setUint32(H.magic, LAYER_MAGIC, true);
  dv.setUint16(H.format, LAYER_FORMAT, true);
  dv.setUint16(H.header_size, H.SIZE, true);
  dv.setUint16(H.program_abi, img.programAbi, true);
  dv.setUint16(H.kernel_abi, img.kernelAbi, true);
  dv.setUint32(H.stub_offset, stubOffset, true);
  dv.setUint32(H.stub_size, img.stubs.length, true);
  dv.setUint32(H.code_offset, codeOffset, true);
  dv.setUint32(H.code_size, img.code.length, true);
  dv.setUint32(H.data_size, img.dataSize, true);
  dv.setUint32(H.slot_count, img.slotCount, true);
  out.set(img.stubs, stubOffset);
  out.set(img.code, codeOffset);
  return out;
}

/** Parse and check an image read from the guest file system; throws LayerError on anything wrong. */
export function decodeImage(bytes: Uint8Array): LayerImage {
  if (bytes.length < H.SIZE) throw new LayerError(`layer image is ${bytes.length} bytes, shorter than its header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(H.magic, true) !== LAYER_MAGIC) throw new LayerError("not a layer image (bad magic)");
  if (dv.getUint16(H.format, true) !== LAYER_FORMAT) throw new LayerError(`layer image format ${dv.getUint16(H.format, true)} is not ${LAYER_FORMAT}`);
  const stubOffset = dv.getUint32(H.stub_offset, true);
  const stubSize = dv.getUint32(H.stub_size, true);
  const codeOffset = dv.getUint32(H.code_offset, true);
  const codeSize = dv.getUint32(H.code_size, true);
  const within = (off: number, len: number) => off % PAGE === 0 && off + len <= bytes.length;
  if (stubSize === 0 || stubSize % PAGE !== 0 || !within(stubOffset, stubSize)) throw new LayerError("layer image: stub table out of bounds or not page aligned");
  if (!within(codeOffset, codeSize)) throw new LayerError("layer image: code out of bounds or not page aligned");
  return {
    programAbi: dv.getUint16(H.program_abi, true),
    kernelAbi: dv.getUint16(H.kernel_abi, true),
    stubs: bytes.subarray(stubOffset, stubOffset + stubSize),
    code: bytes.subarray(codeOffset, codeOffset + codeSize),
    dataSize: dv.getUint32(H.data_size, true),
    slotCount: dv.getUint32(H.slot_count, true),
  };
}
