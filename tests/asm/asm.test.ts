import { describe, expect, it } from "vitest";
import { assemble, AsmError, encodeInstruction } from "../../impl/asm/assembler.ts";
import { disassemble } from "../../impl/asm/disasm.ts";
import { applyRelocation } from "../../impl/asm/relocate.ts";
import { isValid } from "../../impl/isa/codec.ts";
import { prng } from "../cpu/helpers.ts";

const one = (s: string, pc = 0) => encodeInstruction(s, pc);

describe("assembler: encodings (checked against GNU as output)", () => {
  const cases: Array<[string, number[]]> = [
    ["addi a0, a0, 1", [0x00150513]],
    ["add a0,a0,a1", [0x00b50533]],
    ["sub x5, x6, x7", [0x407302b3]],
    ["mul a0, a0, a1", [0x02b50533]],
    ["divu t0, t1, t2", [0x027352b3]],
    ["lui a1, 0x5f5e", [0x05f5e5b7]],
    ["auipc t0, 1", [0x00001297]],
    ["ret", [0x00008067]],
    ["nop", [0x00000013]],
    ["ecall", [0x00000073]],
    ["ebreak", [0x00100073]],
    ["lr.w a0, (a1)", [0x1005a52f]],
    ["sc.w a0, a2, (a1)", [0x18c5a52f]],
    ["amoadd.w a0, a2, (a1)", [0x00c5a52f]],
    ["amoswap.w.aqrl a0, a2, (a1)", [0x0ec5a52f]],
    ["csrr a0, cycle", [0xc0002573]],
    ["rdinstret a0", [0xc0202573]],
    ["rdtimeh t0", [0xc81022f3]],
    ["fence", [0x0ff0000f]],
    ["fence rw, w", [0x0310000f]],
    ["fence.i", [0x0000100f]],
    ["sw a0, 8(sp)", [0x00a12423]],
    ["lw a0, 8(sp)", [0x00812503]],
    ["lbu a0, -1(s0)", [0xfff44503]],
    ["sb a1, -2048(a0)", [0x80b50023]],
    ["jal ra, 8", [0x008000ef]],
    ["beq a0, a1, 8", [0x00b50463]],
    ["srai a0, a0, 31", [0x41f55513]],
    ["li a0, 0x12345678", [0x12345537, 0x67850513]],
    ["li a0, -1", [0xfff00513]],
    ["li a0, 0x800", [0x00001537, 0x80050513]],
    ["li t0, 0x10000", [0x000102b7]],
    ["mv a0, a1", [0x00058513]],
    ["not a0, a1", [0xfff5c513]],
    ["neg a0, a1", [0x40b00533]],
    ["seqz a0, a1", [0x0015b513]],
    ["snez a0, a1", [0x00b03533]],
    ["sltz a0, a1", [0x0005a533]],
    ["sgtz a0, a1", [0x00b02533]],
    ["jr t0", [0x00028067]],
    ["jalr t0", [0x000280e7]],
    ["csrw 0x340, a0", [0x34051073]],
    ["csrrwi a0, 0x340, 5", [0x3402d573]],
  ];
  for (const [src, words] of cases) it(src, () => expect(one(src).map((w) => w.toString(16))).toEqual(words.map((w) => w.toString(16))));

  it("branch pseudo-instructions swap operands as GNU does", () => {
    expect(one("bgt a0, a1, 16")).toEqual(one("blt a1, a0, 16"));
    expect(one("ble a0, a1, 16")).toEqual(one("bge a1, a0, 16"));
    expect(one("bgtu a0, a1, 16")).toEqual(one("bltu a1, a0, 16"));
    expect(one("bleu a0, a1, 16")).toEqual(one("bgeu a1, a0, 16"));
    expect(one("beqz a0, 16")).toEqual(one("beq a0, zero, 16"));
    expect(one("bnez a0, 16")).toEqual(one("bne a0, x0, 16"));
    expect(one("blez a0, 16")).toEqual(one("bge zero, a0, 16"));
    expect(one("bgez a0, 16")).toEqual(one("bge a0, zero, 16"));
    expect(one("bltz a0, 16")).toEqual(one("blt a0, zero, 16"));
    expect(one("bgtz a0, 16")).toEqual(one("blt zero, a0, 16"));
    expect(one("j 16")).toEqual(one("jal zero, 16"));
    expect(one("jal 16")).toEqual(one("jal ra, 16"));
    expect(one("fp: addi fp, s0, 0")).toEqual(one("addi x8, x8, 0"));
  });
});

