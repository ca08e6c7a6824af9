// Kernel bugs found by the fuzzer and the layered tests, each pinned by the call that used to fail.
import { describe, expect, it } from "vitest";
import { errno as ERRNO } from "../../generated/index.ts";
import { installLayers } from "../../harness/install.ts";
import { Kernel } from "../../impl/kernel/kernel.ts";
import { layerOf } from "../../impl/kernel/layered.ts";
import { PAGE_SIZE } from "../../impl/kernel/machine.ts";
import type { Process, Thread } from "../../impl/kernel/process.ts";
import { BufferStdio } from "../../impl/kernel/stdio.ts";
import { DISPATCH, guest, haveCrossCompiler } from "./layered-helpers.ts";
import type { KernelName } from "./layered-helpers.ts";

const cc = haveCrossCompiler();

/** A layered process on kernel `k`, not yet run, and a way to trap on its first thread. */
function target(k: KernelName): { kernel: Kernel; p: Process; t: Thread; call: (id: string, ...args: number[]) => number } {
  const kernel = new Kernel({ dispatch: DISPATCH[k], stdio: new BufferStdio(), maxInsns: 1_000_000 });
  installLayers(kernel.vfs);
  const p = kernel.spawn(guest("after_fuzz", "p3"), ["t"]);
  const t = p.threads[0]!;
  const trap = kernel as unknown as { syscall(t: Thread): void };
  const call = (id: string, ...args: number[]): number => {
    const row = DISPATCH[k].syscalls.find((r) => r.id === id)!;
    t.cpu.regs[17] = row.nr;
    args.forEach((a, i) => (t.cpu.regs[10 + i] = a | 0));
    trap.syscall(t);
    return t.cpu.regs[10]!;
  };
  return { kernel, p, t, call };
}

describe.skipIf(!cc)("regressions", () => {
  for (const k of ["k2", "k3"] as const) {
    it(`${k}: sigdeliver after the guest unmapped its shared page is EFAULT, not a host exception`, () => {
      const { p, call } = target(k);
      const shared = layerOf(p.vm)!.sharedPage;
      expect(call("munmap", shared, PAGE_SIZE)).toBe(0);
      expect(call("sigdeliver")).toBe(-ERRNO.EFAULT);
    });

    it(`${k}: fork after the guest unmapped its shared page still works`, () => {
      const { kernel, p, call } = target(k);
      const shared = layerOf(p.vm)!.sharedPage;
      expect(call("munmap", shared, PAGE_SIZE)).toBe(0);
      const pid = call("clone", 17, 0, 0, 0, 0);
      expect(pid).toBeGreaterThan(0);
      expect(kernel.procs.get(pid)?.state).toBe("live");
    });
  }

  it("a fault's si_addr reaches the handler although siginfo's layout names only si_pid at that offset", () => {
    for (const k of ["k1", "k2", "k3"] as const) {
      const { kernel } = target(k);
      const v = kernel.siginfoValues({ signo: 11, code: 2, addr: 0x7fffd008 });
      const bytes = kernel.encode("siginfo", v);
      expect(new DataView(bytes.buffer).getUint32(12, true)).toBe(0x7fffd008);
    }
  });

  it("fstat of a pipe holding data says st_size 0 on k1 (statx, used to say 3) as on k2 (fstat)", () => {
    for (const k of ["k1", "k2"] as const) {
      const { kernel, t, call } = target(k);
      const sp = t.cpu.regs[2]! >>> 0;
      const fds = sp - 64, empty = sp - 2048, buf = sp - 1024;
      const row = DISPATCH[k].syscalls.find((r) => r.id === "pipe2")!;
      expect(call(row.id, fds, 0)).toBe(0);
      const rfd = kernel.readU32(t, fds), wfd = kernel.readU32(t, fds + 4);
      const f = t.proc.fds.get(wfd);
      f.pipe!.write(new Uint8Array([1, 2, 3]));
      if (k === "k1") {
        expect(call("statx", rfd, empty, 0x1000, 0x7ff, buf)).toBe(0);
        expect(kernel.readStruct(t, "statx", buf)["stx_size"]).toBe(0n);
      } else {
        expect(call("fstat", rfd, buf)).toBe(0);
        expect(kernel.readStruct(t, "stat", buf)["st_size"]).toBe(0n);
      }
    }
  });
});

