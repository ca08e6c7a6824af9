// The load_object recipe (dlopen): map an ELF object the program loads after start, and when the
// object carries kiln's ABI note, map this kernel's layer for the object's program ABI into the
// object's stub section — the same steps as the kernel's loader, done by the layer in userspace.
// It calls the layer's own slots (openat, read, mmap, mprotect, close), so it works whatever route
// each of them takes on this kernel.
import { constants, errno, offsets, selection } from "../../generated/index.ts";
import { versionNumber } from "../../gen/model.ts";
import { LayerError, type PairContext, type RecipeCode } from "./context.ts";

const { ENOEXEC } = errno;
const H = offsets.layer_header;

export function loadObject(ctx: PairContext, l: string, str: (s: string) => string): RecipeCode {
  const slot = (id: string) => {
    const r = ctx.realisation.slots.find((s) => s.id === id);
    if (!r) throw new LayerError(`load_object needs slot ${id}, which ${ctx.program} does not have`);
    return `__slot_${r.slot}`;
  };
  const c = (n: string) => ctx.constant(n);
  const MAP_FILE = c("MAP_PRIVATE") | c("MAP_FIXED");
  const MAP_ANON = MAP_FILE | c("MAP_ANONYMOUS");
  const RX = c("PROT_READ") | c("PROT_EXEC");
  const pathChoices = selection
    .filter((s) => s.kernel === ctx.kernel)
    .flatMap((s) => [`li t1, ${versionNumber(s.program)}`, "bne s7, t1, 1f", `la a1, ${str(s.path)}`, `j ${l}_havepath`, "1:"]);
  const saved = ["ra", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"];
  const FRAME = 320;
  const BUF = 64;
  const restore = [...saved.map((r, i) => `lw ${r}, ${i * 4}(sp)`), `addi sp, sp, ${FRAME}`];
  const failWith = (errno: number) => [`li a0, -${errno}`, `j ${l}_fail_close`];
  /** mmap(a0, a1, R+X, private fixed, layer fd s0, the header's file offset `offField` in pages). */
  const mapLayerPart = (addrAndLen: string[], offField: number) => [
    ...addrAndLen,
    `li a2, ${RX}`,
    `li a3, ${MAP_FILE}`,
    "mv a4, s0",
    `lw a5, ${BUF + offField}(sp)`,
    "srli a5, a5, 12",
    `jal ${slot("mmap")}`,
    "li t0, -1",
    `beq a0, t0, ${l}_failed_close`,
  ];
  /** ENOEXEC unless the header field at `off` of the buffer (s1) holds `value`. */
  const expectField = (load: string, off: number, value: number) => [`${load} t0, ${off}(s1)`, `li t1, ${value}`, `bne t0, t1, ${l}_noexec`];
  return {
    routine: [
      `addi sp, sp, -${FRAME}`,
      ...saved.map((r, i) => `sw ${r}, ${i * 4}(sp)`),
      "li s0, -1",
      // fd = openat(AT_FDCWD, path, O_RDONLY, 0)
      "mv a1, a0",
      `li a0, ${c("AT_FDCWD")}`,
      `li a2, ${c("O_RDONLY")}`,
      "li a3, 0",
      `jal ${slot("openat")}`,
      `bltz a0, ${l}_failed`,
      "mv s0, a0",
      // The ELF header and program headers, which must follow it directly.
      "mv a0, s0",
      `addi a1, sp, ${BUF}`,
      "li a2, 256",
      `jal ${slot("read")}`,
      `bltz a0, ${l}_failed_close`,
      "mv s7, a0",
      `addi s1, sp, ${BUF}`,
      "li t0, 52",
      `bltu s7, t0, ${l}_noexec`,
      ...expectField("lw", 0, 0x464c457f), // \x7fELF
      ...expectField("lbu", 4, 1), // ELFCLASS32
      ...expectField("lhu", 18, 243), // EM_RISCV
      ...expectField("lw", 28, 52), // e_phoff: right after the header
      "lhu s2, 44(s1)",
      "slli t0, s2, 5",
      "addi t0, t0, 52",
      `bgtu t0, s7, ${l}_noexec`,
      "lw s5, 24(s1)",
      "li s6, 0",
      "li s3, 0",
      `${l}_seg:`,
      `bgeu s3, s2, ${l}_segs_done`,
      "slli t0, s3, 5",
      "add s4, s1, t0",
      "addi s4, s4, 52",
      "lw t0, 0(s4)",
      "li t1, 4",
      "bne t0, t1, 1f",
      "lw s6, 8(s4)", // PT_NOTE: read it once everything is mapped
      `j ${l}_next`,
      "1:",
      "li t1, 1",
      `bne t0, t1, ${l}_next`,
      "lw t0, 20(s4)",
      `beqz t0, ${l}_next`,
      // prot from p_flags: PF_R 4 → PROT_READ 1, PF_W 2 → PROT_WRITE 2, PF_X 1 → PROT_EXEC 4
      "lw t0, 24(s4)",
      "andi t1, t0, 4",
      "srli t1, t1, 2",
      "andi t2, t0, 2",
      "or t1, t1, t2",
      "andi t2, t0, 1",
      "slli t2, t2, 2",
      "or s8, t1, t2",
      "lw t0, 8(s4)",
      "li t1, -4096",
      "and s9, t0, t1",
      "lw t2, 16(s4)",
      `beqz t2, ${l}_anon`,
      // The file part, writable until the rest of its last page is zeroed.
      "sub t3, t0, s9",
      "add a1, t3, t2",
      "mv a0, s9",
      `ori a2, s8, ${c("PROT_WRITE")}`,
      `li a3, ${MAP_FILE}`,
      "mv a4, s0",
      "lw t4, 4(s4)",
      "sub t4, t4, t3",
      "srli a5, t4, 12",
      `jal ${slot("mmap")}`,
      "li t0, -1",
      `beq a0, t0, ${l}_failed_close`,
      "lw t0, 8(s4)",
      "lw t2, 16(s4)",
      "add t0, t0, t2",
      "li t3, 4095",
      "add t1, t0, t3",
      "li t3, -4096",
      "and t1, t1, t3",
      "2:",
      "bgeu t0, t1, 3f",
      "sb zero, 0(t0)",
      "addi t0, t0, 1",
      "j 2b",
      "3:",
      "mv s9, t1",
      `andi t0, s8, ${c("PROT_WRITE")}`,
      `bnez t0, ${l}_anon`,
      "lw t0, 8(s4)",
      "li t2, -4096",
      "and a0, t0, t2",
      "sub a1, s9, a0",
      "mv a2, s8",
      `jal ${slot("mprotect")}`,
      `bltz a0, ${l}_failed_close`,
      // Whatever memsz has beyond the file's pages: anonymous zero pages.
      `${l}_anon:`,
      "lw t0, 8(s4)",
      "lw t1, 20(s4)",
      "add t0, t0, t1",
      "li t2, 4095",
      "add t0, t0, t2",
      "li t2, -4096",
      "and t0, t0, t2",
      `bgeu s9, t0, ${l}_next`,
      "mv a0, s9",
      "sub a1, t0, s9",
      "mv a2, s8",
      `li a3, ${MAP_ANON}`,
      "li a4, -1",
      "li a5, 0",
      `jal ${slot("mmap")}`,
      "li t0, -1",
      `beq a0, t0, ${l}_failed_close`,
      `${l}_next:`,
      "addi s3, s3, 1",
      `j ${l}_seg`,
      `${l}_segs_done:`,
      "mv a0, s0",
      `jal ${slot("close")}`,
      "li s0, -1",
      `beqz s6, ${l}_done`, // no note: a raw object
      "lw t0, 0(s6)",
      "li t1, 5",
      `bne t0, t1, ${l}_done`,
      "lw t0, 8(s6)",
      `li t1, ${constants.note.NT_KILN_ABI}`,
      `bne t0, t1, ${l}_done`,
      "lw t0, 12(s6)",
      "li t1, 0x6e6c696b", // "kiln"
      `bne t0, t1, ${l}_done`,
      "lw s7, 20(s6)",
      "lw s8, 24(s6)",
      "lw s9, 28(s6)",
      ...pathChoices,
      `li a0, -${ENOEXEC}`,
      `j ${l}_fail_close`,
      `${l}_havepath:`,
      `li a0, ${c("AT_FDCWD")}`,
      `li a2, ${c("O_RDONLY")}`,
      "li a3, 0",
      `jal ${slot("openat")}`,
      `bltz a0, ${l}_failed`,
      "mv s0, a0",
      `addi a1, sp, ${BUF}`,
      "li a2, 64",
      `jal ${slot("read")}`,
      "li t0, 40",
      `bltu a0, t0, ${l}_noexec`,
      `lw t0, ${BUF + H.magic}(sp)`,
      `li t1, ${constants.layer.LAYER_MAGIC}`,
      `bne t0, t1, ${l}_noexec`,
      `lw t0, ${BUF + H.stub_size}(sp)`,
      `bne t0, s9, ${l}_noexec`,
      // The stub table over the object's stub region, the code right after it.
      ...mapLayerPart(["mv a0, s8", "mv a1, s9"], H.stub_offset),
      ...mapLayerPart(["add a0, s8, s9", `lw a1, ${BUF + H.code_size}(sp)`], H.code_offset),
      "mv a0, s0",
      `jal ${slot("close")}`,
      `${l}_done:`,
      "mv a0, s5",
      ...restore,
      "ret",
      // Errors: a slot already set errno (failed*), or we set it now (fail_close with a0 = -errno).
      `${l}_noexec:`,
      ...failWith(ENOEXEC),
      `${l}_fail_close:`,
      "mv s7, a0",
      `bltz s0, 1f`,
      "mv a0, s0",
      `jal ${slot("close")}`,
      "1:",
      "mv a0, s7",
      ...restore,
      "j __err",
      `${l}_failed_close:`,
      `bltz s0, ${l}_failed`,
      "mv a0, s0",
      `jal ${slot("close")}`,
      `${l}_failed:`,
      "li a0, -1",
      ...restore,
      "ret",
    ],
  };
}