describe("assembler: labels, expressions, directives", () => {
  it("numeric local labels 1f / 1b pick the nearest definition", () => {
    const w = one(`
    1: nop
       j 1f
       j 1b
    1: j 1b`);
    expect(w[1]).toBe(one("j 12", 4)[0]);
    expect(w[2]).toBe(one("j 0", 8)[0]);
    expect(w[3]).toBe(one("j 12", 12)[0]);
  });

  it("data directives, strings, alignment and .equ", () => {
    const o = assemble(`
      .equ N, 3 * 4 + 1
      .set M, N << 1
      .data
    a: .byte 1, -1, 'A', N
      .half 0x1234
      .align 2
    b: .word M, b - a, 0xffffffff
      .ascii "hi"
      .asciz "a\\n\\x41\\101"
      .string "z"
      .zero 3
      .space 2, 0x7
      .p2align 3
    c: .balign 4
      .bss
      .zero 100
      .section .note.kiln, "a", @note
      .word 1`);
    const d = o.sections.find((s) => s.name === ".data")!;
    expect([...d.data]).toEqual([
      1, 255, 65, 13, 0x34, 0x12, 0, 0, 26, 0, 0, 0, 8, 0, 0, 0, 255, 255, 255, 255,
      104, 105, 97, 10, 65, 65, 0, 122, 0, 0, 0, 0, 7, 7, 0, 0, 0, 0, 0, 0,
    ]);
    expect(d.align).toBe(8);
    expect(o.symbols.find((s) => s.name === "c")!.value).toBe(40);
    const bss = o.sections.find((s) => s.name === ".bss")!;
    expect([bss.kind, bss.size, bss.data.length, bss.write]).toEqual(["nobits", 100, 0, true]);
    const note = o.sections.find((s) => s.name === ".note.kiln")!;
    expect([note.kind, note.alloc, note.write]).toEqual(["note", true, false]);
    expect(o.symbols.find((s) => s.name === "N")).toMatchObject({ section: null, value: 13 });
  });

  it(".section flags and types, .globl, .size, .type", () => {
    const o = assemble(`
      .section .kiln.stubs, "aw", @nobits
      .balign 4096
      .globl stubs
      .type stubs, @object
    stubs: .zero 4096
      .size stubs, . - stubs
      .text
      .globl _start
      .type _start, @function
    _start: ret
      .size _start, .-_start`);
    const s = o.sections.find((x) => x.name === ".kiln.stubs")!;
    expect([s.kind, s.size, s.align, s.write, s.exec]).toEqual(["nobits", 4096, 4096, true, false]);
    expect(o.symbols.find((x) => x.name === "stubs")).toEqual({ name: "stubs", section: ".kiln.stubs", value: 0, global: true, size: 4096, type: "object" });
    expect(o.symbols.find((x) => x.name === "_start")).toMatchObject({ global: true, size: 4, type: "func" });
    const t = o.sections.find((x) => x.name === ".text")!;
    expect([t.exec, t.align]).toEqual([true, 4]);
  });

  it(".align in code pads with nops", () => {
    const w = one(`nop
      .align 4
      ecall`);
    expect(w).toEqual([0x13, 0x13, 0x13, 0x13, 0x73]);
  });

  it("comments (#, //, /* */) and ';' separators", () => {
    expect(one("nop # c\n/* a\n b */ ecall // x\nnop; ecall")).toEqual([0x13, 0x73, 0x13, 0x73]);
  });
});

