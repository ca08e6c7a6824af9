// Error numbers: the values are the spec's errno table (spec/errors.md), never restated here.
import { errno } from "../../generated/index.ts";

export const {
  EPERM,
  ENOENT,
  ESRCH,
  EINTR,
  EIO,
  ENXIO,
  E2BIG,
  ENOEXEC,
  EBADF,
  ECHILD,
  EAGAIN,
  ENOMEM,
  EACCES,
  EFAULT,
  EBUSY,
  EEXIST,
  EXDEV,
  ENODEV,
  ENOTDIR,
  EISDIR,
  EINVAL,
  ENFILE,
  EMFILE,
  ENOTTY,
  EFBIG,
  ENOSPC,
  ESPIPE,
  EROFS,
  EMLINK,
  EPIPE,
  ERANGE,
  EDEADLK,
  ENAMETOOLONG,
  ENOSYS,
  ENOTEMPTY,
  ELOOP,
  EOVERFLOW,
  ETIMEDOUT,
} = errno;

/** Thrown inside the kernel to abort a syscall with -errno (caught by the dispatcher). */
export class Errno extends Error {
  declare readonly errno: number;
  constructor(errno: number) {
    // An errno is a result, not a bug: one shared, stackless instance per number. Capturing a
    // stack for each (with source maps) cost ~10 µs, which let a loop of failing calls outrun the
    // budget's charge (spec/limits.md).
    const cached = made.get(errno);
    if (cached) return cached;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`errno ${errno}`);
    Error.stackTraceLimit = limit;
    Object.defineProperty(this, "errno", { value: errno, enumerable: true });
    made.set(errno, this);
  }
}
const made = new Map<number, Errno>();
