// kiln diff against the real spec (exact expectations) and against edited copies of it.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DiffError, diffAbis, diffStruct, formatDiff, type AbiDiff } from "../../gen/diff.ts";
import { loadSpec } from "../../gen/load.ts";
import { layoutsOf, realise } from "../../gen/resolve.ts";
import { checkSpec, REPO_ROOT } from "../../gen/main.ts";

const { spec, diagnostics } = checkSpec(join(REPO_ROOT, "spec"), "spec");
const work = mkdtempSync(join(tmpdir(), "kiln-diff-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ids = (xs: readonly { id: string }[]) => xs.map((x) => x.id);
const route = (d: AbiDiff, key: string) => d.routes.find((r) => `${r.program}.${r.id}` === key);

describe("kiln diff on the real spec", () => {
  it("the spec is valid", () => expect(diagnostics).toEqual([]));

  it("k1 → k2: renumbering, removed and added calls, new structures, shared page", () => {
    const d = diffAbis(spec, "k1", "k2");
    expect(d.family).toBe("kernel");
    expect(d.calls.renumbered).toContainEqual(expect.objectContaining({ id: "write", from: 64, to: 4 }));
    expect(d.calls.renumbered).toContainEqual(expect.objectContaining({ id: "exit", from: 93, to: 1 }));
    const [k1, k2] = ["k1", "k2"].map((v) => spec.kernels.find((k) => k.version === v)!);
    expect(d.calls.renumbered).toHaveLength(k1!.syscalls.filter((c) => k2!.syscalls.some((x) => x.id === c.id && x.nr !== c.nr)).length);
    // llseek, statx and k1's Linux-only calls: every k1 row that says `removed k2`.
    const goneInK2 = k1!.syscalls.filter((r) => r.removed === "k2").map((r) => r.id);
    expect(goneInK2).toEqual(expect.arrayContaining(["llseek", "statx"]));
    expect(ids(d.calls.removed).sort()).toEqual([...goneInK2].sort());
    expect(ids(d.calls.added)).toEqual(["lseek", "fstat", "fstatat", "sigdeliver"]);
    expect(d.calls.changed).toEqual([]);
    expect(d.messages.added).toEqual([]);
    expect(d.structs.added.map((s) => s.name)).toEqual(["shared_page", "shared_thread", "stat"]);
    expect(d.structs.removed).toEqual([]);
    expect(d.sharedPage).toMatchObject({ from: null, to: "shared_page", status: "added" });
    expect(d.ring).toMatchObject({ status: "none" });
    expect(d.header).toContainEqual({ column: "shared page", from: null, to: "shared_page" });
  });

  it("k1 → k2 forces routes: lseek emulated → renumbered, write direct → renumbered, getpid → userspace", () => {
    const d = diffAbis(spec, "k1", "k2");
    const lseek = route(d, "p1.lseek")!;
    expect(lseek.from).toMatchObject({ route: "emulated", recipe: "lseek_llseek", call: null });
    expect(lseek.to).toMatchObject({ route: "renumbered", call: "lseek", nr: 7 });
    expect(lseek.causes).toEqual(["call.removed:llseek", "call.added:lseek", "realise:row"]);
    expect(route(d, "p1.write")).toMatchObject({ from: { route: "direct", nr: 64 }, to: { route: "renumbered", nr: 4 }, causes: ["call.renumbered:write"], sameRoute: false });
    expect(route(d, "p1.getpid")).toMatchObject({ from: { route: "direct", nr: 172 }, to: { route: "userspace", recipe: "shared_pid" }, causes: ["shared-page:added", "realise:row"] });
    expect(route(d, "p1.fstat")!.causes).toEqual(["call.added:fstat", "call.removed:statx", "struct.added:stat", "realise:row"]);
    // k2 renumbers every call: every p1 slot that traps directly on k1 has another route on k2.
    const p1 = spec.programs.find((p) => p.version === "p1")!;
    const k1 = spec.kernels.find((k) => k.version === "k1")!;
    const direct = realise(spec, p1, k1, null).filter((r) => r.route === "direct").map((r) => r.id);
    expect(direct.length).toBeGreaterThan(20);
    for (const id of direct) expect(route(d, `p1.${id}`), `p1.${id}`).toBeDefined();
    expect(d.routes.map((r) => r.program)).toContain("p3");
  });

  it("k2 → k3: file I/O moves to the ring, the shared page is rearranged", () => {
    const d = diffAbis(spec, "k2", "k3");
    expect(ids(d.calls.added)).toEqual(["ring_enter"]);
    expect(ids(d.calls.removed)).toEqual(["read", "write", "openat", "close", "lseek", "fstat", "fstatat", "getdents64", "readv", "writev", "mkdirat", "unlinkat", "renameat2"]);
    expect(d.calls.renumbered).toEqual([]);
    expect(d.messages.added.map((m) => [m.id, m.number])).toContainEqual(["read", 1]);
    expect(d.messages.added).toHaveLength(13);
    expect(d.ring).toMatchObject({ from: null, to: "ring", status: "added" });
    expect(d.sharedPage?.status).toBe("changed");
    const page = d.sharedPage!.layout!;
    // k3 moves pid: the diff reports exactly the offsets of the two layout tables.
    const at = (k: string) => layoutsOf(spec, spec.kernels.find((x) => x.version === k)!).shared_page!.fields.find((f) => f.name === "pid")!;
    expect(at("k2").offset).not.toBe(at("k3").offset);
    expect(page.fields).toContainEqual({ field: "pid", kinds: ["moved"], from: { offset: at("k2").offset, size: 4, type: "i32" }, to: { offset: at("k3").offset, size: 4, type: "i32" } });
    expect(page.fields).toContainEqual(expect.objectContaining({ field: "ring_offset", kinds: ["added"] }));
    const thread = d.structs.changed.find((s) => s.name === "shared_thread")!;
    expect(thread.fields).toContainEqual({ field: "crit", kinds: ["moved"], from: { offset: 4, size: 4, type: "u32" }, to: { offset: 0, size: 4, type: "u32" } });
    expect(d.structs.added.map((s) => s.name)).toEqual(["cqe", "ring", "sqe"]);
    expect(route(d, "p1.read")).toMatchObject({ from: { route: "renumbered", nr: 3 }, to: { route: "message", call: "read", opcode: 1 } });
    expect(route(d, "p1.read")!.causes).toEqual(["call.removed:read", "message.added:read", "ring:added"]);
    expect(route(d, "p3.batch")).toMatchObject({ from: { route: "emulated", recipe: "batch_sequential" }, to: { route: "message", recipe: "batch_ring" } });
    // Same route, new layout: getpid still reads the shared page, at another offset.
    expect(route(d, "p1.getpid")).toMatchObject({ sameRoute: true, causes: ["shared-page:changed"] });
    expect(route(d, "p1.dup")).toBeUndefined();
  });

  it("p1 → p2 and p2 → p3: slots and structures appended, nothing renumbered", () => {
    const a = diffAbis(spec, "p1", "p2");
    expect(a.family).toBe("program");
    expect(a.calls.added.map((s) => [s.id, s.number]).slice(0, 11)).toEqual([
      ["fstat64", 35], ["clock_gettime", 36], ["nanosleep", 37], ["gettid", 38], ["clone", 39], ["set_tid_address", 40],
      ["futex", 41], ["tgkill", 42], ["crit_enter", 43], ["crit_leave", 44], ["dlopen", 45],
    ]);
    // Appended slots follow p1's last one without a gap.
    expect(a.calls.added.map((s) => s.number)).toEqual(a.calls.added.map((_, i) => 35 + i));
    expect(a.calls.removed).toEqual([]);
    expect(a.calls.renumbered).toEqual([]);
    expect(a.calls.changed).toEqual([]);
    expect(a.structs.added.map((s) => s.name)).toEqual(["stat64", "timespec64"]);
    expect(a.routes).toEqual([]);
    const b = diffAbis(spec, "p2", "p3");
    expect(b.calls.added.map((s) => s.id)).toEqual(["batch"]);
    expect(b.calls.added[0]!.number).toBe(spec.programs.find((p) => p.version === "p2")!.slots.length);
    expect(b.structs.added.map((s) => s.name)).toEqual(["batch_entry"]);
  });

  it("refuses unknown versions and mixed families", () => {
    expect(() => diffAbis(spec, "k1", "p1")).toThrow(DiffError);
    expect(() => diffAbis(spec, "k1", "p1")).toThrow(/cannot diff a kernel ABI \(k1\) against a program ABI \(p1\)/);
    // Every version the spec has, programs then kernels, whatever they are.
    const known = [...spec.programs, ...spec.kernels].map((v) => v.version).join(", ");
    expect(() => diffAbis(spec, "k1", "k999")).toThrow(`unknown ABI version \`k999\`; known versions: ${known}`);
  });

  it("formats human text with every kind of change", () => {
    const text = formatDiff(diffAbis(spec, "k1", "k2"));
    expect(text).toContain("calls renumbered:\n");
    expect(text).toContain("  ~ write 64 → 4\n");
    expect(text).toContain("  - statx (nr 291)");
    expect(text).toContain("p1.lseek: emulated (lseek_llseek) → renumbered lseek #7  because call llseek removed (was 62); call lseek added (nr 7)");
    expect(formatDiff(diffAbis(spec, "k2", "k2"))).toBe("kernel ABI k2 → k2\n\nno differences\n");
  });
});

describe("kiln diff on edited specs", () => {
  it("reports renumbered slots, signature changes and resized, retyped fields", () => {
    const dir = join(work, "edited");
    cpSync(join(REPO_ROOT, "spec"), dir, { recursive: true });
    const edit = (file: string, find: string, replace: string) => {
      const path = join(dir, file);
      const text = readFileSync(path, "utf8");
      expect(text, `${file} contains ${find}`).toContain(find);
      writeFileSync(path, text.replace(find, replace));
    };
    edit("abi/p3.md", "| 45 | dlopen | `path: cstr` | ptr |", "| 47 | dlopen | `path: cstr, flags: uint` | ptr |");
    edit("abi/p3.md", "| st_size | 28 | 4 | i32 |", "| st_size | 28 | 8 | i64 |");
    edit("abi/k2.md", "| brk | 30 | brk | `addr: ptr<u8>` | ptr |", "| brk | 30 | brk | `addr: ptr<u8>` | int |");
    // The validator rejects these edits; the diff still describes them.
    const { spec: edited } = loadSpec(dir, "spec");
    const p = diffAbis(edited, "p2", "p3");
    expect(p.calls.renumbered).toEqual([expect.objectContaining({ id: "dlopen", from: 45, to: 47 })]);
    expect(p.calls.changed).toEqual([expect.objectContaining({ id: "dlopen", aspects: ["args"] })]);
    const stat = p.structs.changed.find((s) => s.name === "stat")!;
    expect(stat.fields).toEqual([{ field: "st_size", kinds: ["resized", "retyped"], from: { offset: 28, size: 4, type: "i32" }, to: { offset: 28, size: 8, type: "i64" } }]);
    const k = diffAbis(edited, "k1", "k2");
    expect(k.calls.changed).toEqual([expect.objectContaining({ id: "brk", aspects: ["ret"] })]);
    expect(route(k, "p1.brk")!.causes).toEqual(["call.renumbered:brk", "call.changed:brk"]);
  });

  it("diffStruct reports size and alignment", () => {
    const f = (name: string, offset: number, size: number, type: string) => ({ name, offset, size, type, src: "x:1" });
    const a = { name: "s", size: 8, align: 4, fields: [f("a", 0, 4, "u32"), f("b", 4, 4, "u32")], src: "x:1" };
    const b = { name: "s", size: 16, align: 8, fields: [f("b", 0, 8, "u64"), f("c", 8, 4, "u32")], src: "y:1" };
    expect(diffStruct(a, b)).toEqual({
      name: "s",
      size: { from: 8, to: 16 },
      align: { from: 4, to: 8 },
      fields: [
        { field: "a", kinds: ["removed"], from: { offset: 0, size: 4, type: "u32" }, to: null },
        { field: "b", kinds: ["moved", "resized", "retyped"], from: { offset: 4, size: 4, type: "u32" }, to: { offset: 0, size: 8, type: "u64" } },
        { field: "c", kinds: ["added"], from: null, to: { offset: 8, size: 4, type: "u32" } },
      ],
      srcFrom: "x:1",
      srcTo: "y:1",
    });
    expect(diffStruct(a, a)).toBeNull();
  });
});
