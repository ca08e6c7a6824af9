// Real toolchain output: the C test programs in tests/c, built with riscv64-unknown-elf-gcc,
// are read correctly (cross-checked against binutils' readelf when available).

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildC, haveCrossCompiler } from "../c/build.ts";
import { readElf } from "../../impl/elf/read.ts";
import { findAbiNote } from "../../impl/elf/note.ts";
import { strip } from "../../impl/elf/write.ts";
import { EF_RISCV_RVC, EM_RISCV, ET_EXEC, PF_R, PF_W, PF_X, PT_LOAD, PT_NOTE, SHF_ALLOC, SHF_WRITE, SHT_NOBITS, SHT_SYMTAB, STB_GLOBAL, STT_FUNC } from "../../impl/elf/types.ts";
import type { ElfFile } from "../../impl/elf/types.ts";

const PROGRAMS = ["hello", "primes", "echo", "brk", "args", "clock", "atomic"];
const cc = haveCrossCompiler();

function binutils(tool: string): string | null {
  const exe = `riscv64-unknown-elf-${tool}`;
  try {
    execFileSync(exe, ["--version"], { stdio: "ignore" });
    return exe;
  } catch {
    return null;
  }
}

/** Program headers as GNU readelf prints them: [type, offset, vaddr, filesz, memsz, flags]. */
function readelfPhdrs(path: string): number[][] {
  const text = execFileSync(binutils("readelf")!, ["-lW", path], { encoding: "utf8" });
  const rows: number[][] = [];
  for (const line of text.split("\n")) {
    const m = /^\s+(LOAD|NOTE|RISCV_ATTRIBUT\w*|GNU_STACK)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+([RWE ]+?)\s+0x/.exec(line);
    if (!m) continue;
    const type = m[1] === "LOAD" ? 1 : m[1] === "NOTE" ? 4 : m[1] === "GNU_STACK" ? 0x6474e551 : 0x70000003;
    const f = m[6]!;
    const flags = (f.includes("R") ? 4 : 0) | (f.includes("W") ? 2 : 0) | (f.includes("E") ? 1 : 0);
    rows.push([type, parseInt(m[2]!, 16), parseInt(m[3]!, 16), parseInt(m[4]!, 16), parseInt(m[5]!, 16), flags]);
  }
  return rows;
}

function checkProgram(elf: ElfFile): void {
  expect(elf.type).toBe(ET_EXEC);
  expect(elf.machine).toBe(EM_RISCV);
  expect((elf.flags ?? 0) & EF_RISCV_RVC).toBe(0);
  const loads = elf.segments.filter((s) => s.type === PT_LOAD);
  expect(loads.length).toBeGreaterThanOrEqual(1);
  const text = loads.find((s) => elf.entry >= s.vaddr && elf.entry < s.vaddr + s.filesz);
  expect(text, "entry inside a file-backed PT_LOAD").toBeDefined();
  expect(text!.flags & (PF_R | PF_X)).toBe(PF_R | PF_X);
  for (const s of loads) expect(s.offset % 4096).toBe(s.vaddr % 4096);
  expect(findAbiNote(elf)).toBeNull(); // raw programs
}

