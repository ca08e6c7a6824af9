// The TLS block the kernel sets up for a layered program is the one spec/tls.md describes.
import { describe, expect, it } from "vitest";
import { assemble } from "../../impl/asm/index.ts";
import { link } from "../../impl/elf/link.ts";
import { Kernel } from "../../impl/kernel/kernel.ts";
import { BufferStdio } from "../../impl/kernel/stdio.ts";
import { installLayers } from "../../harness/install.ts";
import { kernels, kernelVersions, programs, programVersions, offsets } from "../../generated/index.ts";

const PROGRAM = `
.text
.globl _start
_start:
  li a0, 0
  call __kiln_stubs + 1*32
.section .kiln.stubs,"aw",@nobits
.balign 4096
.zero 4096
`;

describe("the initial TLS block of a layered program", () => {
  const elf = link([assemble(PROGRAM, { file: "tls.s" })], { programAbi: 1 });
  const tls = programs[programVersions[0]!]!.structs.tls!;
  const at = (f: string) => tls.fields.find((x) => x.name === f)!.offset;
  for (const k of kernelVersions) {
    it(`on ${k}: self, errno_ptr into the layer-private block's errno, layer-private block`, () => {
      const kernel = new Kernel({ dispatch: kernels[k]!, stdio: new BufferStdio(), maxInsns: 100_000 });
      installLayers(kernel.vfs);
      const proc = kernel.spawn(elf, ["tls"]);
      const t = proc.threads[0]!;
      const tp = t.cpu.regs[4]! >>> 0;
      const word = (a: number) => new DataView(proc.vm.mem.readBytes(a, 4)!.buffer).getUint32(0, true);
      expect(word(tp + at("self"))).toBe(tp);
      const lp = word(tp + at("layer"));
      expect(lp).not.toBe(0);
      expect(word(tp + at("errno_ptr"))).toBe(lp + offsets.layer_private.errno!);
      expect(kernel.run().status).toBe(0);
    });
  }
});