describe("assembler: relocations", () => {
  const rel = (src: string, sec = ".text") => assemble(src).sections.find((s) => s.name === sec)!.relocs;

  it("call/tail to an undefined symbol emit R_RISCV_CALL", () => {
    expect(rel("call printf\ntail exit")).toEqual([
      { offset: 0, type: "call", symbol: "printf", addend: 0 },
      { offset: 8, type: "call", symbol: "exit", addend: 0 },
    ]);
    const w = encodeInstruction("call 0x100", 0);
    expect(w).toEqual([0x00000097, 0x100080e7]);
    expect(encodeInstruction("tail 0x100", 0)).toEqual([0x00000317, 0x10030067]);
  });

  it("la to another section: pcrel_hi20 + pcrel_lo12_i naming the auipc label", () => {
    const o = assemble("la a0, msg+4\n.data\nmsg: .word 1, 2");
    const r = o.sections[0]!.relocs;
    expect(r[0]).toEqual({ offset: 0, type: "pcrel_hi20", symbol: "msg", addend: 4 });
    expect(r[1]).toMatchObject({ offset: 4, type: "pcrel_lo12_i", addend: 0 });
    const lbl = o.symbols.find((s) => s.name === r[1]!.symbol)!;
    expect([lbl.section, lbl.value]).toEqual([".text", 0]);
  });

  it("%hi/%lo, .word, branches and jal to other sections", () => {
    expect(
      rel(`lui a0, %hi(x)
        addi a0, a0, %lo(x)
        sw a1, %lo(x+8)(a0)
        beq a0, a1, ext
        jal other
        .section .text.other, "ax"
      other: ret`),
    ).toEqual([
      { offset: 0, type: "hi20", symbol: "x", addend: 0 },
      { offset: 4, type: "lo12_i", symbol: "x", addend: 0 },
      { offset: 8, type: "lo12_s", symbol: "x", addend: 8 },
      { offset: 12, type: "branch", symbol: "ext", addend: 0 },
      { offset: 16, type: "jal", symbol: "other", addend: 0 },
    ]);
    expect(rel(".data\nv: .word v + 4, ext", ".data")).toEqual([
      { offset: 0, type: "abs32", symbol: "v", addend: 4 },
      { offset: 4, type: "abs32", symbol: "ext", addend: 0 },
    ]);
  });

  it("branches to local labels of the same section are resolved without relocations", () => {
    expect(rel("1: beqz a0, 2f\nj 1b\ncall 1b\n2: ret")).toEqual([]);
  });

  it("applyRelocation patches each field as the psABI says", () => {
    const d = new Uint8Array(8);
    const put = (w: number[]) => new DataView(d.buffer).setUint32(0, w[0]!, true);
    const get = () => new DataView(d.buffer).getUint32(0, true);
    put(one("lui a0, 0"));
    applyRelocation(d, 0, "hi20", 0x12345800, 0, 0);
    expect(get()).toBe(one("lui a0, 0x12346")[0]);
    put(one("addi a0, a0, 0"));
    applyRelocation(d, 0, "lo12_i", 0x12345800, 0, 0);
    expect(get()).toBe(one("addi a0, a0, -2048")[0]);
    put(one("sw a1, 0(a0)"));
    applyRelocation(d, 0, "lo12_s", 0x1000, 0x7ff, 0);
    expect(get()).toBe(one("sw a1, 2047(a0)")[0]);
    put(one("beq a0, a1, 0"));
    applyRelocation(d, 0, "branch", 0x1000, 0, 0x1100);
    expect(get()).toBe(one("beq a0, a1, 0x1000", 0x1100)[0]);
    put(one("jal ra, 0"));
    applyRelocation(d, 0, "jal", 0x80000, 4, 0x100);
    expect(get()).toBe(one("jal ra, 0x80004", 0x100)[0]);
    applyRelocation(d, 0, "abs32", 0xfffffffe, 3, 0);
    expect(get()).toBe(1);
    const c = new Uint8Array(new Uint32Array(one("call 0")).buffer);
    applyRelocation(c, 0, "call", 0x12345, 0, 0x100);
    expect([...new Uint32Array(c.buffer)]).toEqual(one("call 0x12345", 0x100));
    expect(() => applyRelocation(d, 0, "branch", 0x10000, 0, 0)).toThrow(RangeError);
  });
});

describe("assembler: errors name line:column", () => {
  const err = (src: string): AsmError => {
    try {
      assemble(src);
    } catch (e) {
      expect(e).toBeInstanceOf(AsmError);
      return e as AsmError;
    }
    throw new Error("no error");
  };
  it.each([
    ["nop\n  frob a0, a1", 2, 3, /unknown instruction 'frob'/],
    ["addi a0, q7, 1", 1, 10, /unknown register 'q7'/],
    ["addi a0, a0, 4096", 1, 14, /out of range/],
    ["slli a0, a0, 32", 1, 14, /shift amount 32/],
    [".frob 1", 1, 1, /unknown directive/],
    ["j 1b", 1, 3, /numeric label 1b/],
    ["add a0, a1", 1, 1, /add takes 3 operands, got 2/],
    ['.ascii "abc', 1, 8, /unterminated string/],
    ["x: nop\nx: nop", 2, 1, /already defined/],
    ["beq a0, a1, far\n.zero 8192\nfar: nop", 1, 13, /branch offset/],
    ["lw a0, %hi(x)(a1)", 1, 8, /%hi is not allowed/],
    [".text\n.zero 1\nnop", 3, 1, /not 2-byte aligned/],
  ])("%j", (src, line, col, msg) => {
    const e = err(src as string);
    expect(e.message).toMatch(msg as RegExp);
    expect([e.line, e.column]).toEqual([line, col]);
    expect(e.message).toMatch(new RegExp(`^<asm>:${line}:${col}: `));
  });
});

