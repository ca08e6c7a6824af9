// Linux file calls of k1 beyond the basic set (spec/linux.md): ioctl, links, modes, owners, times,
// truncation, positioned and vectored I/O, sendfile, access checks, statfs, syncs, and the record
// flock locks (the record locks are in record-locks.ts). Flag values come from the spec's constant tables (generated/index.ts).
import { constants } from "../../../generated/index.ts";
import { Errno, EACCES, EAGAIN, EBADF, EEXIST, EFBIG, EINVAL, EISDIR, ENOENT, ENOTDIR, ENOTTY, EPERM, ESPIPE } from "../errno.ts";
import { O_NONBLOCK } from "../fd.ts";
import type { OpenFile } from "../fd.ts";
import type { Kernel } from "../kernel.ts";
import { flockFree, flockSet } from "../locks.ts";
import type { Thread } from "../process.ts";
import { MAX_FILE_SIZE } from "../vfs.ts";
import type { Inode } from "../vfs.ts";
import { readFrom, writeTo } from "./io.ts";
import type { Ctx, Handler } from "./types.ts";
import { MAX_IO, now } from "./util.ts";

const { F_OK, X_OK, W_OK, R_OK, AT_SYMLINK_NOFOLLOW, AT_EACCESS, AT_SYMLINK_FOLLOW, UTIME_NOW, UTIME_OMIT, TMPFS_MAGIC } = constants.access;
const { AT_EMPTY_PATH, AT_FDCWD } = constants.files;
const { LOCK_SH, LOCK_EX, LOCK_NB, LOCK_UN } = constants.locks;
const { TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGPGRP, TIOCSPGRP, TIOCGWINSZ, TIOCSWINSZ, FIONREAD, FIONBIO, FIONCLEX, FIOCLEX } = constants.tty;
const NS = 1_000_000_000n;

/** A 64-bit argument passed as two registers (low word first, as rv32 Linux takes loff_t). */
export const off64 = (lo: number, hi: number): bigint => BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));

function str(k: Kernel, t: Thread, addr: number): string {
  return k.readString(t, addr);
}

/** The inode a (dirfd, path, flags) names: AT_EMPTY_PATH means dirfd's own file. */
function target(ctx: Ctx, dirfd: number, pathPtr: number, flags: number, follow: boolean): Inode {
  const { k, t, p } = ctx;
  const name = pathPtr === 0 ? "" : str(k, t, pathPtr);
  if (name.length === 0) {
    if (!(flags & AT_EMPTY_PATH) && pathPtr !== 0) throw new Errno(ENOENT);
    if (dirfd === AT_FDCWD) return p.cwd;
    const f = p.fds.get(dirfd);
    if (!f.inode) throw new Errno(EBADF);
    return f.inode;
  }
  return k.resolve(p, dirfd, name, follow);
}

// ---- ioctl

/** The terminal settings a host terminal was given (TCSETS), per kernel. */
const termiosOf = new WeakMap<Kernel, Uint8Array>();

const ioctl: Handler = (ctx, fd, cmd, arg) => {
  const { k, t, p } = ctx;
  const f = p.fds.get(fd);
  switch (cmd) {
    case FIOCLEX:
    case FIONCLEX:
      p.fds.setCloexec(fd, cmd === FIOCLEX);
      return 0;
    case FIONBIO:
      f.flags = k.readU32(t, arg) ? f.flags | O_NONBLOCK : f.flags & ~O_NONBLOCK;
      return 0;
    case FIONREAD: {
      let n = 0;
      if (f.kind === "pipe") n = f.pipe!.length;
      else if (f.kind === "file") n = Math.max(0, f.inode!.size - f.offset);
      else if (f.kind === "dir") throw new Errno(ENOTTY);
      k.writeU32(t, arg, n);
      return 0;
    }
  }
  const tty = f.kind === "host" && (k.stdio.isTty?.(f.hostFd) ?? false);
  if (!tty) throw new Errno(ENOTTY);
  const termios = k.struct("termios");
  switch (cmd) {
    case TCGETS:
      k.copyOut(t, arg, termiosOf.get(k) ?? new Uint8Array(termios.size));
      return 0;
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
      termiosOf.set(k, k.copyIn(t, arg, termios.size));
      return 0;
    case TIOCGWINSZ:
      k.writeStruct(t, "winsize", arg, { ws_row: 24, ws_col: 80 });
      return 0;
    case TIOCSWINSZ:
      return 0;
    case TIOCGPGRP:
      k.writeU32(t, arg, p.pgid);
      return 0;
    case TIOCSPGRP:
      k.readU32(t, arg);
      return 0;
    default:
      throw new Errno(ENOTTY);
  }
};

