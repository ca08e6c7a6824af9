// fstat, fstatat and lseek as kernels after k1 define them: the stat structure is whatever layout
// the kernel ABI's `stat` table gives, filled by the canonical field names of spec/routes.md.
import { Errno, EINVAL, ENOENT, EOVERFLOW, ESPIPE } from "../errno.ts";
import { S_IFCHR, S_IFIFO } from "../vfs.ts";
import type { Inode } from "../vfs.ts";
import type { Ctx, Handler } from "./types.ts";

const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000;
const NS = 1_000_000_000n;

/** The file an fd or a path names: an inode, or a pipe / host stream with no inode. */
function target(ctx: Ctx, dirfd: number, name: string, flags: number): { node: Inode | null; mode: number; ino: number } {
  const { k, p } = ctx;
  if (name.length === 0) {
    if (!(flags & AT_EMPTY_PATH)) throw new Errno(ENOENT);
    if (dirfd === AT_FDCWD) return { node: p.cwd, mode: 0, ino: 0 };
    const f = p.fds.get(dirfd);
    if (f.inode) return { node: f.inode, mode: 0, ino: 0 };
    if (f.pipe) return { node: null, mode: S_IFIFO | 0o600, ino: f.pipe.ino };
    return { node: null, mode: S_IFCHR | 0o620, ino: 0x3000_0000 + f.hostFd };
  }
  const base = name.startsWith("/") ? k.vfs.root : k.dirFor(p, dirfd);
  return { node: k.vfs.lookup(base, name, !(flags & AT_SYMLINK_NOFOLLOW)), mode: 0, ino: 0 };
}

/** Canonical stat fields; the kernel's layout decides which are written and how wide. */
function statFields(t: { node: Inode | null; mode: number; ino: number }): Record<string, number | bigint> {
  const v: Record<string, number | bigint> = { st_dev: 0, st_rdev: 0, st_uid: 0, st_gid: 0, st_blksize: 4096 };
  const n = t.node;
  if (n) {
    const size = n.kind === "dir" ? 4096 : n.size;
    Object.assign(v, { st_ino: n.ino, st_mode: n.fileType() | n.mode, st_nlink: n.nlink, st_size: size, st_blocks: Math.ceil(size / 512) });
    for (const ts of ["st_atime", "st_mtime", "st_ctime"]) {
      v[ts] = n.mtimeNs / NS;
      v[`${ts}_nsec`] = n.mtimeNs % NS;
    }
  } else Object.assign(v, { st_ino: t.ino, st_mode: t.mode, st_nlink: 1, st_size: 0, st_blocks: 0 });
  return v;
}

function writeStat(ctx: Ctx, buf: number, v: Record<string, number | bigint>): number {
  const layout = ctx.k.struct("stat");
  const values: Record<string, number | bigint> = {};
  for (const f of layout.fields) if (f.name in v) values[f.name] = v[f.name]!;
  ctx.k.writeStruct(ctx.t, "stat", buf, values);
  return 0;
}

const fstat: Handler = (ctx, fd, buf) => writeStat(ctx, buf, statFields(target(ctx, fd, "", AT_EMPTY_PATH)));

const fstatat: Handler = (ctx, dirfd, pathPtr, buf, flags) => {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) throw new Errno(EINVAL);
  return writeStat(ctx, buf, statFields(target(ctx, dirfd, ctx.k.readString(ctx.t, pathPtr), flags)));
};

/** lseek(fd, offset, whence) with a 32-bit offset and result; EOVERFLOW past 2 GiB. */
const lseek: Handler = ({ p }, fd, offset, whence) => {
  const f = p.fds.get(fd);
  if (f.kind === "pipe" || f.kind === "host") throw new Errno(ESPIPE);
  let base: number;
  if (whence === 0) base = 0;
  else if (whence === 1) base = f.offset;
  else if (whence === 2) base = f.inode!.kind === "file" ? f.inode!.size : 0;
  else throw new Errno(EINVAL);
  const pos = base + (offset | 0);
  if (pos < 0) throw new Errno(EINVAL);
  if (pos > 0x7fffffff) throw new Errno(EOVERFLOW);
  f.offset = pos;
  return pos;
};

export const statHandlers: Readonly<Record<string, Handler>> = { fstat, fstatat, lseek };
