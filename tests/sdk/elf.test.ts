// Programs built by `kiln cc` are layered programs: a NOBITS, page-aligned .kiln.stubs of the
// program ABI's stub size alone in its own PT_LOAD with nothing after it, the ABI note under a
// PT_NOTE naming that region, and no ecall anywhere: every call into the kernel goes through a slot.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findAbiNote, PT_LOAD, PT_NOTE, readElf } from "../../impl/elf/index.ts";
import { CcError, ccBuild } from "../../impl/toolchain/cc.ts";
import { programVersions } from "../../generated/index.ts";
import { build, EXAMPLES, haveCrossCompiler, KILN } from "./helpers.ts";

const SHT_NOBITS = 8;
const ABIS = [...programVersions];
const has = haveCrossCompiler();

/** Every 32-bit instruction word of the executable segments. */
function textWords(bytes: Uint8Array): number[] {
  const elf = readElf(bytes);
  const out: number[] = [];
  for (const s of elf.segments.filter((x) => x.type === PT_LOAD && x.flags & 1)) {
    const dv = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
    for (let i = 0; i + 4 <= s.data.byteLength; i += 4) out.push(dv.getUint32(i, true));
  }
  return out;
}

describe.skipIf(!has).each(ABIS)("kiln cc -p %s output", (abi) => {
  const prog = has ? build(join(EXAMPLES, abi === "p1" ? "sh.c" : "threads.c"), abi, `elf-${abi}`) : "";

  it("carries the ABI note with the program ABI, the stub address and size", () => {
    const elf = readElf(readFileSync(prog));
    const note = findAbiNote(elf);
    const stubs = elf.sections.find((s) => s.name === ".kiln.stubs")!;
    expect(note).toEqual({ programAbi: Number(abi.slice(1)), stubAddr: stubs.addr, stubSize: 4096 });
    const pnote = elf.segments.find((s) => s.type === PT_NOTE)!;
    const noteSec = elf.sections.find((s) => s.name === ".note.kiln.abi")!;
    expect(pnote.vaddr).toBe(noteSec.addr);
    expect(pnote.filesz).toBe(32);
  });

  it("has a NOBITS, writable, page-aligned stub section alone in the last PT_LOAD", () => {
    const elf = readElf(readFileSync(prog));
    const stubs = elf.sections.find((s) => s.name === ".kiln.stubs")!;
    expect(stubs.type).toBe(SHT_NOBITS);
    expect(stubs.flags & 3).toBe(3); // SHF_WRITE | SHF_ALLOC
    expect(stubs.addr % 4096).toBe(0);
    expect(stubs.size).toBe(4096);
    const loads = elf.segments.filter((s) => s.type === PT_LOAD);
    const seg = loads.find((s) => s.vaddr === stubs.addr)!;
    expect(seg).toMatchObject({ filesz: 0, memsz: 4096, flags: 6 });
    // Nothing else is loaded at or after the stub page: the layer's code goes right after it.
    for (const s of loads) if (s !== seg) expect(s.vaddr + s.memsz).toBeLessThanOrEqual(stubs.addr);
  });

  it("never traps by itself: no ecall in its code, and slot calls are direct jumps into the stub region", () => {
    const bytes = readFileSync(prog);
    const words = textWords(bytes);
    expect(words.length).toBeGreaterThan(100);
    expect(words.filter((w) => w === 0x00000073)).toEqual([]);
    const dump = execFileSync("riscv64-unknown-elf-objdump", ["-d", prog], { encoding: "utf8" });
    expect(dump).toMatch(/\bj(al)?\s+[0-9a-f]+ <__kiln_stub_table\+0x60>/); // write, slot 3 (a call, or a tail call from write())
  });
});

describe.skipIf(!has)("kiln cc errors", () => {
  it("reports a compile error with the compiler's diagnostics (CcError status 1)", () => {
    expect(() => ccBuild({ sources: [join(EXAMPLES, "..", "tests/sdk/c/does-not-exist.c")], out: "/tmp/x" })).toThrow(CcError);
    try {
      ccBuild({ sources: [join(import.meta.dirname, "helpers.ts")], out: "/tmp/kiln-cc-bad", abi: "p1" });
      expect.unreachable();
    } catch (e) {
      expect((e as CcError).status).toBe(1);
    }
  });

  it("threads need p2: pthread.h refuses p1 with a clear message", () => {
    expect(() => ccBuild({ sources: [join(EXAMPLES, "threads.c")], out: "/tmp/kiln-cc-p1-threads", abi: "p1" })).toThrow(/threads need program ABI p2/);
  });

  it("the CLI exits 127 naming the Debian package when the compiler is missing, and --help is honest", () => {
    let status = 0;
    let stderr = "";
    try {
      execFileSync(process.execPath, [KILN, "cc", "-o", "/tmp/kiln-cc-none", join(EXAMPLES, "hello.c")], {
        env: { ...process.env, KILN_CC: "riscv-no-such-gcc" },
        stdio: "pipe",
      });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: Buffer }).stderr);
    }
    expect(status).toBe(127);
    expect(stderr).toContain("gcc-riscv64-unknown-elf");
    const help = execFileSync(process.execPath, [KILN, "cc", "--help"], { encoding: "utf8" });
    for (const opt of ["-p, --program", "-o, --output", "-O, --opt", "127", "gcc-riscv64-unknown-elf", "sdk/kiln.ld"]) expect(help).toContain(opt);
  });
});
