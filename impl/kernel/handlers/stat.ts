// fstat, fstatat and lseek as kernels after k1 define them: the stat structure is whatever layout
// the kernel ABI's `stat` table gives, filled by the canonical field names of spec/routes.md.
import { constants } from "../../../generated/index.ts";
import { Errno, EINVAL, ENOENT, EOVERFLOW, ESPIPE } from "../errno.ts";
import { S_IFCHR, S_IFIFO } from "../vfs.ts";
import type { Inode } from "../vfs.ts";
import type { Ctx, Handler } from "./types.ts";

const { AT_FDCWD, AT_EMPTY_PATH } = constants.files;
const { AT_SYMLINK_NOFOLLOW } = constants.access;
const NS = 1_000_000_000n;

/** What every stat flavour (fstat, fstatat, statx) reports about a file, in canonical units. */
export interface Attrs { ino: number; mode: number; nlink: number; size: number; blocks: number; timeNs: bigint; uid?: number; gid?: number }

function attrsOfNode(n: Inode): Attrs {
  const size = n.kind === "dir" ? 4096 : n.kind === "chr" ? 0 : n.size;
  return { ino: n.ino, mode: n.fileType() | n.mode, nlink: n.nlink, size, blocks: Math.ceil(size / 512), timeNs: n.mtimeNs, uid: n.uid, gid: n.gid };
}

/**
 * The file an fd or a path names (dirfd/path with AT_EMPTY_PATH and AT_SYMLINK_NOFOLLOW), shared by
 * every stat call of every kernel ABI. A pipe or host stream has no inode: size 0 (as Linux), times now.
 */
export function fileAttrs(ctx: Pick<Ctx, "k" | "p">, dirfd: number, name: string, flags: number): Attrs {
  const { k, p } = ctx;
  if (name.length === 0) {
    if (!(flags & AT_EMPTY_PATH)) throw new Errno(ENOENT);
    if (dirfd === AT_FDCWD) return attrsOfNode(p.cwd);
    const f = p.fds.get(dirfd);
    if (f.inode) return attrsOfNode(f.inode);
    const timeNs = k.realtimeNs();
    if (f.pipe) return { ino: f.pipe.ino, mode: S_IFIFO | 0o600, nlink: 1, size: 0, blocks: 0, timeNs };
    return { ino: 0x3000_0000 + f.hostFd, mode: S_IFCHR | 0o620, nlink: 1, size: 0, blocks: 0, timeNs };
  }
  return attrsOfNode(k.resolve(p, dirfd, name, !(flags & AT_SYMLINK_NOFOLLOW)));
}

/** Canonical stat fields; the kernel's layout decides which are written and how wide. */
function statFields(a: Attrs): Record<string, number | bigint> {
  const v: Record<string, number | bigint> = {
    st_dev: 0, st_rdev: 0, st_uid: a.uid ?? 0, st_gid: a.gid ?? 0, st_blksize: 4096,
    st_ino: a.ino, st_mode: a.mode, st_nlink: a.nlink, st_size: a.size, st_blocks: a.blocks,
  };
  for (const ts of ["st_atime", "st_mtime", "st_ctime"]) {
    v[ts] = a.timeNs / NS;
    v[`${ts}_nsec`] = a.timeNs % NS;
  }
  return v;
}

function writeStat(ctx: Ctx, buf: number, v: Record<string, number | bigint>): number {
  const layout = ctx.k.struct("stat");
  const values: Record<string, number | bigint> = {};
  for (const f of layout.fields) if (f.name in v) values[f.name] = v[f.name]!;
  ctx.k.writeStruct(ctx.t, "stat", buf, values);
  return 0;
}

const fstat: Handler = (ctx, fd, buf) => writeStat(ctx, buf, statFields(fileAttrs(ctx, fd, "", AT_EMPTY_PATH)));

const fstatat: Handler = (ctx, dirfd, pathPtr, buf, flags) => {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) throw new Errno(EINVAL);
  return writeStat(ctx, buf, statFields(fileAttrs(ctx, dirfd, ctx.k.readString(ctx.t, pathPtr), flags)));
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
