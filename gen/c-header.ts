// Emits the C header of one program ABI: generated/c/<pN>/kiln.h. It is the program's whole view
// of the ABI: every stub slot as a function, every structure with its exact layout (checked by
// `_Static_assert` at compile time), every constant of the spec, the TLS offsets and an errno
// accessor. Deterministic: slots by index, structures in dependency then name order, constants in
// spec order.
//
// How a slot becomes a direct `jal`: for each slot the header defines, with a top-level `.set`, an
// assembler symbol `kiln_<id>` equal to `__kiln_stubs + slot*slot_size` and declares a C function
// of that name. A call `kiln_write(…)` then assembles to `call __kiln_stubs+96` (relocation
// R_RISCV_CALL_PLT against the stub section's start symbol, which sdk/kiln.ld defines) and the
// linker relaxes it to one `jal` when the stub region is within ±1 MiB, else keeps `auipc`+`jalr`:
// a PC-relative direct call either way, no function pointer, no table load.
import type { Arg } from "./schema.ts";
import { C_CONSTANTS_HEADER, type StructLayout } from "./types.ts";
import { SCALARS } from "./layout.ts";
import type { ProgramAbi, Spec } from "./model.ts";
import { layoutsOf } from "./resolve.ts";

/** Chapter structures that belong to the layer, not to programs: not emitted (a program must not touch them). */
export const LAYER_ONLY_STRUCTS: readonly string[] = ["layer_header", "layer_private"];

const C_SCALAR: Readonly<Record<string, string>> = {
  u8: "uint8_t",
  i8: "int8_t",
  u16: "uint16_t",
  i16: "int16_t",
  u32: "uint32_t",
  i32: "int32_t",
  u64: "uint64_t",
  i64: "int64_t",
  ptr: "void *",
};

/** The C type of a slot argument or result (spec signature types). */
export function cTypeOf(type: string, position: "arg" | "ret"): string {
  switch (type) {
    case "int":
    case "fd":
    case "pid":
    case "ssize":
      return "int";
    case "uint":
      return "unsigned int";
    case "usize":
      return "size_t";
    case "cstr":
      return "const char *";
    case "ptr":
      return "void *";
    case "u64":
      return "uint64_t";
    case "i64":
      return "int64_t";
    case "noreturn":
      return "void";
  }
  const m = /^ptr<(\w+)>$/.exec(type);
  if (m) {
    const inner = m[1]!;
    if (inner === "u8") return "void *";
    if (inner === "ptr") return "char *const *";
    if (C_SCALAR[inner]) return `${C_SCALAR[inner]} *`;
    return `struct kiln_${inner} *`;
  }
  if (C_SCALAR[type]) return C_SCALAR[type]!;
  throw new Error(`c-header: no C type for ${position} type '${type}'`);
}

const decl = (ctype: string, name: string) => (ctype.endsWith("*") ? `${ctype}${name}` : `${ctype} ${name}`);

function fieldDecl(type: string, size: number, name: string): { text: string; align: number; flex: boolean } {
  const m = /^([a-z_][a-z0-9_]*)(?:\[(\d*)\])?$/.exec(type);
  if (!m) throw new Error(`c-header: bad field type '${type}'`);
  const elem = m[1]!;
  const scalar = C_SCALAR[elem];
  const ctype = scalar ?? `struct kiln_${elem}`;
  const align = SCALARS[elem]?.align ?? 1;
  if (m[2] === undefined) return { text: decl(ctype, name), align, flex: false };
  if (m[2] === "") return { text: `${decl(ctype, name)}[]`, align, flex: true };
  void size;
  return { text: `${decl(ctype, name)}[${m[2]}]`, align, flex: false };
}

function structOrder(layouts: Record<string, StructLayout>): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (n: string) => {
    if (seen.has(n) || !layouts[n]) return;
    seen.add(n);
    for (const f of layouts[n]!.fields) {
      const elem = f.type.replace(/\[\d*\]$/, "");
      if (layouts[elem]) visit(elem);
    }
    out.push(n);
  };
  for (const n of Object.keys(layouts).sort()) visit(n);
  return out;
}

