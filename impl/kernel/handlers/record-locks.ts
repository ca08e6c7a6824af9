// fcntl64's record locks (F_GETLK, F_SETLK, F_SETLKW and the OFD forms) and their release on close:
// called by io.ts's fcntl64 and close. A module of its own so io.ts and linux-fs.ts need not import
// each other. Flag values come from the spec's constant tables (generated/index.ts).
import { constants } from "../../../generated/index.ts";
import { Errno, EAGAIN, EBADF, EDEADLK, EINTR, EINVAL } from "../errno.ts";
import type { OpenFile } from "../fd.ts";
import type { Kernel } from "../kernel.ts";
import { TO_EOF, conflict, releaseProcess, setLock, setWaiting, wouldDeadlock } from "../locks.ts";
import type { LockOwner } from "../locks.ts";
import type { Process } from "../process.ts";
import type { Ctx, Handler } from "./types.ts";
import { now } from "./util.ts";

const { SEEK_SET, SEEK_CUR, SEEK_END } = constants.files;
const { F_GETLK, F_SETLK, F_SETLKW, F_GETLK64, F_SETLK64, F_SETLKW64, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW } = constants.locks;
const { F_RDLCK, F_WRLCK, F_UNLCK } = constants.locks;

/** fcntl64's lock commands; anything else is EINVAL. Called by io.ts's fcntl64. */
export function fcntlLock(ctx: Ctx, f: OpenFile, cmd: number, arg: number): number | ReturnType<Handler> {
  const { k, t, p } = ctx;
  const get = cmd === F_GETLK || cmd === F_GETLK64 || cmd === F_OFD_GETLK;
  const wait = cmd === F_SETLKW || cmd === F_SETLKW64 || cmd === F_OFD_SETLKW;
  const set = wait || cmd === F_SETLK || cmd === F_SETLK64 || cmd === F_OFD_SETLK;
  if (!get && !set) throw new Errno(EINVAL);
  const ofd = cmd === F_OFD_GETLK || cmd === F_OFD_SETLK || cmd === F_OFD_SETLKW;
  const struct = cmd === F_GETLK || cmd === F_SETLK || cmd === F_SETLKW ? "flock" : "flock64";
  const v = k.readStruct(t, struct, arg);
  const type = Number(v["l_type"] ?? -1);
  const whence = Number(v["l_whence"] ?? -1);
  if (type !== F_RDLCK && type !== F_WRLCK && type !== F_UNLCK) throw new Errno(EINVAL);
  if (ofd && Number(v["l_pid"] ?? 0) !== 0) throw new Errno(EINVAL);
  if (f.kind !== "file" && f.kind !== "dir") throw new Errno(f.kind === "pipe" || f.kind === "host" ? EINVAL : EBADF);
  const node = f.inode!;
  let base: bigint;
  if (whence === SEEK_SET) base = 0n;
  else if (whence === SEEK_CUR) base = BigInt(f.offset);
  else if (whence === SEEK_END) base = BigInt(node.size);
  else throw new Errno(EINVAL);
  let start = base + BigInt(v["l_start"] ?? 0);
  const len = BigInt(v["l_len"] ?? 0);
  let end: bigint;
  if (len > 0n) end = start + len;
  else if (len === 0n) end = TO_EOF;
  else { end = start; start += len; }
  if (start < 0n) throw new Errno(EINVAL);
  const owner: LockOwner = ofd ? f : p;
  if (get) {
    if (type === F_UNLCK) throw new Errno(EINVAL);
    const c = conflict(k, node, owner, type === F_WRLCK, start, end);
    if (!c) k.writeStruct(t, struct, arg, { ...v, l_type: F_UNLCK });
    else k.writeStruct(t, struct, arg, {
      l_type: c.write ? F_WRLCK : F_RDLCK, l_whence: SEEK_SET, l_start: c.start,
      l_len: c.end === TO_EOF ? 0n : c.end - c.start, l_pid: c.pid,
    });
    return 0;
  }
  if (type === F_RDLCK && !f.readable) throw new Errno(EBADF);
  if (type === F_WRLCK && !f.writable) throw new Errno(EBADF);
  const write = type === F_UNLCK ? null : type === F_WRLCK;
  const attempt = (): number | "block" => {
    const c = write === null ? null : conflict(k, node, owner, write, start, end);
    if (!c) {
      setWaiting(k, owner, null);
      setLock(k, node, owner, ofd ? -1 : p.pid, write, start, end);
      return 0;
    }
    if (!wait) throw new Errno(EAGAIN);
    if (wouldDeadlock(k, owner, c.owner)) {
      setWaiting(k, owner, null);
      throw new Errno(EDEADLK);
    }
    setWaiting(k, owner, c.owner);
    return "block";
  };
  const r = now(attempt);
  if (typeof r === "number") return r;
  return { ...r, interrupt: () => { setWaiting(k, owner, null); return -EINTR; } };
}

/** Closing a descriptor releases the process's record locks on its file (POSIX). */
export function closeLocks(k: Kernel, p: Process, f: OpenFile): void {
  if (f.inode) releaseProcess(k, f.inode, p);
}