/** k5's isatty(fd): 1 for a terminal (what TCGETS would accept), else ENOTTY; EBADF as ioctl. */
const isatty: Handler = ({ k, p }, fd) => {
  const f = p.fds.get(fd);
  if (f.kind === "host" && (k.stdio.isTty?.(f.hostFd) ?? false)) return 1;
  throw new Errno(ENOTTY);
};

// ---- links

const symlinkat: Handler = ({ k, t, p }, targetPtr, newdirfd, linkPtr) => {
  const to = str(k, t, targetPtr);
  if (to.length === 0) throw new Errno(ENOENT);
  const name = str(k, t, linkPtr);
  if (name.length === 0) throw new Errno(ENOENT);
  const { dir, name: leaf } = k.vfs.lookupParent(name.startsWith("/") ? k.vfs.root : k.dirFor(p, newdirfd), name);
  if (leaf === "." || leaf === "..") throw new Errno(EEXIST);
  k.vfs.symlink(dir, leaf, to);
  return 0;
};

const linkat: Handler = (ctx, olddirfd, oldPtr, newdirfd, newPtr, flags) => {
  const { k, t, p } = ctx;
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) throw new Errno(EINVAL);
  const node = target(ctx, olddirfd, oldPtr, flags, (flags & AT_SYMLINK_FOLLOW) !== 0);
  if (node.isDir) throw new Errno(EPERM);
  if (node.nlink === 0 && node.kind === "file") throw new Errno(ENOENT);
  const name = str(k, t, newPtr);
  if (name.length === 0) throw new Errno(ENOENT);
  const { dir, name: leaf } = k.vfs.lookupParent(name.startsWith("/") ? k.vfs.root : k.dirFor(p, newdirfd), name);
  if (name.endsWith("/")) throw new Errno(dir.entries.has(leaf) ? EEXIST : ENOENT);
  k.vfs.hardLink(dir, leaf, node);
  return 0;
};

const readlinkat: Handler = ({ k, t, p }, dirfd, pathPtr, buf, bufsiz) => {
  const name = str(k, t, pathPtr);
  if (name.length === 0) throw new Errno(ENOENT);
  const node = k.resolve(p, dirfd, name, false);
  if (node.kind !== "symlink") throw new Errno(EINVAL);
  if (bufsiz <= 0) throw new Errno(EINVAL);
  const bytes = Buffer.from(node.target, "latin1").subarray(0, bufsiz);
  k.copyOut(t, buf, bytes);
  return bytes.length;
};

// ---- modes, owners, times, access

const setMode = (k: Kernel, n: Inode, mode: number): number => {
  n.mode = mode & 0o7777;
  void k;
  return 0;
};

const fchmod: Handler = ({ k, p }, fd, mode) => {
  const f = p.fds.get(fd);
  return f.inode ? setMode(k, f.inode, mode) : 0;
};

const fchmodat: Handler = (ctx, dirfd, pathPtr, mode) => setMode(ctx.k, target(ctx, dirfd, pathPtr, 0, true), mode);

function setOwner(n: Inode, owner: number, group: number): number {
  if (owner !== 0xffffffff) n.uid = owner;
  if (group !== 0xffffffff) n.gid = group;
  return 0;
}

