// Clocks: clock_gettime64 and clock_nanosleep_time64. Time is derived from retired instructions
// (deterministic); a sleep with nothing else to run skips the clock ahead.
import { constants } from "../../../generated/index.ts";
import { Errno, EINVAL, EINTR } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import type { Thread } from "../process.ts";
import type { Handler } from "./types.ts";

const { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE } = constants.time;
const { CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME, CLOCK_TAI, TIMER_ABSTIME } = constants.time;
const NS = 1_000_000_000n;
/** The largest clock value, 2^63 - 1 ns (Linux's KTIME_MAX): longer sleeps end there (spec/limits.md). */
export const KTIME_MAX = (1n << 63n) - 1n;
const clamp = (ns: bigint): bigint => (ns > KTIME_MAX ? KTIME_MAX : ns);

export function clockNs(k: Kernel, t: Thread, clock: number): bigint {
  switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_TAI:
      return k.realtimeNs();
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
      return k.monotonicNs();
    case CLOCK_PROCESS_CPUTIME_ID:
      return BigInt(t.proc.insns + Number(t.cpu.instret) - t.lastInstret);
    case CLOCK_THREAD_CPUTIME_ID:
      return BigInt(Number(t.cpu.instret));
    default:
      throw new Errno(EINVAL);
  }
}

function writeTimespec(k: Kernel, t: Thread, addr: number, ns: bigint): void {
  k.writeStruct(t, "timespec64", addr, { tv_sec: ns / NS, tv_nsec: ns % NS });
}

function readTimespec(k: Kernel, t: Thread, addr: number): bigint {
  const v = k.readStruct(t, "timespec64", addr);
  const sec = BigInt(v["tv_sec"] ?? 0);
  // rv32 compat: only the low 32 bits of tv_nsec count.
  const nsec = BigInt(BigInt.asIntN(32, BigInt(v["tv_nsec"] ?? 0)));
  if (sec < 0n || nsec < 0n || nsec >= NS) throw new Errno(EINVAL);
  return sec * NS + nsec;
}

const clock_gettime64: Handler = ({ k, t }, clock, tp) => {
  writeTimespec(k, t, tp, clockNs(k, t, clock));
  return 0;
};

const clock_nanosleep_time64: Handler = ({ k, t }, clock, flags, req, rem) => {
  if (clock === CLOCK_PROCESS_CPUTIME_ID || clock === CLOCK_THREAD_CPUTIME_ID) throw new Errno(EINVAL);
  const start = clockNs(k, t, clock);
  const dur = readTimespec(k, t, req);
  const target = clamp(flags & TIMER_ABSTIME ? dur : start + dur);
  // Deadlines are kept on the monotonic clock, which the idle skip advances; none lies past
  // KTIME_MAX, so the clocks never wrap.
  const deadline = clamp(k.monotonicNs() + (target > start ? target - start : 0n));
  if (k.monotonicNs() >= deadline) return 0;
  return {
    deadline,
    noRestart: true, // a sleep interrupted by a handler returns EINTR, SA_RESTART or not (Linux)
    poll: () => (k.monotonicNs() >= deadline ? 0 : undefined),
    interrupt: () => {
      if (!(flags & TIMER_ABSTIME) && rem) {
        const left = deadline - k.monotonicNs();
        try {
          writeTimespec(k, t, rem, left > 0n ? left : 0n);
        } catch {
          /* EFAULT on rem is not reported once interrupted */
        }
      }
      return -EINTR;
    },
  };
};

export const timeHandlers: Record<string, Handler> = { clock_gettime64, clock_nanosleep_time64 };
