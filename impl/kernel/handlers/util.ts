// Helpers shared by handlers.
import { Errno } from "../errno.ts";
import type { Blocked } from "../process.ts";

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