const fchown: Handler = ({ p }, fd, owner, group) => {
  const f = p.fds.get(fd);
  return f.inode ? setOwner(f.inode, owner, group) : 0;
};

const fchownat: Handler = (ctx, dirfd, pathPtr, owner, group, flags) => {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) throw new Errno(EINVAL);
  return setOwner(target(ctx, dirfd, pathPtr, flags, !(flags & AT_SYMLINK_NOFOLLOW)), owner, group);
};

const utimensat_time64: Handler = (ctx, dirfd, pathPtr, times, flags) => {
  const { k, t } = ctx;
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) throw new Errno(EINVAL);
  let mtime: bigint | null = k.realtimeNs();
  if (times) {
    const size = k.struct("timespec64").size;
    const stamps = [0, 1].map((i) => k.readStruct(t, "timespec64", times + i * size));
    for (const s of stamps) {
      const nsec = Number(BigInt.asIntN(32, BigInt(s["tv_nsec"] ?? 0)));
      if (nsec !== UTIME_NOW && nsec !== UTIME_OMIT && (nsec < 0 || nsec >= 1e9)) throw new Errno(EINVAL);
    }
    const m = stamps[1]!;
    const nsec = Number(BigInt.asIntN(32, BigInt(m["tv_nsec"] ?? 0)));
    mtime = nsec === UTIME_OMIT ? null : nsec === UTIME_NOW ? k.realtimeNs() : BigInt(m["tv_sec"] ?? 0) * NS + BigInt(nsec);
  }
  // A NULL path is futimens: the descriptor itself.
  const node = target(ctx, dirfd, pathPtr, pathPtr === 0 ? AT_EMPTY_PATH : flags, !(flags & AT_SYMLINK_NOFOLLOW));
  if (mtime !== null) node.mtimeNs = mtime;
  return 0;
};

function access(ctx: Ctx, dirfd: number, pathPtr: number, mode: number, flags: number): number {
  if (mode & ~(R_OK | W_OK | X_OK)) throw new Errno(EINVAL);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH)) throw new Errno(EINVAL);
  const node = target(ctx, dirfd, pathPtr, flags, !(flags & AT_SYMLINK_NOFOLLOW));
  if (mode === F_OK) return 0;
  // Every kiln process is root: reading and writing are allowed; executing needs an x bit (or a directory).
  if (mode & X_OK && !node.isDir && (node.mode & 0o111) === 0) throw new Errno(EACCES);
  return 0;
}

const faccessat: Handler = (ctx, dirfd, pathPtr, mode) => access(ctx, dirfd, pathPtr, mode, 0);
const faccessat2: Handler = (ctx, dirfd, pathPtr, mode, flags) => access(ctx, dirfd, pathPtr, mode, flags);

const umask: Handler = ({ p }, mask) => {
  const old = p.umask;
  p.umask = mask & 0o777;
  return old;
};

const fchdir: Handler = ({ p }, fd) => {
  const f = p.fds.get(fd);
  if (!f.inode || !f.inode.isDir) throw new Errno(ENOTDIR);
  p.cwd = f.inode;
  return 0;
};

// ---- sizes

function truncateTo(k: Kernel, node: Inode, len: bigint): number {
  if (len < 0n) throw new Errno(EINVAL);
  if (len > BigInt(MAX_FILE_SIZE)) throw new Errno(EFBIG);
  k.vfs.resize(node, Number(len));
  node.mtimeNs = k.realtimeNs();
  return 0;
}

const truncate64: Handler = (ctx, pathPtr, lo, hi) => {
  const node = target(ctx, AT_FDCWD, pathPtr, 0, true);
  if (node.isDir) throw new Errno(EISDIR);
  if (node.kind !== "file") throw new Errno(EINVAL);
  return truncateTo(ctx.k, node, off64(lo, hi));
};

