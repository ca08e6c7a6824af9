// The slots program ABI p4 added (spec/abi/p4.md), on every kernel ABI of the spec: each slot works
// where the kernel has the call or the layer emulates it, and fails with ENOSYS exactly where the
// spec routes it to the `enosys` recipe (read from the generated realisation, not a list here).
// The SDK's functions on top give the same answers on every kernel: they cope with ENOSYS.
// Also: a program that calls a slot its program ABI lacks does not build, and kiln cc names the
// slot and the program ABIs that have it.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CcError, missingSlotHint } from "../../impl/toolchain/cc.ts";
import { programs, programVersions, realisations } from "../../generated/index.ts";
import { build, haveCrossCompiler, KERNELS, kilnRun, TEST_C } from "./helpers.ts";

/** The first program ABI with every slot the test program calls. */
const SLOTS = ["pread", "pwrite", "ftruncate", "fsync", "access", "fstatat", "symlink", "readlink", "link", "utimensat", "getrandom", "uname", "umask", "times", "isatty"];
const slotsOf = (p: string) => programs[p]!.slots.map((s) => s.id) as string[];
const ABI = programVersions.find((p) => SLOTS.every((s) => slotsOf(p).includes(s)));
const cc = haveCrossCompiler();

describe.skipIf(!cc || !ABI)("the slots p4 added, on every kernel ABI", () => {
  let prog = "";
  beforeAll(() => {
    prog = build(join(TEST_C, "grown_test.c"), ABI!);
  }, 120_000);

  it.each(KERNELS)("%s: each slot works, or says ENOSYS where the spec routes it to enosys; the SDK copes", async (k) => {
    const r = await kilnRun(k, prog);
    expect(r.status).toBe(0);
    const slots = realisations[`${ABI}-${k}`]!.slots;
    const lines = r.stdout.split("\n");
    for (const id of SLOTS) {
      const route = slots.find((s) => s.id === id)!;
      const want = route.recipe === "enosys" ? "ENOSYS" : id === "isatty" ? "Inappropriate ioctl for device" : "ok";
      expect(lines, `${ABI}.${id} on ${k} (${route.route}${route.recipe ? ` ${route.recipe}` : ""}, ${route.by})`).toContain(`${id}: ${want}`);
    }
    expect(lines.filter((l) => l.startsWith("sdk "))).toEqual([
      "sdk pread keeps the offset: 2 7",
      "sdk access: 0",
      "sdk access missing: -1 No such file or directory",
      "sdk isatty of a file: 0",
      "sdk getentropy: 0",
      "sdk umask: 22 77",
      "sdk stat: 0 1",
      "sdk fsync: 0",
    ]);
  });

  it("some kernel of the spec routes a p4 slot to ENOSYS, and some has them all (else this test proves less)", () => {
    const enosys = (k: string) => realisations[`${ABI}-${k}`]!.slots.filter((s) => SLOTS.includes(s.id) && s.recipe === "enosys").length;
    expect(KERNELS.some((k) => enosys(k) > 0)).toBe(true);
    expect(KERNELS.some((k) => enosys(k) === 0)).toBe(true);
  });
});

describe("a slot the program ABI lacks", () => {
  const older = ABI ? programVersions.filter((p) => !slotsOf(p).includes("pread")).at(-1) : undefined;
  it.skipIf(!cc || !older)("fails to build, naming the slot and the program ABI that has it", () => {
    const dir = mkdtempSync(join(tmpdir(), "kiln-noslot-"));
    const src = join(dir, "t.c");
    writeFileSync(src, '#include <unistd.h>\nint main(void) { char b[4]; return (int)pread(0, b, 4, 0) + kiln_fsync(0); }\n');
    let e: unknown;
    try {
      build(src, older!);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(CcError);
    const have = programVersions.filter((p) => slotsOf(p).includes("pread"));
    expect((e as CcError).message).toContain(`slot pread is not in program ABI ${older}; ${have.join(", ")} ha`);
    expect((e as CcError).message).toContain(`slot fsync is not in program ABI ${older}`);
    expect((e as CcError).message).toContain(`build with -p ${have[0]}`);
  });

  it("missingSlotHint names nothing for a slot the ABI has, or a name no ABI has", () => {
    const out = "undefined reference to `kiln_read'\nundefined reference to `frobnicate'\n";
    for (const p of programVersions) expect(missingSlotHint(out, p)).toBeNull();
  });
});
