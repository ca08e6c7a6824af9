// Resolves the model into what abi.json, the site and the validator show: structure layouts
// (gen/layout.ts) and, for every (program ABI, kernel ABI) pair, how each slot is realised. The
// route rules are gen/abi-load.ts's (the same code derives generated/index.ts's realisations);
// here each realisation gets the spec line of the row that decided it, and a slot with no route
// is reported.
import { effectiveRealise as effectiveRows, realisePair } from "./abi-load.ts";
import type { AbiSlotRealisation } from "./types.ts";
import { specData } from "./data.ts";
import { srcOf, type Reporter } from "./diagnostics.ts";
import { kernelById } from "./layout.ts";
import type { KernelAbi, ProgramAbi, Realise, Spec } from "./model.ts";

export { kernelById, layoutOf, layoutsOf, scopeChain, structScope } from "./layout.ts";

export type Realisation = AbiSlotRealisation;

/** The realise rows that apply to kernel `k` (gen/abi-load.ts effectiveRealise), by slot. */
export function effectiveRealise(spec: Spec, k: KernelAbi): Map<string, Realise> {
  const rows = effectiveRows<Realise>(k, (v) => kernelById(spec, v));
  return new Map([...rows].map(([slot, { row }]) => [slot, row]));
}

/** The spec line of the row a stable id names (`k3.realise.read`, `k3.msg.read`, `k2.openat`). */
function lineOf(spec: Spec, by: string): string {
  const [version, ...rest] = by.split(".");
  const k = kernelById(spec, version!);
  if (!k) return by;
  const at =
    rest[0] === "realise" ? k.realise.find((r) => r.slot === rest[1])?.at : rest[0] === "msg" ? k.messages.find((m) => m.id === rest[1])?.at : k.syscalls.find((s) => s.id === rest[0])?.at;
  return at ? srcOf(at) : by;
}

/** How kernel `k` realises every slot of program `p`; a slot with no route is reported [no-route]. */
export function realise(spec: Spec, p: ProgramAbi, k: KernelAbi, report: Reporter | null): Realisation[] {
  const data = specData(spec);
  const kd = data.kernels.find((x) => x.version === k.version);
  const base = data.programs.find((x) => x.version === p.version);
  if (!kd || !base) return [];
  // `p` may be a view of its version with fewer slots (the validator leaves out changed published ones).
  const pd = { ...base, slots: p.slots.map((s) => ({ slot: s.slot, id: s.id, args: s.args, ret: s.ret, errors: s.errors, since: s.since })) };
  const slots = realisePair(data, pd, kd, (slot) => {
    const at = p.slots.find((s) => s.id === slot.id)?.at;
    report?.error(k.cellAt.version ?? k.at, "no-route", `slot ${p.version}.${slot.id} (${p.file}:${at?.line ?? 0}) has no route on ${k.version}: no call or message \`${slot.id}\` and no realise row for it`);
  });
  return slots.map((s) => ({ ...s, src: lineOf(spec, s.by) }));
}
