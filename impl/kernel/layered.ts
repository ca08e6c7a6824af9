// The kernel's side of the layer (spec/loader.md, spec/tls.md, spec/shared-page.md, spec/ring.md):
// at exec it maps the layer chosen by the selection table into a layered program's stub section,
// and keeps, per address space, the hidden areas the program never gets a symbol for: each thread's
// TLS block, errno word, layer-private block and ring, and the process's shared page.
import { findAbiNote, ElfError } from "../elf/index.ts";
import { selection, constants, offsets, programs } from "../../generated/index.ts";
import type { StructLayout } from "../../gen/types.ts";
import { decodeImage, LayerError } from "../image/image.ts";
import { versionNumber } from "../../gen/model.ts";
import { LoadError } from "./loader.ts";
import type { Kernel, LoadContext, LoaderHook } from "./kernel.ts";
import { PAGE_SIZE, PERM_R, PERM_W, PERM_X, pageUp } from "./machine.ts";
import type { GuestMemory } from "./machine.ts";
import type { Thread } from "./process.ts";
import type { AddressSpace } from "./vm.ts";
import { Errno, EFAULT } from "./errno.ts";

/** A program ABI's TLS block (spec/tls.md): the kernel writes self, errno_ptr, layer and reserved. */
function tlsLayout(program: string): StructLayout {
  const s = programs[program as keyof typeof programs]?.structs["tls"];
  if (!s) throw new LayerError(`${program} defines no tls structure`);
  return s;
}

const LP = offsets.layer_private;
/**
 * Per-thread area: TLS block at 0, layer-private block at 64 (its `errno` field is the thread's
 * errno word, spec/tls.md); the ring follows.
 */
const AREA_TLS = 0;
const AREA_LP = 64;
const THREAD_AREA = PAGE_SIZE;
const { RING_ENTRIES } = constants.ring;
export { ringLayout, fieldOf };
const { SHARED_MAGIC } = constants.shared;
const TIMEBASE_HZ = 1_000_000_000;
/** Bytes after the stub region that programs keep free for the layer's code (spec/layer-image.md). */
const LAYER_RESERVE = constants.layer.LAYER_RESERVE;

export interface ThreadAreas {
  readonly base: number;
  readonly tls: number;
  readonly errno: number;
  readonly lp: number;
  /** The ring of this thread (k3), or 0. */
  readonly ring: number;
  /** This thread's record in the shared page, or 0. */
  readonly record: number;
  readonly slot: number;
}

/** What the kernel knows about the layer of one address space. */
export interface LayerMapping {
  readonly program: string;
  readonly kernel: string;
  readonly path: string;
  readonly stubAddr: number;
  readonly stubSize: number;
  readonly codeAddr: number;
  readonly codeSize: number;
  readonly sharedPage: number;
  readonly threads: Map<Thread | "first", ThreadAreas>;
  readonly freeSlots: number[];
}

const mappings = new WeakMap<AddressSpace, LayerMapping>();

export function layerOf(vm: AddressSpace): LayerMapping | undefined {
  return mappings.get(vm);
}

export function areasOf(t: Thread): ThreadAreas | undefined {
  return mappings.get(t.proc.vm)?.threads.get(t);
}

function sharedLayout(k: Kernel) {
  const name = k.dispatch.sharedPage;
  const s = name ? k.dispatch.structs[name] : undefined;
  const th = k.dispatch.structs.shared_thread;
  return s && th ? { page: s, thread: th } : null;
}

function ringLayout(k: Kernel) {
  const name = k.dispatch.ring;
  const r = name ? k.dispatch.structs[name] : undefined;
  const sqe = k.dispatch.structs.sqe;
  const cqe = k.dispatch.structs.cqe;
  return r && sqe && cqe ? { ring: r, sqe, cqe } : null;
}

const fieldOf = (s: { fields: readonly { name: string; offset: number }[] }, n: string): number => {
  const f = s.fields.find((x) => x.name === n);
  if (!f) throw new LayerError(`structure has no field ${n}`);
  return f.offset;
};

