// futex_time64: WAIT/WAKE (and the BITSET and REQUEUE forms) keyed by (address space, address).
import { constants } from "../../../generated/index.ts";
import { Errno, EAGAIN, EFAULT, EINVAL, ENOSYS, ETIMEDOUT, EINTR } from "../errno.ts";
import { KTIME_MAX } from "./time.ts";
import type { Handler } from "./types.ts";

const { FUTEX_WAIT, FUTEX_WAKE, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE, FUTEX_WAIT_BITSET, FUTEX_WAKE_BITSET, FUTEX_PRIVATE_FLAG, FUTEX_CLOCK_REALTIME } = constants.processes;
const NS = 1_000_000_000n;

const futex_time64: Handler = ({ k, t, p }, uaddr, op, val, timeout, uaddr2, val3) => {
  const cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
  if (uaddr % 4) throw new Errno(EINVAL);
  const mem = p.vm.mem;
  // A shared (not FUTEX_PRIVATE) futex is keyed by the page behind the address, as on Linux: an
  // unmapped address is EFAULT for every operation; a private one is keyed by the address alone.
  const shared = (op & FUTEX_PRIVATE_FLAG) === 0;
  if (shared && cmd !== FUTEX_WAIT && cmd !== FUTEX_WAIT_BITSET && mem.readBytes(uaddr, 4) === null) throw new Errno(EFAULT);
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      const bitset = cmd === FUTEX_WAIT ? 0xffffffff : val3 >>> 0;
      if (bitset === 0) throw new Errno(EINVAL);
      const cur = k.readU32(t, uaddr);
      if (cur !== val >>> 0) throw new Errno(EAGAIN);
      let deadline: bigint | undefined;
      if (timeout) {
        const v = k.readStruct(t, "timespec64", timeout);
        const sec = BigInt(v["tv_sec"] ?? 0);
        const nsec = BigInt(BigInt.asIntN(32, BigInt(v["tv_nsec"] ?? 0)));
        if (sec < 0n || nsec < 0n || nsec >= NS) throw new Errno(EINVAL);
        const ns = sec * NS + nsec;
        if (cmd === FUTEX_WAIT) deadline = k.monotonicNs() + ns;
        else {
          // Absolute, on CLOCK_MONOTONIC or (with FUTEX_CLOCK_REALTIME) CLOCK_REALTIME.
          const nowNs = op & FUTEX_CLOCK_REALTIME ? k.realtimeNs() : k.monotonicNs();
          deadline = k.monotonicNs() + (ns > nowNs ? ns - nowNs : 0n);
        }
        if (deadline > KTIME_MAX) deadline = KTIME_MAX;
      }
      const w = k.futexWait(t, uaddr, bitset);
      const b = {
        poll: (): number | undefined => {
          if (w.woken) return 0;
          if (deadline !== undefined && k.monotonicNs() >= deadline) {
            k.cancelFutex(t);
            return -ETIMEDOUT;
          }
          return undefined;
        },
        interrupt: () => -EINTR,
      };
      return deadline !== undefined ? { ...b, deadline } : b;
    }
    case FUTEX_WAKE:
      return k.futexWake(mem, uaddr, Math.min(val >>> 0, 0x7fffffff), 0xffffffff);
    case FUTEX_WAKE_BITSET:
      if (val3 === 0) throw new Errno(EINVAL);
      return k.futexWake(mem, uaddr, Math.min(val >>> 0, 0x7fffffff), val3 >>> 0);
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
      if (uaddr2 % 4) throw new Errno(EINVAL);
      if (cmd === FUTEX_CMP_REQUEUE && k.readU32(t, uaddr) !== val3 >>> 0) throw new Errno(EAGAIN);
      // val2 travels in the timeout argument for requeue.
      return k.futexRequeue(mem, uaddr, uaddr2, Math.min(val >>> 0, 0x7fffffff), Math.min(timeout >>> 0, 0x7fffffff));
    }
    default:
      throw new Errno(ENOSYS);
  }
};

export const futexHandlers: Record<string, Handler> = { futex_time64 };
