// Helpers shared by handlers.
import { Errno } from "../errno.ts";
import type { Blocked } from "../process.ts";
import type { Kernel } from "../kernel.ts";

const rngState = new WeakMap<Kernel, { x: number }>();

/** Deterministic random bytes (getrandom, /dev/urandom): xorshift32 from the kernel's seed, so runs repeat. */
export function randomBytes(k: Kernel, n: number): Uint8Array {
  let st = rngState.get(k);
  if (!st) rngState.set(k, (st = { x: ((k.opts.seed ?? 0x6b696c6e) ^ 0x5eed1234) >>> 0 || 1 }));
  const out = new Uint8Array(n);
  let x = st.x;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x >>> 24;
  }
  st.x = x;
  return out;
}

/** Largest transfer one read/write call performs (a short count is legal; keeps host buffers bounded). */
export const MAX_IO = 1 << 24;

/** A Blocked that re-runs `attempt` until it stops answering "block"; Errno becomes -errno. */
export function retry(attempt: () => number | "block", deadline?: bigint): Blocked {
  const b: Blocked = {
    poll() {
      try {
        const r = attempt();
        return r === "block" ? undefined : r;
      } catch (e) {
        if (e instanceof Errno) return -e.errno;
        throw e;
      }
    },
  };
  if (deadline !== undefined) b.deadline = deadline;
  return b;
}

/** Runs `attempt` once; blocks (retrying later) if it says so. */
export function now(attempt: () => number | "block"): number | Blocked {
  const r = attempt();
  return r === "block" ? retry(attempt) : r;
}