describe("disassembler", () => {
  it("prints GNU syntax with ABI names and aliases", () => {
    const d = (s: string, pc = 0) => disassemble(one(s, pc)[0]!, pc);
    expect(d("addi a0, sp, 16")).toBe("addi a0,sp,16");
    expect(d("addi a0, zero, -5")).toBe("li a0,-5");
    expect(d("lw ra, 12(sp)")).toBe("lw ra,12(sp)");
    expect(d("jalr x0, 0(x1)")).toBe("ret");
    expect(d("beq a0, zero, 0x1010", 0x1000)).toBe("beqz a0,0x1010");
    expect(d("jal x0, 0xff0", 0x1000)).toBe("j 0xff0");
    expect(d("csrrs a0, instret, zero")).toBe("rdinstret a0");
    expect(d("amoor.w.aq a0, a1, (a2)")).toBe("amoor.w.aq a0,a1,(a2)");
    expect(d("fence r, rw")).toBe("fence r,rw");
    expect(disassemble(0)).toBe(".half 0x0000"); // c.unimp: the all-zero halfword is illegal
  });

  it("round-trips every instruction form: assemble(disassemble(w)) == w", () => {
    const rnd = prng(2024);
    const seen = new Set<string>();
    const opcodes = [0x37, 0x17, 0x6f, 0x67, 0x63, 0x03, 0x23, 0x13, 0x33, 0x0f, 0x73, 0x2f];
    const f7s = [0, 0x20, 1];
    const amo = [0x02, 0x03, 0x01, 0x00, 0x04, 0x0c, 0x08, 0x10, 0x14, 0x18, 0x1c];
    let checked = 0;
    for (let i = 0; i < 60000; i++) {
      const op = opcodes[rnd() % opcodes.length]!;
      let w = (rnd() & ~0x7f) | op;
      const z = rnd() % 4; // bias towards zero registers to exercise aliases
      if (z === 0) w &= ~(31 << 15);
      if (z === 1) w &= ~(31 << 20);
      if (z === 2) w &= ~(31 << 7);
      if (op === 0x33 || (op === 0x13 && rnd() % 2)) w = (w & 0x01ffffff) | (f7s[rnd() % 3]! << 25);
      if (op === 0x2f) w = (w & 0x07ff8fff) | (2 << 12) | (amo[rnd() % amo.length]! << 27);
      if (op === 0x2f && ((w >>> 27) & 31) === 2 && rnd() % 2) w &= ~(31 << 20);
      if (op === 0x73 && rnd() % 3 === 0) w = [0x73, 0x00100073][rnd() % 2]!;
      if (op === 0x73 && rnd() % 2) w = (w & 0x000fffff) | ([0xc00, 0xc01, 0xc02, 0xc80, 0xc81, 0xc82, 0x001, 0x003][rnd() % 8]! << 20);
      if (op === 0x0f && rnd() % 2) w = rnd() % 3 ? (((rnd() & 0xff) << 20) | 0x0f) >>> 0 : 0x100f;
      if (op === 0x13 && (w & 0x7000) === 0 && rnd() % 4 === 0) w &= 0x000fffff;
      if (i < 2) w = [0x00008067, 0xfff5c513][i]!; // ret, not
      if (!isValid(w)) continue;
      const pc = (rnd() & 0xfffffc) >>> 0;
      const text = disassemble(w, pc);
      seen.add(text.split(" ")[0]!);
      let back: number[];
      try {
        back = encodeInstruction(text, pc);
      } catch (e) {
        throw new Error(`${text} (0x${(w >>> 0).toString(16)} @0x${pc.toString(16)}): ${(e as Error).message}`);
      }
      if (back.length !== 1 || back[0] !== w >>> 0)
        expect(`${text} -> ${back.map((x) => x.toString(16))}`).toBe(`${text} -> ${(w >>> 0).toString(16)}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(20000);
    const forms = `lui auipc jal j jalr jr ret beq bne blt bge bltu bgeu beqz bnez bltz bgez blez bgtz lb lh lw lbu lhu sb sh sw
      addi li mv nop slti sltiu seqz xori not ori andi slli srli srai add sub neg sll slt sltz sgtz sltu snez xor srl sra or and
      mul mulh mulhsu mulhu div divu rem remu fence fence.i ecall ebreak csrrw csrrs csrrc csrrwi csrrsi csrrci csrr csrw csrs csrc
      csrwi csrsi csrci rdcycle rdtime rdinstret rdcycleh rdtimeh rdinstreth lr.w sc.w amoswap.w amoadd.w amoxor.w amoand.w amoor.w
      amomin.w amomax.w amominu.w amomaxu.w lr.w.aqrl sc.w.aq amoadd.w.rl`.split(/\s+/).filter(Boolean);
    const missing = forms.filter((f) => !seen.has(f));
    expect(missing).toEqual([]);
  });
});