/** The loader hook: does nothing for a raw program; maps the layer for a layered one. */
export function layerLoaderHook(): LoaderHook {
  return (ctx: LoadContext) => {
    let note;
    try {
      note = findAbiNote(ctx.elf);
    } catch (e) {
      if (e instanceof ElfError) throw new LoadError(`bad kiln ABI note: ${e.message}`);
      throw e;
    }
    if (!note) return;
    const program = `p${note.programAbi}`;
    const kernel = ctx.kernel.dispatch.version;
    const sel = selection.find((s) => s.program === program && s.kernel === kernel);
    if (!sel) throw new LoadError(`no layer for program ABI ${program} on kernel ABI ${kernel}: the selection table (spec/loader.md) has no row for the pair`);
    checkStubRegion(ctx, note.stubAddr, note.stubSize);
    let bytes: Uint8Array;
    try {
      bytes = ctx.kernel.vfs.readFile(sel.path);
    } catch {
      throw new LoadError(`no layer for program ABI ${program} on kernel ABI ${kernel}: ${sel.path} is missing from the guest file system (build it with \`kiln build-layers\`)`);
    }
    let image;
    try {
      image = decodeImage(bytes);
    } catch (e) {
      throw new LoadError(`${sel.path}: ${(e as Error).message}`);
    }
    if (`p${image.programAbi}` !== program || `k${image.kernelAbi}` !== kernel) throw new LoadError(`${sel.path} is the layer for (p${image.programAbi}, k${image.kernelAbi}), not (${program}, ${kernel})`);
    if (image.stubs.length !== note.stubSize) throw new LoadError(`${program} program has a ${note.stubSize}-byte stub section, the layer's stub table is ${image.stubs.length} bytes`);

    const { vm, mem } = ctx;
    // The stub table over the program's BSS stub section, then the code right after it.
    const codeAddr = note.stubAddr + note.stubSize;
    const codeSize = pageUp(Math.max(image.code.length, 1));
    if (!vm.isFree(codeAddr, codeSize)) throw new LoadError(`the ${codeSize} bytes after the stub region (0x${codeAddr.toString(16)}) must be free for the layer's code`);
    vm.map(note.stubAddr, note.stubSize, PERM_R | PERM_X);
    mem.writeBytes(note.stubAddr, image.stubs, true);
    vm.map(codeAddr, codeSize, PERM_R | PERM_X);
    mem.writeBytes(codeAddr, image.code, true);
    // The layer's process-wide private data, zeroed, right after its code (spec/layer-image.md).
    const dataSize = pageUp(image.dataSize);
    if (dataSize > 0) {
      if (codeSize + dataSize > LAYER_RESERVE || !vm.isFree(codeAddr + codeSize, dataSize)) throw new LoadError(`${sel.path}: ${image.dataSize} bytes of layer data do not fit the ${LAYER_RESERVE}-byte reserve after the stub region`);
      vm.map(codeAddr + codeSize, dataSize, PERM_R | PERM_W);
    }
    // The heap (brk) would start right after the program's last segment, the stub region, where
    // the layer's code now is: start it past the layer's reserved window instead.
    const heapStart = codeAddr + Math.max(codeSize + dataSize, LAYER_RESERVE);
    if (vm.brkStart < heapStart) vm.brkStart = vm.brk = heapStart;

    const layout = sharedLayout(ctx.kernel);
    let sharedPage = 0;
    if (layout) {
      sharedPage = vm.findFree(PAGE_SIZE);
      vm.map(sharedPage, PAGE_SIZE, PERM_R | PERM_W);
      const w = (f: string, v: number, size = 4) => writeInt(mem, sharedPage + fieldOf(layout.page, f), v, size);
      w("magic", SHARED_MAGIC);
      w("version", versionNumber(kernel), 2);
      // header_size: the self-describing header (magic, version, header_size, size), spec/shared-page.md;
      // size: through the end of the last thread record.
      w("header_size", headerSize(layout.page), 2);
      w("size", pageUpTo(layout.page.size, 64) + SLOTS * layout.thread.size);
      w("timebase_hz", TIMEBASE_HZ);
      w("thread_offset", pageUpTo(layout.page.size, 64));
      // k3 and later: where a thread's ring is, from its layer-private block (spec/shared-page.md).
      if (layout.page.fields.some((f) => f.name === "ring_offset")) w("ring_offset", ringLayout(ctx.kernel) ? THREAD_AREA - AREA_LP : 0);
      w("thread_stride", layout.thread.size);
      w("thread_slots", SLOTS);
      const rt = ctx.kernel.realtimeNs() - ctx.kernel.monotonicNs();
      mem.writeBytes(sharedPage + fieldOf(layout.page, "realtime_offset_ns"), i64(rt), true);
    }
    const m: LayerMapping = {
      program,
      kernel,
      path: sel.path,
      stubAddr: note.stubAddr,
      stubSize: note.stubSize,
      codeAddr,
      codeSize,
      sharedPage,
      threads: new Map(),
      freeSlots: Array.from({ length: SLOTS }, (_, i) => i),
    };
    mappings.set(vm, m);
    if (layout) sharedThreadLayout.set(m, layout.thread.size);
    const areas = newThreadAreas(ctx.kernel, vm, m, AREA_TLS);
    m.threads.set("first", areas);
    ctx.cpu.regs[4] = areas.tls;
  };
}

