// Descriptor I/O: read/write/readv/writev/llseek/close/dup/dup3/fcntl64/pipe2.
import { constants } from "../../../generated/index.ts";
import { Errno, EAGAIN, EBADF, EFAULT, EINVAL, EISDIR, EPIPE, ESPIPE } from "../errno.ts";
import { OpenFile, O_APPEND, O_CLOEXEC, O_NONBLOCK, O_RDONLY, O_WRONLY, Pipe, SETFL_MASK, O_ACCMODE } from "../fd.ts";
import type { Kernel } from "../kernel.ts";
import type { Thread } from "../process.ts";
import { SIGPIPE } from "../signals.ts";
import { MAX_IO, now, randomBytes } from "./util.ts";
import { closeLocks, fcntlLock } from "./record-locks.ts";
import type { Inode } from "../vfs.ts";

/** /dev/null reads end of file, /dev/zero zeros, /dev/urandom and /dev/random the kernel's seeded random bytes. */
function deviceRead(k: Kernel, node: Inode, max: number): Uint8Array {
  const n = Math.min(max, 1 << 20);
  switch (node.device) {
    case "null": return new Uint8Array(0);
    case "zero": return new Uint8Array(n);
    case "random": return randomBytes(k, n);
  }
}
import type { Ctx, Handler } from "./types.ts";


/** Reads up to `max` bytes from an open file; "block" when a pipe is empty but has writers. */
export function readFrom(k: Kernel, f: OpenFile, max: number): Uint8Array | "block" {
  if (!f.readable) throw new Errno(EBADF);
  switch (f.kind) {
    case "host":
      return f.hostFd === 0 ? k.stdio.read(max) : new Uint8Array(0);
    case "dir":
      throw new Errno(EISDIR);
    case "dev":
      return deviceRead(k, f.inode!, max);
    case "file": {
      const data = k.vfs.readAt(f.inode!, f.offset, max);
      f.offset += data.length;
      return data;
    }
    case "pipe": {
      const p = f.pipe!;
      if (p.length > 0) return p.read(max);
      if (p.writers === 0 || max === 0) return new Uint8Array(0);
      if (f.flags & O_NONBLOCK) throw new Errno(EAGAIN);
      return "block";
    }
  }
}

/** Writes bytes; a full pipe blocks (or EAGAIN), a pipe without readers raises SIGPIPE and EPIPE. */
export function writeTo(k: Kernel, t: Thread, f: OpenFile, bytes: Uint8Array): number | "block" {
  if (!f.writable) throw new Errno(EBADF);
  switch (f.kind) {
    case "host":
      if (!k.stdio.write(f.hostFd, bytes)) {
        // The host stream is gone (e.g. `kiln run … | head`): like a pipe without readers.
        k.sendSignal(t.proc, t, SIGPIPE, { signo: SIGPIPE, code: 0 });
        throw new Errno(EPIPE);
      }
      return bytes.length;
    case "dir":
      throw new Errno(EISDIR);
    case "dev":
      return bytes.length; // every device kiln has swallows writes
    case "file": {
      if (f.flags & O_APPEND) f.offset = f.inode!.size;
      const n = k.vfs.writeAt(f.inode!, f.offset, bytes);
      f.offset += n;
      return n;
    }
    case "pipe": {
      const p = f.pipe!;
      if (p.readers === 0) {
        k.sendSignal(t.proc, t, SIGPIPE, { signo: SIGPIPE, code: 0 });
        throw new Errno(EPIPE);
      }
      if (bytes.length === 0) return 0;
      if (p.space === 0) {
        if (f.flags & O_NONBLOCK) throw new Errno(EAGAIN);
        return "block";
      }
      return p.write(bytes);
    }
  }
}

/** Checks that [addr, addr+len) is writable by the guest before consuming input for it. */
function checkWritable(k: Kernel, t: Thread, addr: number, len: number): void {
  if (len === 0) return;
  const mem = t.proc.vm.mem;
  if (mem.isRangeMapped(addr, len, 2)) return;
  if (t.proc.vm.growStack(addr, len) && mem.isRangeMapped(addr, len, 2)) return;
  void k;
  throw new Errno(EFAULT);
}

const read: Handler = ({ k, t, p }, fd, buf, count) => {
  const f = p.fds.get(fd);
  const n = Math.min(count, MAX_IO);
  checkWritable(k, t, buf, n);
  return now(() => {
    const data = readFrom(k, f, n);
    if (data === "block") return "block";
    k.copyOut(t, buf, data);
    return data.length;
  });
};

const write: Handler = ({ k, t, p }, fd, buf, count) => {
  const f = p.fds.get(fd);
  const bytes = k.copyIn(t, buf, Math.min(count, MAX_IO));
  return now(() => writeTo(k, t, f, bytes));
};

interface Iov { base: number; len: number }