function emitStruct(l: StructLayout, layouts: Record<string, StructLayout>, file: string): string[] {
  const lines: string[] = [];
  const name = `struct kiln_${l.name}`;
  const fields = [...l.fields].sort((a, b) => a.offset - b.offset);
  let at = 0;
  let pads = 0;
  let misaligned = false;
  const body: string[] = [];
  for (const f of fields) {
    if (f.offset > at) body.push(`  uint8_t __pad${pads++}[${f.offset - at}];`);
    const d = fieldDecl(f.type, f.size, f.name);
    const elemAlign = layouts[f.type.replace(/\[\d*\]$/, "")]?.align ?? d.align;
    if (f.offset % elemAlign !== 0) misaligned = true;
    body.push(`  ${d.text}; /* offset ${f.offset}, size ${f.size}, ${f.type} */`);
    at = f.offset + f.size;
  }
  // Tail padding up to the stated size; after a flexible array member C's own alignment supplies it
  // (the sizeof assertion below checks that it does).
  const flexLast = fields.length > 0 && fields[fields.length - 1]!.type.endsWith("[]");
  if (l.size > at && !flexLast) body.push(`  uint8_t __pad${pads++}[${l.size - at}];`);
  const attr = misaligned ? ` __attribute__((packed, aligned(${l.align})))` : "";
  // KILN_STRUCT_<NAME>: C code can ask whether its program ABI has a structure, as KILN_SLOT_<ID> a slot.
  lines.push(`/* ${l.name} (${file}) */`, `#define KILN_STRUCT_${l.name.toUpperCase()} 1`, `${name} {`, ...body, `}${attr};`);
  for (const f of fields) {
    lines.push(`_Static_assert(offsetof(${name}, ${f.name}) == ${f.offset}, "${l.name}.${f.name} offset");`);
    if (!f.type.endsWith("[]")) lines.push(`_Static_assert(sizeof(((${name} *)0)->${f.name}) == ${f.size}, "${l.name}.${f.name} size");`);
  }
  lines.push(`_Static_assert(sizeof(${name}) == ${l.size}, "sizeof ${l.name}");`);
  lines.push(`_Static_assert(_Alignof(${name}) == ${l.align}, "alignof ${l.name}");`, "");
  return lines;
}

function constValue(v: number): string {
  if (v < 0) return `(${v})`;
  if (v < 4096) return String(v);
  return `0x${v.toString(16)}`;
}

const macro = (s: string) => s.toUpperCase();

/** The structures the header states for program ABI `p`: its own plus the chapters' program-visible ones. */
export function headerStructs(spec: Spec, p: ProgramAbi): Record<string, StructLayout> {
  const all = layoutsOf(spec, p);
  return Object.fromEntries(Object.entries(all).filter(([n]) => !LAYER_ONLY_STRUCTS.includes(n)));
}

/** The header's text for program ABI `p`. */
/** The chapters' error numbers and constants (generated/c/kiln_constants.h), which every pN/kiln.h includes. */
export function cConstantsHeader(spec: Spec): string {
  // A kernel's own values (scope=kernel) are not ABI: programs never see them.
  const abiConstants = spec.constants.filter((c) => !c.kernelOnly);
  const srcList = [...new Set([...spec.errno.map((e) => e.at.file), ...abiConstants.map((c) => c.at.file)])].sort();
  const L: string[] = [];
  L.push(`/* Code generated by kiln gen from ${srcList.join(", ")}. DO NOT EDIT. */`);
  L.push(`/* Error numbers and named constants of the spec, for C and assembly; included by every pN/kiln.h. */`);
  L.push(`#ifndef KILN_CONSTANTS_H`, `#define KILN_CONSTANTS_H`, "");
  L.push(`/* Error numbers (spec/errors.md). */`);
  for (const e of spec.errno) L.push(`#define ${e.name} ${constValue(e.value)}`);
  L.push("");
  const groups = [...new Set(abiConstants.map((c) => c.group))].sort();
  for (const g of groups) {
    const cs = abiConstants.filter((c) => c.group === g);
    L.push(`/* Constants: ${g} (${cs[0]!.at.file}). */`);
    for (const c of cs) L.push(`#define ${c.name} ${constValue(c.value)}`);
    L.push("");
  }
  L.push(`#endif /* KILN_CONSTANTS_H */`);
  return L.join("\n") + "\n";
}

