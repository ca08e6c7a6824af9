// Calls that exist for the layer: ring_enter (the message ring, k3) and sigdeliver (the end of a
// critical section, k2 and later).
import type { MessageRow, SyscallRow } from "../../../gen/types.ts";
import { isSignedType } from "../dispatch.ts";
import { constants } from "../../../generated/index.ts";
import { Errno, EFAULT, EINVAL, EINTR, ENOSYS } from "../errno.ts";
import { areasOf, clearPending, fieldOf, ringLayout } from "../layered.ts";
import type { Kernel } from "../kernel.ts";
import type { Blocked, Thread } from "../process.ts";
import { NORETURN, type Ctx, type Handler, type SyscallResult } from "./types.ts";

const { RING_ENTRIES } = constants.ring;

/** Reads and writes one ring's counters and entries; offsets are the kernel's own, never the guest's. */
class RingView {
  private readonly sqOffset: number;
  private readonly cqOffset: number;
  constructor(
    private readonly k: Kernel,
    private readonly t: Thread,
    private readonly base: number,
    private readonly layout: NonNullable<ReturnType<typeof ringLayout>>,
  ) {
    this.sqOffset = Math.ceil(layout.ring.size / 32) * 32;
    this.cqOffset = this.sqOffset + RING_ENTRIES * layout.sqe.size;
  }
  get(f: string): number {
    return this.k.readU32(this.t, this.base + fieldOf(this.layout.ring, f));
  }
  set(f: string, v: number): void {
    this.k.writeU32(this.t, this.base + fieldOf(this.layout.ring, f), v >>> 0);
  }
  /** The submission at counter value `n`: opcode, user_data, six argument words. */
  sqe(n: number): { opcode: number; userData: number; args: number[] } {
    const at = this.base + this.sqOffset + (n & (RING_ENTRIES - 1)) * this.layout.sqe.size;
    const b = this.k.copyIn(this.t, at, this.layout.sqe.size);
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const args = fieldOf(this.layout.sqe, "args");
    return {
      opcode: dv.getUint16(fieldOf(this.layout.sqe, "opcode"), true),
      userData: dv.getUint32(fieldOf(this.layout.sqe, "user_data"), true),
      args: [0, 1, 2, 3, 4, 5].map((i) => dv.getUint32(args + 4 * i, true)),
    };
  }
  postCqe(userData: number, result: number): void {
    const tail = this.get("cq_tail");
    const at = this.base + this.cqOffset + (tail & (RING_ENTRIES - 1)) * this.layout.cqe.size;
    this.k.writeU32(this.t, at + fieldOf(this.layout.cqe, "user_data"), userData >>> 0);
    this.k.writeU32(this.t, at + fieldOf(this.layout.cqe, "result"), result >>> 0);
    this.set("cq_tail", tail + 1);
  }
}

function callMessage(ctx: Ctx, row: MessageRow, raw: number[]): SyscallResult {
  const fn: Handler | undefined = ctx.k.handlers[row.handler];
  if (!fn) return -ENOSYS;
  const args = row.args.map((a, i) => (isSignedType(a.type) ? raw[i]! | 0 : raw[i]! >>> 0));
  const asRow: SyscallRow = { ...row, nr: -1, removed: null };
  try {
    return fn({ ...ctx, row: asRow }, ...args);
  } catch (e) {
    if (e instanceof Errno) return -e.errno;
    throw e;
  }
}

/**
 * ring_enter(to_submit, min_complete): run up to `to_submit` queued messages in order, post their
 * completions, and return the number consumed once `min_complete` completions are waiting. A
 * message that has to wait (a read from an empty pipe) makes the whole call wait.
 */
const ring_enter: Handler = (ctx, toSubmit, minComplete) => {
  const { k, t } = ctx;
  const areas = areasOf(t);
  const layout = ringLayout(k);
  if (!areas?.ring || !layout) throw new Errno(EINVAL);
  if (toSubmit > RING_ENTRIES || minComplete > RING_ENTRIES) throw new Errno(EINVAL);
  const ring = new RingView(k, t, areas.ring, layout);
  let consumed = 0;
  let waiting: { block: Blocked; userData: number } | null = null;

  const step = (): number | undefined => {
    for (;;) {
      if (waiting) {
        const r = waiting.block.poll();
        if (r === undefined) return undefined;
        ring.postCqe(waiting.userData, r);
        waiting = null;
        consumed++;
      }
      const head = ring.get("sq_head");
      if (consumed >= toSubmit || head === ring.get("sq_tail")) break;
      const sqe = ring.sqe(head);
      ring.set("sq_head", head + 1);
      const row = k.dispatch.messages.find((m) => m.opcode === sqe.opcode);
      const r = row ? callMessage(ctx, row, sqe.args) : -EINVAL;
      if (typeof r === "number") {
        ring.postCqe(sqe.userData, r);
        consumed++;
      } else if (r === NORETURN) {
        ring.postCqe(sqe.userData, -EINVAL);
        consumed++;
      } else {
        waiting = { block: r, userData: sqe.userData };
      }
    }
    // spec/ring.md: return once at least min_complete completions wait to be reaped; until then
    // the call waits (new submissions on the ring are taken as it polls; a signal ends the wait).
    const ready = (ring.get("cq_tail") - ring.get("cq_head")) >>> 0;
    return ready >= minComplete ? consumed : undefined;
  };
  const r = step();
  if (r !== undefined) return r;
  return {
    poll: step,
    interrupt: () => {
      const inner = waiting?.block.interrupt?.() ?? -EINTR;
      if (waiting) {
        ring.postCqe(waiting.userData, inner);
        waiting = null;
        consumed++;
      }
      return consumed > 0 ? consumed : -EINTR;
    },
  };
};

/** sigdeliver: the layer left its critical section and saw the pending flag; deliver now. */
const sigdeliver: Handler = ({ k, t }) => {
  // The guest may have unmapped its shared page: that is its fault (EFAULT), not a host error.
  const a = areasOf(t);
  if (a?.record && !t.proc.vm.mem.permsAt(a.record)) throw new Errno(EFAULT);
  clearPending(k, t);
  return 0;
};

export const layerHandlers: Readonly<Record<string, Handler>> = { ring_enter, sigdeliver };