function readIovecs(ctx: Ctx, iov: number, cnt: number): Iov[] {
  if (cnt < 0 || cnt > 1024) throw new Errno(EINVAL);
  const layout = ctx.k.struct("iovec");
  const out: Iov[] = [];
  let total = 0;
  for (let i = 0; i < cnt; i++) {
    const v = ctx.k.readStruct(ctx.t, "iovec", iov + i * layout.size);
    const len = Number(v["iov_len"] ?? 0);
    total += len;
    if (total > 0x7fffffff) throw new Errno(EINVAL);
    out.push({ base: Number(v["iov_base"] ?? 0), len });
  }
  return out;
}

const readv: Handler = (ctx, fd, iov, cnt) => {
  const { k, t, p } = ctx;
  const f = p.fds.get(fd);
  const iovs = readIovecs(ctx, iov, cnt);
  let want = 0;
  for (const v of iovs) {
    checkWritable(k, t, v.base, Math.min(v.len, MAX_IO));
    want += v.len;
  }
  want = Math.min(want, MAX_IO);
  return now(() => {
    const data = readFrom(k, f, want);
    if (data === "block") return "block";
    let off = 0;
    for (const v of iovs) {
      if (off >= data.length) break;
      const part = data.subarray(off, off + v.len);
      k.copyOut(t, v.base, part);
      off += part.length;
    }
    return data.length;
  });
};

const writev: Handler = (ctx, fd, iov, cnt) => {
  const { k, t, p } = ctx;
  const f = p.fds.get(fd);
  const iovs = readIovecs(ctx, iov, cnt);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const v of iovs) {
    if (total >= MAX_IO) break;
    const n = Math.min(v.len, MAX_IO - total);
    if (n === 0) continue;
    parts.push(k.copyIn(t, v.base, n));
    total += n;
  }
  const bytes = Buffer.concat(parts);
  return now(() => writeTo(k, t, f, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)));
};

const llseek: Handler = ({ k, t, p }, fd, hi, lo, result, whence) => {
  const f = p.fds.get(fd);
  if (f.kind === "pipe" || f.kind === "host") throw new Errno(ESPIPE);
  const off = BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
  let base: bigint;
  switch (whence) {
    case 0: base = 0n; break;
    case 1: base = BigInt(f.offset); break;
    case 2: base = BigInt(f.inode!.kind === "file" ? f.inode!.size : 0); break;
    default: throw new Errno(EINVAL);
  }
  const pos = base + off;
  if (pos < 0n || pos > BigInt(Number.MAX_SAFE_INTEGER)) throw new Errno(EINVAL);
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, pos, true);
  k.copyOut(t, result, b);
  f.offset = Number(pos);
  return 0;
};

const close: Handler = ({ k, p }, fd) => {
  const f = p.fds.get(fd);
  p.fds.close(fd);
  closeLocks(k, p, f);
  return 0;
};

const dup: Handler = ({ p }, fd) => p.fds.alloc(p.fds.get(fd));

const dup3: Handler = ({ p }, oldfd, newfd, flags) => {
  if (flags & ~O_CLOEXEC) throw new Errno(EINVAL);
  const f = p.fds.get(oldfd);
  if (oldfd === newfd) throw new Errno(EINVAL);
  p.fds.install(newfd, f, (flags & O_CLOEXEC) !== 0);
  return newfd;
};

const { F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL, FD_CLOEXEC, O_DIRECT } = constants.files;
const { F_DUPFD_CLOEXEC } = constants.locks;

const fcntl64: Handler = (ctx, fd, cmd, arg) => {
  const { p } = ctx;
  const f = p.fds.get(fd);
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
      if (arg >= p.fds.max) throw new Errno(EINVAL);
      return p.fds.alloc(f, cmd === F_DUPFD_CLOEXEC, arg);
    case F_GETFD:
      return p.fds.getCloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
      p.fds.setCloexec(fd, (arg & FD_CLOEXEC) !== 0);
      return 0;
    case F_GETFL:
      return f.flags & ~O_CLOEXEC;
    case F_SETFL:
      f.flags = (f.flags & ~SETFL_MASK) | (arg & SETFL_MASK);
      return 0;
    default:
      return fcntlLock(ctx, f, cmd, arg);
  }
};

let pipeIno = 0x4000_0000;

const pipe2: Handler = ({ k, t, p }, fdsPtr, flags) => {
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) throw new Errno(EINVAL);
  const pipe = new Pipe(pipeIno++, k.pipeAccount);
  const extra = flags & O_NONBLOCK;
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const r = p.fds.alloc(new OpenFile("pipe", O_RDONLY | extra, null, pipe), cloexec);
  let w: number;
  try {
    w = p.fds.alloc(new OpenFile("pipe", O_WRONLY | extra, null, pipe), cloexec);
  } catch (e) {
    p.fds.close(r);
    throw e;
  }
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, r, true);
  dv.setInt32(4, w, true);
  try {
    k.copyOut(t, fdsPtr, b);
  } catch (e) {
    p.fds.close(r);
    p.fds.close(w);
    throw e;
  }
  return 0;
};

void O_ACCMODE;
export const ioHandlers: Record<string, Handler> = { read, write, readv, writev, llseek, close, dup, dup3, fcntl64, pipe2 };