describe.skipIf(!cc)("C programs built with riscv64-unknown-elf-gcc", () => {
  for (const name of PROGRAMS) {
    it(`${name}.c is read correctly`, () => {
      const path = buildC([`${name}.c`], name);
      const bytes = new Uint8Array(readFileSync(path));
      const elf = readElf(bytes);
      checkProgram(elf);
      // entry is _start, a global function
      const start = elf.symbols.find((s) => s.name === "_start");
      expect(start).toBeDefined();
      expect(start!.bind).toBe(STB_GLOBAL);
      expect(start!.type).toBe(STT_FUNC);
      expect(elf.entry).toBe(start!.value);
      expect(elf.symbols.some((s) => s.name === "main")).toBe(true);
      expect(elf.sections.some((s) => s.name === ".text")).toBe(true);
      expect(elf.sections.filter((s) => s.type === SHT_SYMTAB)).toHaveLength(1);
      // cross-check the program headers with binutils
      if (binutils("readelf")) {
        const ours = elf.segments
          .filter((s) => [1, 4, 0x6474e551, 0x70000003].includes(s.type))
          .map((s) => [s.type, s.offset, s.vaddr, s.filesz, s.memsz, s.flags]);
        expect(ours).toEqual(readelfPhdrs(path));
      }
      // our strip keeps it loadable
      const stripped = readElf(strip(bytes));
      expect(stripped.sections).toEqual([]);
      expect(stripped.entry).toBe(elf.entry);
      expect(stripped.segments.map((s) => [s.type, s.vaddr, s.filesz, s.memsz])).toEqual(
        elf.segments.map((s) => [s.type, s.vaddr, s.filesz, s.memsz]),
      );
    });
  }

  it("the data+bss of brk.c and echo.c are in a writable PT_LOAD", () => {
    const elf = readElf(new Uint8Array(readFileSync(buildC(["echo.c"], "echo"))));
    const buf = elf.symbols.find((s) => s.name === "buf" || s.name.startsWith("buf."));
    expect(buf).toBeDefined();
    const seg = elf.segments.find((s) => s.type === PT_LOAD && buf!.value >= s.vaddr && buf!.value + 256 <= s.vaddr + s.memsz);
    expect(seg).toBeDefined();
    expect(seg!.flags & 2).toBe(2);
  });

  it.skipIf(!binutils("strip"))("output of GNU strip is read correctly", () => {
    const path = buildC(["primes.c"], "primes");
    const out = `${path}.gnu-stripped`;
    execFileSync(binutils("strip")!, ["-o", out, path]);
    const elf = readElf(new Uint8Array(readFileSync(out)));
    checkProgram(elf);
    expect(elf.symbols).toEqual([]);
  });

  it("stubs.c (built with kiln.ld) carries the stub region and the ABI note", () => {
    const path = buildC(["stubs.c"], "stubs", ["-T", "kiln.ld"]);
    const bytes = new Uint8Array(readFileSync(path));
    const elf = readElf(bytes);
    const stubs = elf.sections.find((s) => s.name === ".kiln.stubs")!;
    expect(stubs).toMatchObject({ type: SHT_NOBITS, flags: SHF_ALLOC | SHF_WRITE, align: 4096, size: 4096 });
    expect(stubs.addr % 4096).toBe(0);
    const seg = elf.segments.filter((s) => s.type === PT_LOAD && s.memsz > 0 && s.vaddr < stubs.addr + stubs.size && stubs.addr < s.vaddr + s.memsz);
    expect(seg).toHaveLength(1);
    expect(seg[0]).toMatchObject({ vaddr: stubs.addr, memsz: 4096, filesz: 0, flags: PF_R | PF_W });
    // no other segment shares a page with the stub region
    for (const s of elf.segments.filter((x) => x.type === PT_LOAD && x.memsz > 0 && x !== seg[0])) {
      expect(s.vaddr + s.memsz <= stubs.addr || s.vaddr >= stubs.addr + 4096).toBe(true);
      expect(Math.floor((s.vaddr + s.memsz - 1) / 4096)).not.toBe(stubs.addr / 4096);
    }
    expect(elf.segments.filter((s) => s.type === PT_NOTE)).toHaveLength(1);
    const note = { programAbi: 1, stubAddr: stubs.addr, stubSize: 4096 };
    expect(findAbiNote(elf)).toEqual(note);
    expect(findAbiNote(readElf(strip(bytes)))).toEqual(note);
    if (binutils("strip")) {
      const out = `${path}.gnu-stripped`;
      execFileSync(binutils("strip")!, ["-o", out, path]);
      expect(findAbiNote(readElf(new Uint8Array(readFileSync(out))))).toEqual(note);
    }
  });

  it("buildC reports compiler errors and caches builds", () => {
    const a = buildC(["hello.c"], "hello");
    expect(buildC(["hello.c"], "hello")).toBe(a);
    expect(() => buildC(["nonexistent.c"], "x")).toThrow(/not found/);
  });
});

describe("cross compiler presence", () => {
  it("is reported", () => {
    if (!cc) console.warn("riscv64-unknown-elf-gcc not found: C program tests skipped");
    expect(typeof cc).toBe("boolean");
  });
});
