// `kiln run` on hostile inputs (issue 12): a FIFO or a device as the program, a --root holding a
// file too large for the guest. Each ends with one line and a status, never a hang.
import { spawnSync } from "node:child_process";
import { mkdtempSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_FILE_SIZE } from "../../impl/kernel/vfs.ts";

const KILN = join(import.meta.dirname, "../../bin/kiln");
const dir = mkdtempSync(join(tmpdir(), "kiln-hostile-"));

function kiln(args: string[]) {
  const r = spawnSync(process.execPath, [KILN, ...args], { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

describe("kiln run with hostile files", () => {
  it("a FIFO or /dev/zero as the program fails at once with status 126 (no hang, no unbounded read)", () => {
    const fifo = join(dir, "fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    for (const p of [fifo, "/dev/zero"]) {
      const r = kiln(["run", p]);
      expect(r.status).toBe(126);
      expect(r.stderr).toBe(`kiln run: ${p}: cannot run: not a regular file\n`);
    }
  });

  it("--root over a file larger than the largest guest file says so (not 'errno 27')", () => {
    const root = mkdtempSync(join(tmpdir(), "kiln-hostile-root-"));
    writeFileSync(join(root, "big"), "");
    truncateSync(join(root, "big"), MAX_FILE_SIZE + 1);
    const prog = join(dir, "prog");
    writeFileSync(prog, "not an ELF: --root is read first");
    const r = kiln(["run", "--root", root, prog]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`big is ${MAX_FILE_SIZE + 1} bytes, larger than the largest guest file`);
    expect(r.stderr).not.toContain("errno");
  });
});