const ftruncate64: Handler = ({ k, p }, fd, lo, hi) => {
  const f = p.fds.get(fd);
  if (f.kind !== "file" || !f.writable) throw new Errno(EINVAL);
  return truncateTo(k, f.inode!, off64(lo, hi));
};

// ---- statfs

function statfs(ctx: Ctx, size: number, buf: number): number {
  const { k, t } = ctx;
  if (size !== k.struct("statfs64").size) throw new Errno(EINVAL);
  const blocks = Math.floor(k.vfs.capacity / 4096);
  const free = Math.max(0, Math.floor((k.vfs.capacity - k.vfs.usedBytes) / 4096));
  k.writeStruct(t, "statfs64", buf, {
    f_type: TMPFS_MAGIC, f_bsize: 4096, f_blocks: blocks, f_bfree: free, f_bavail: free,
    f_files: 1 << 20, f_ffree: 1 << 20, f_namelen: 255, f_frsize: 4096, f_flags: 0,
  });
  return 0;
}

const statfs64: Handler = (ctx, pathPtr, size, buf) => {
  target(ctx, AT_FDCWD, pathPtr, 0, true);
  return statfs(ctx, size, buf);
};

const fstatfs64: Handler = (ctx, fd, size, buf) => {
  ctx.p.fds.get(fd);
  return statfs(ctx, size, buf);
};

// ---- syncs: the file system is memory, so there is nothing to write back.

const sync: Handler = () => 0;
const fsync: Handler = ({ p }, fd) => {
  const f = p.fds.get(fd);
  if (f.kind === "pipe") throw new Errno(EINVAL);
  return 0;
};
const fdatasync = fsync;

// ---- positioned and vectored I/O

function positioned(f: OpenFile, lo: number, hi: number): number {
  if (f.kind === "pipe" || f.kind === "host") throw new Errno(ESPIPE);
  if (f.kind === "dir") throw new Errno(EISDIR);
  const pos = off64(lo, hi);
  if (pos < 0n) throw new Errno(EINVAL);
  return Number(pos);
}

function preadAt(k: Kernel, f: OpenFile, pos: number, n: number): Uint8Array {
  if (!f.readable) throw new Errno(EBADF);
  if (f.kind === "dev") {
    const r = readFrom(k, f, n);
    return r === "block" ? new Uint8Array(0) : r;
  }
  return k.vfs.readAt(f.inode!, pos, n);
}

function pwriteAt(k: Kernel, t: Thread, f: OpenFile, pos: number, bytes: Uint8Array): number {
  if (!f.writable) throw new Errno(EBADF);
  if (f.kind === "dev") return writeTo(k, t, f, bytes) as number;
  // Linux: with O_APPEND, pwrite appends whatever the position.
  if (f.flags & constants.files.O_APPEND) pos = f.inode!.size;
  return k.vfs.writeAt(f.inode!, pos, bytes);
}

const pread64: Handler = ({ k, t, p }, fd, buf, count, lo, hi) => {
  const f = p.fds.get(fd);
  const pos = positioned(f, lo, hi);
  if (!f.readable) throw new Errno(EBADF);
  const data = preadAt(k, f, pos, Math.min(count, MAX_IO));
  k.copyOut(t, buf, data);
  return data.length;
};

const pwrite64: Handler = ({ k, t, p }, fd, buf, count, lo, hi) => {
  const f = p.fds.get(fd);
  const pos = positioned(f, lo, hi);
  if (!f.writable) throw new Errno(EBADF);
  return pwriteAt(k, t, f, pos, k.copyIn(t, buf, Math.min(count, MAX_IO)));
};

interface Iov { base: number; len: number }