export function cHeader(spec: Spec, p: ProgramAbi): string {
  const chapters = spec.files.filter((f) => !f.includes("/abi/"));
  // The program ABI's file, then every chapter a constant, an error number or an emitted structure comes from.
  const used = new Set<string>([...spec.errno.map((e) => e.at.file), ...spec.constants.filter((c) => !c.kernelOnly).map((c) => c.at.file)]);
  for (const [n, s] of spec.structs) if (!LAYER_ONLY_STRUCTS.includes(n)) used.add(s.at.file);
  const srcList = [p.file, ...chapters.filter((c) => used.has(c)).sort()];
  const guard = `KILN_${macro(p.version)}_H`;
  const slots = [...p.slots].sort((a, b) => a.slot - b.slot);
  const layouts = headerStructs(spec, p);
  const tls = layouts["tls"];
  // Structures are cited by name and file, never by line: a prose edit leaves the header alone.
  const fileOf = (name: string) => p.structs.get(name)?.at.file ?? spec.structs.get(name)?.at.file ?? p.file;
  const L: string[] = [];
  L.push(`/* Code generated by kiln gen from ${srcList.join(", ")}. DO NOT EDIT. */`);
  L.push(`/* Program ABI ${p.version}: ${p.title}. */`);
  L.push(`/*`);
  L.push(` * Slots: each slot is a function kiln_<id>() at __kiln_stubs + slot * ${p.slotSize}, called with a direct`);
  L.push(` * PC-relative call (jal, or auipc+jalr when farther than 1 MiB): every slot name is an assembler`);
  L.push(` * symbol set to that address by the .set directives below; __kiln_stubs is the start of the`);
  L.push(` * .kiln.stubs section (sdk/kiln.ld). On failure a slot returns -1 and stores the error number`);
  L.push(` * through the TLS errno pointer (kiln_errno). Usable from assembly (.S) too: only the macros.`);
  L.push(` */`);
  L.push(`#ifndef ${guard}`, `#define ${guard}`, "");
  L.push(`#define KILN_PROGRAM_ABI_NAME "${p.version}"`);
  L.push(`#define KILN_PROGRAM_ABI ${Number(p.version.slice(1))}`);
  L.push(`#define KILN_STUB_SIZE ${p.stubSize}`);
  L.push(`#define KILN_SLOT_SIZE ${p.slotSize}`);
  L.push(`#define KILN_SLOT_COUNT ${slots.length}`, "");
  L.push(`/* Slot indices (${p.file}). */`);
  for (const s of slots) L.push(`#define KILN_SLOT_${macro(s.id)} ${s.slot} /* ${p.version}.${s.id}, since ${s.since} */`);
  L.push("");
  if (tls) {
    L.push(`/* The TLS block at tp (${fileOf("tls")}). */`);
    for (const f of tls.fields) L.push(`#define KILN_TLS_${macro(f.name)} ${f.offset}`);
    L.push(`#define KILN_TLS_SIZE ${tls.size}`, "");
  }
  L.push(`/* Error numbers and constants: the chapters', the same for every program ABI. */`);
  L.push(`#include "../${C_CONSTANTS_HEADER}"`, "");
  // Each slot symbol once, as an X-macro list; assembly and C expand it their own way.
  L.push(`/* Slot symbols: kiln_<id> = __kiln_stubs + offset (slot * ${p.slotSize}). */`);
  L.push(`#define KILN_SLOT_SYMBOLS(X) \\`);
  for (const s of slots) L.push(`  X(${s.id}, ${s.slot * p.slotSize}) \\`);
  L.push(`  /* end */`, "");
  L.push(`#ifdef __ASSEMBLER__`, `/* For assembly: call kiln_<id>. */`);
  L.push(`#define KILN_SET_SLOT_SYMBOL(id, offset) .set kiln_##id, __kiln_stubs + offset;`);
  L.push(`KILN_SLOT_SYMBOLS(KILN_SET_SLOT_SYMBOL)`);
  L.push(`#else /* C */`, "");
  L.push(`#include <stddef.h>`, `#include <stdint.h>`, "");
  L.push(`/* Structures, with their exact layouts. */`);
  for (const n of structOrder(layouts)) L.push(...emitStruct(layouts[n]!, layouts, fileOf(n)));
  L.push(`/* The slot symbols, for the C calls below. */`);
  L.push(`#define KILN_SET_SLOT_SYMBOL(id, offset) ".set kiln_" #id ", __kiln_stubs + " #offset "\\n"`);
  L.push(`__asm__(KILN_SLOT_SYMBOLS(KILN_SET_SLOT_SYMBOL));`, "");
  L.push(`/* Slot functions. */`);
  for (const s of slots) {
    const args = s.args.length === 0 ? "void" : s.args.map((a: Arg) => decl(cTypeOf(a.type, "arg"), a.name)).join(", ");
    const ret = cTypeOf(s.ret, "ret");
    const nr = s.ret === "noreturn" ? "__attribute__((noreturn)) " : "";
    L.push(`extern ${nr}${decl(ret, `kiln_${s.id}`)}(${args}); /* slot ${s.slot} */`);
  }
  L.push("");
  L.push(`/* The thread pointer and the errno accessor (through the TLS errno pointer at tp + ${tls?.fields.find((f) => f.name === "errno_ptr")?.offset ?? 4}). */`);
  L.push(`static inline void *kiln_tp(void) {`, `  void *tp;`, `  __asm__("mv %0, tp" : "=r"(tp));`, `  return tp;`, `}`);
  L.push(`static inline int *kiln_errno_location(void) { return *(int **)((char *)kiln_tp() + KILN_TLS_ERRNO_PTR); }`);
  L.push(`#define kiln_errno (*kiln_errno_location())`, "");
  L.push(`#endif /* C */`, "");
  L.push(`#endif /* ${guard} */`);
  return `${L.join("\n")}\n`;
}