const pageUpTo = (n: number, a: number) => Math.ceil(n / a) * a;
const SLOTS = constants.shared.SHARED_THREAD_SLOTS;
const HEADER_FIELDS = ["magic", "version", "header_size", "size"];
/** Bytes of the self-describing header: the end of its last field. */
const headerSize = (page: { fields: readonly { name: string; offset: number; size: number }[] }): number =>
  Math.max(...page.fields.filter((f) => HEADER_FIELDS.includes(f.name)).map((f) => f.offset + f.size));

function checkStubRegion(ctx: LoadContext, addr: number, size: number): void {
  const seg = ctx.elf.segments.find((s) => s.type === 1 && s.vaddr === addr && s.memsz >= size);
  if (!seg || seg.filesz !== 0 || (seg.flags & 2) === 0) {
    throw new LoadError(`the ABI note names a stub region at 0x${addr.toString(16)} (${size} bytes) that is not a writable PT_LOAD with no file bytes`);
  }
}

/** Allocates a thread's hidden areas; `tlsAt` = AREA_TLS puts its TLS block there too. */
function newThreadAreas(k: Kernel, vm: AddressSpace, m: LayerMapping, tlsAt: number | null, tlsAddr = 0): ThreadAreas {
  // clone(CLONE_SETTLS): the kernel writes the TLS header into the program's block, so the block
  // must be memory the program could write itself (never the R+X stub table), before anything is made.
  if (tlsAt === null && !vm.mem.isRangeMapped(tlsAddr >>> 0, tlsLayout(m.program).size, PERM_W)) throw new Errno(EFAULT);
  const ringSize = ringLayout(k) ? PAGE_SIZE : 0;
  const base = vm.findFree(THREAD_AREA + ringSize);
  vm.map(base, THREAD_AREA + ringSize, PERM_R | PERM_W);
  const mem = vm.mem;
  const slot = m.freeSlots.shift() ?? -1;
  const layout = sharedLayout(k);
  const record = layout && m.sharedPage && slot >= 0 ? m.sharedPage + pageUpTo(layout.page.size, 64) + slot * layout.thread.size : 0;
  const areas: ThreadAreas = {
    base,
    tls: tlsAt === null ? tlsAddr : base + tlsAt,
    errno: base + AREA_LP + LP.errno!,
    lp: base + AREA_LP,
    ring: ringSize ? base + THREAD_AREA : 0,
    record,
    slot,
  };
  writeTlsHeader(mem, areas, tlsLayout(m.program));
  writeInt(mem, areas.lp + LP.shared_page!, m.sharedPage);
  writeInt(mem, areas.lp + LP.shared_thread!, record);
  writeInt(mem, areas.lp + LP.ring!, areas.ring);
  if (areas.ring) initRing(k, mem, areas.ring);
  return areas;
}

function writeTlsHeader(mem: GuestMemory, a: ThreadAreas, tls: StructLayout): void {
  writeInt(mem, a.tls + fieldOf(tls, "self"), a.tls);
  writeInt(mem, a.tls + fieldOf(tls, "errno_ptr"), a.errno);
  writeInt(mem, a.tls + fieldOf(tls, "layer"), a.lp);
  writeInt(mem, a.tls + fieldOf(tls, "reserved"), 0);
}

function initRing(k: Kernel, mem: GuestMemory, ring: number): void {
  const { ring: r, sqe } = ringLayout(k)!;
  const sqOffset = pageUpTo(r.size, 32);
  const cqOffset = sqOffset + RING_ENTRIES * sqe.size;
  for (const [f, v] of [["sq_head", 0], ["sq_tail", 0], ["cq_head", 0], ["cq_tail", 0], ["sq_entries", RING_ENTRIES], ["cq_entries", RING_ENTRIES], ["sq_offset", sqOffset], ["cq_offset", cqOffset]] as const) {
    writeInt(mem, ring + fieldOf(r, f), v);
  }
}