function iovecs(ctx: Ctx, iov: number, cnt: number): Iov[] {
  if (cnt < 0 || cnt > 1024) throw new Errno(EINVAL);
  const size = ctx.k.struct("iovec").size;
  const out: Iov[] = [];
  let total = 0;
  for (let i = 0; i < cnt; i++) {
    const v = ctx.k.readStruct(ctx.t, "iovec", iov + i * size);
    const len = Number(v["iov_len"] ?? 0);
    total += len;
    if (total > 0x7fffffff) throw new Errno(EINVAL);
    out.push({ base: Number(v["iov_base"] ?? 0), len });
  }
  return out;
}

const preadv: Handler = (ctx, fd, iov, cnt, lo, hi) => {
  const { k, t, p } = ctx;
  const f = p.fds.get(fd);
  const pos = positioned(f, lo, hi);
  if (!f.readable) throw new Errno(EBADF);
  const list = iovecs(ctx, iov, cnt);
  const want = Math.min(MAX_IO, list.reduce((n, v) => n + v.len, 0));
  const data = preadAt(k, f, pos, want);
  let off = 0;
  for (const v of list) {
    if (off >= data.length) break;
    const part = data.subarray(off, off + v.len);
    k.copyOut(t, v.base, part);
    off += part.length;
  }
  return data.length;
};

const pwritev: Handler = (ctx, fd, iov, cnt, lo, hi) => {
  const { k, t, p } = ctx;
  const f = p.fds.get(fd);
  const pos = positioned(f, lo, hi);
  if (!f.writable) throw new Errno(EBADF);
  const parts = iovecs(ctx, iov, cnt).filter((v) => v.len > 0).map((v) => k.copyIn(t, v.base, Math.min(v.len, MAX_IO)));
  const bytes = Buffer.concat(parts);
  return pwriteAt(k, t, f, pos, new Uint8Array(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, MAX_IO)));
};

const sendfile64: Handler = ({ k, t, p }, outFd, inFd, offPtr, count) => {
  const out = p.fds.get(outFd);
  const inp = p.fds.get(inFd);
  if (!inp.readable || !out.writable) throw new Errno(EBADF);
  if (inp.kind !== "file" && inp.kind !== "dev") throw new Errno(EINVAL);
  if (out.kind === "dir") throw new Errno(EINVAL);
  let pos = inp.offset;
  if (offPtr) {
    const b = k.copyIn(t, offPtr, 8);
    const v = new DataView(b.buffer, b.byteOffset).getBigInt64(0, true);
    if (v < 0n) throw new Errno(EINVAL);
    pos = Number(v);
  }
  const n = Math.min(count, MAX_IO);
  return now(() => {
    const data = preadAt(k, inp, pos, n);
    if (data.length === 0) return 0;
    const w = writeTo(k, t, out, data);
    if (w === "block") return "block";
    if (offPtr) {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigInt64(0, BigInt(pos + w), true);
      k.copyOut(t, offPtr, b);
    } else {
      inp.offset = pos + w;
    }
    return w;
  });
};

// ---- record locks (fcntl64) and flock

const flock: Handler = ({ k, p }, fd, op) => {
  const f = p.fds.get(fd);
  const what = op & ~LOCK_NB;
  if (what !== LOCK_SH && what !== LOCK_EX && what !== LOCK_UN) throw new Errno(EINVAL);
  if (!f.inode) return 0;
  const node = f.inode;
  if (what === LOCK_UN) {
    flockSet(k, node, f, null);
    return 0;
  }
  const ex = what === LOCK_EX;
  return now(() => {
    if (flockFree(k, node, f, ex)) {
      flockSet(k, node, f, ex);
      return 0;
    }
    if (op & LOCK_NB) throw new Errno(EAGAIN);
    return "block";
  });
};

export const linuxFsHandlers: Record<string, Handler> = {
  ioctl, isatty, symlinkat, linkat, readlinkat, fchmod, fchmodat, fchown, fchownat, utimensat_time64, faccessat, faccessat2,
  umask, fchdir, truncate64, ftruncate64, statfs64, fstatfs64, sync, fsync, fdatasync, pread64, pwrite64, preadv,
  pwritev, sendfile64, flock,
};