/** A thread starts running a freshly loaded image (spawn or execve): record its pid and tid. */
export function imageStarted(k: Kernel, t: Thread): void {
  const m = mappings.get(t.proc.vm);
  if (!m) return;
  const first = m.threads.get("first");
  if (!first) return;
  m.threads.delete("first");
  m.threads.set(t, first);
  publishIds(k, t, m, first);
}

function publishIds(k: Kernel, t: Thread, m: LayerMapping, a: ThreadAreas): void {
  const layout = sharedLayout(k);
  if (!layout || !m.sharedPage) return;
  writeInt(t.proc.vm.mem, m.sharedPage + fieldOf(layout.page, "pid"), t.proc.pid);
  if (a.record) {
    writeInt(t.proc.vm.mem, a.record + fieldOf(layout.thread, "tid"), t.tid);
    writeInt(t.proc.vm.mem, a.record + fieldOf(layout.thread, "crit"), 0);
    writeInt(t.proc.vm.mem, a.record + fieldOf(layout.thread, "pending"), 0);
  }
}

const { CLONE_VM, CLONE_SETTLS } = constants.processes;

/** clone made `child` from `parent`: a forked address space keeps the layer; a thread gets its own areas. */
export function cloned(k: Kernel, parent: Thread, child: Thread, flags: number, tls: number): void {
  const pm = mappings.get(parent.proc.vm);
  if (!pm) return;
  const pa = pm.threads.get(parent);
  if (!(flags & CLONE_VM)) {
    // fork: the memory (hidden areas included) was copied; so is the bookkeeping.
    const cm: LayerMapping = { ...pm, threads: new Map(), freeSlots: [...pm.freeSlots] };
    mappings.set(child.proc.vm, cm);
    const ts = sharedThreadLayout.get(pm);
    if (ts !== undefined) sharedThreadLayout.set(cm, ts);
    if (pa) {
      cm.threads.set(child, pa);
      publishIds(k, child, cm, pa);
    }
    return;
  }
  if (child.proc.vm !== parent.proc.vm) return;
  const areas = newThreadAreas(k, child.proc.vm, pm, flags & CLONE_SETTLS ? null : AREA_TLS, tls);
  pm.threads.set(child, areas);
  if (!(flags & CLONE_SETTLS)) child.cpu.regs[4] = areas.tls;
  publishIds(k, child, pm, areas);
}

/** A thread ended: its hidden areas are unmapped (spec/limits.md) and its shared-page record can be reused. */
export function threadExited(t: Thread): void {
  const vm = t.proc.vm;
  const m = mappings.get(vm);
  const a = m?.threads.get(t);
  if (!m || !a) return;
  m.threads.delete(t);
  if (a.slot >= 0) {
    // A stale record must not say a later thread is inside a critical section.
    const layout = m.sharedPage ? sharedThreadLayout.get(m) : undefined;
    if (layout && a.record) vm.mem.writeBytes(a.record, new Uint8Array(layout), true);
    m.freeSlots.push(a.slot);
  }
  vm.unmap(a.base, THREAD_AREA + (a.ring ? PAGE_SIZE : 0));
}

/** Size of a shared-page thread record per mapping (to clear it when its thread ends). */
const sharedThreadLayout = new WeakMap<LayerMapping, number>();

/**
 * The critical-section interlock: true when `t` is inside a critical section, in which case the
 * thread's pending flag is set and asynchronous signals wait for sigdeliver.
 */
export function deferSignals(k: Kernel, t: Thread): boolean {
  const a = areasOf(t);
  const layout = sharedLayout(k);
  if (!a || !a.record || !layout) return false;
  const mem = t.proc.vm.mem;
  const word = mem.readBytes(a.record + fieldOf(layout.thread, "crit"), 4);
  if (!word || (word[0]! | word[1]! | word[2]! | word[3]!) === 0) return false;
  writeInt(mem, a.record + fieldOf(layout.thread, "pending"), 1);
  return true;
}

/** sigdeliver: clear the pending flag so the kernel delivers what it deferred. */
export function clearPending(k: Kernel, t: Thread): void {
  const a = areasOf(t);
  const layout = sharedLayout(k);
  if (a?.record && layout) writeInt(t.proc.vm.mem, a.record + fieldOf(layout.thread, "pending"), 0);
}

function writeInt(mem: GuestMemory, addr: number, v: number, size = 4): void {
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  if (size === 2) dv.setUint16(0, v & 0xffff, true);
  else dv.setUint32(0, v >>> 0, true);
  if (!mem.writeBytes(addr, b, true)) throw new Error(`kernel: cannot write layer data at 0x${addr.toString(16)}`);
}

function i64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, v, true);
  return b;
}
