// File-system calls over the in-memory Vfs: openat, statx, getdents64, mkdirat, unlinkat,
// renameat2, chdir, getcwd.
import { constants } from "../../../generated/index.ts";
import { Errno, EEXIST, EINVAL, EISDIR, ELOOP, ENOENT, ENOTDIR, ERANGE } from "../errno.ts";
import { OpenFile, O_ACCMODE, O_APPEND, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_PATH, O_RDONLY, O_TRUNC } from "../fd.ts";
import type { Kernel } from "../kernel.ts";
import { fieldOffset } from "../layout.ts";
import type { Thread } from "../process.ts";
import { DT_CHR, DT_DIR, DT_FIFO, DT_LNK, DT_REG } from "../vfs.ts";
import type { Inode } from "../vfs.ts";
import { fileAttrs } from "./stat.ts";
import type { Handler } from "./types.ts";

const { AT_FDCWD, AT_REMOVEDIR, AT_NO_AUTOMOUNT, AT_EMPTY_PATH, AT_STATX_SYNC_TYPE, STATX_BASIC_STATS } = constants.files;
const { AT_SYMLINK_NOFOLLOW } = constants.access;

function path(k: Kernel, t: Thread, addr: number): string {
  const s = k.readString(t, addr);
  if (s.length === 0) throw new Errno(ENOENT);
  return s;
}

const openat: Handler = ({ k, t, p }, dirfd, pathPtr, flags, mode) => {
  const name = path(k, t, pathPtr);
  const base = name.startsWith("/") ? k.vfs.root : k.dirFor(p, dirfd);
  const acc = flags & O_ACCMODE;
  if (acc === 3) throw new Errno(EINVAL);
  let node: Inode;
  if (flags & O_CREAT) {
    const { dir, name: leaf } = k.vfs.lookupParent(base, name);
    const existing = dir.entries.get(leaf);
    if (existing) {
      if (flags & O_EXCL) throw new Errno(EEXIST);
      node = existing.kind === "symlink" && !(flags & O_NOFOLLOW) ? k.vfs.lookup(base, name) : existing;
    } else if (leaf === "." || leaf === "..") {
      throw new Errno(EISDIR);
    } else {
      if (name.endsWith("/")) throw new Errno(EISDIR);
      node = k.vfs.createFile(dir, leaf, (mode & 0o7777) & ~p.umask);
    }
  } else {
    node = k.procPath(p, name) ? k.resolve(p, dirfd, name, !(flags & O_NOFOLLOW)) : k.vfs.lookup(base, name, !(flags & O_NOFOLLOW));
  }
  if (node.kind === "symlink" && !(flags & O_PATH)) throw new Errno(ELOOP);
  if (flags & O_DIRECTORY && !node.isDir) throw new Errno(ENOTDIR);
  if (node.isDir && acc !== O_RDONLY && !(flags & O_PATH)) throw new Errno(EISDIR);
  if (node.kind === "file" && flags & O_TRUNC && acc !== O_RDONLY) k.vfs.resize(node, 0);
  const kept = acc | (flags & (O_APPEND | O_NONBLOCK | O_PATH));
  const f = new OpenFile(node.isDir ? "dir" : node.kind === "chr" ? "dev" : "file", kept, node);
  return p.fds.alloc(f, (flags & O_CLOEXEC) !== 0);
};

const NS = 1_000_000_000n;

const statx: Handler = ({ k, t, p }, dirfd, pathPtr, flags, mask, buf) => {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)) throw new Errno(EINVAL);
  if (mask & 0x80000000) throw new Errno(EINVAL);
  const a = fileAttrs({ k, p }, dirfd, k.readString(t, pathPtr), flags);
  const v: Record<string, number | bigint> = {
    stx_mask: STATX_BASIC_STATS, stx_blksize: 4096, stx_uid: a.uid ?? 0, stx_gid: a.gid ?? 0,
    stx_nlink: a.nlink, stx_mode: a.mode, stx_ino: a.ino, stx_size: a.size, stx_blocks: a.blocks,
  };
  for (const ts of ["stx_atime", "stx_btime", "stx_ctime", "stx_mtime"]) {
    v[`${ts}.tv_sec`] = a.timeNs / NS;
    v[`${ts}.tv_nsec`] = a.timeNs % NS;
  }
  k.writeStruct(t, "statx", buf, v);
  return 0;
};

function dtype(n: Inode): number {
  return n.kind === "dir" ? DT_DIR : n.kind === "symlink" ? DT_LNK : n.kind === "chr" ? DT_CHR : DT_REG;
}
void DT_FIFO;

const getdents64: Handler = ({ k, t, p }, fd, dirp, count) => {
  const f = p.fds.get(fd);
  if (f.kind !== "dir") throw new Errno(ENOTDIR);
  const dir = f.inode!;
  const layout = k.struct("dirent64");
  const nameOff = fieldOffset(layout, "d_name") ?? layout.size;
  // The listing is taken when it starts (offset 0) and walked by position; an entry removed since
  // is skipped, so removing entries while listing never hides one that is still there.
  if (f.offset === 0 || !f.listing) f.listing = [[".", dir], ["..", dir.parent], ...dir.entries];
  const list = f.listing;
  const out: Uint8Array[] = [];
  let used = 0;
  let i = f.offset;
  for (; i < list.length; i++) {
    const [name, node] = list[i]!;
    if (i >= 2 && dir.entries.get(name) !== node) continue;
    const nb = Buffer.from(name, "latin1"); // names are byte strings
    const reclen = (nameOff + nb.length + 1 + 7) & ~7;
    if (used + reclen > count) {
      if (used === 0) throw new Errno(EINVAL);
      break;
    }
    const rec = new Uint8Array(reclen);
    const head = k.encode("dirent64", { d_ino: node.ino, d_off: i + 1, d_reclen: reclen, d_type: dtype(node) });
    rec.set(head.subarray(0, Math.min(head.length, nameOff)));
    rec.set(nb, nameOff);
    out.push(rec);
    used += reclen;
  }
  if (used > 0) k.copyOut(t, dirp, Buffer.concat(out));
  f.offset = i;
  return used;
};

const mkdirat: Handler = ({ k, t, p }, dirfd, pathPtr, mode) => {
  const name = path(k, t, pathPtr);
  const { dir, name: leaf } = k.vfs.lookupParent(name.startsWith("/") ? k.vfs.root : k.dirFor(p, dirfd), name);
  k.vfs.mkdir(dir, leaf, (mode & 0o7777) & ~p.umask);
  return 0;
};

const unlinkat: Handler = ({ k, t, p }, dirfd, pathPtr, flags) => {
  if (flags & ~AT_REMOVEDIR) throw new Errno(EINVAL);
  const name = path(k, t, pathPtr);
  const { dir, name: leaf } = k.vfs.lookupParent(name.startsWith("/") ? k.vfs.root : k.dirFor(p, dirfd), name);
  if (!(flags & AT_REMOVEDIR) && name.endsWith("/")) {
    const n = dir.entries.get(leaf);
    throw new Errno(n && n.isDir ? EISDIR : ENOTDIR);
  }
  k.vfs.remove(dir, leaf, (flags & AT_REMOVEDIR) !== 0);
  return 0;
};

const RENAME_NOREPLACE = 1;

const renameat2: Handler = ({ k, t, p }, olddirfd, oldPtr, newdirfd, newPtr, flags) => {
  if (flags & ~RENAME_NOREPLACE) throw new Errno(EINVAL);
  const oldName = path(k, t, oldPtr);
  const newName = path(k, t, newPtr);
  const o = k.vfs.lookupParent(oldName.startsWith("/") ? k.vfs.root : k.dirFor(p, olddirfd), oldName);
  const n = k.vfs.lookupParent(newName.startsWith("/") ? k.vfs.root : k.dirFor(p, newdirfd), newName);
  k.vfs.rename(o.dir, o.name, n.dir, n.name, (flags & RENAME_NOREPLACE) !== 0);
  return 0;
};

const chdir: Handler = ({ k, t, p }, pathPtr) => {
  const node = k.resolve(p, AT_FDCWD, path(k, t, pathPtr));
  if (!node.isDir) throw new Errno(ENOTDIR);
  p.cwd = node;
  return 0;
};

const getcwd: Handler = ({ k, t, p }, buf, size) => {
  const bytes = Buffer.from(k.vfs.pathOf(p.cwd) + "\0", "latin1");
  if (bytes.length > size) throw new Errno(ERANGE);
  k.copyOut(t, buf, bytes);
  return bytes.length;
};

export const fsHandlers: Record<string, Handler> = { openat, statx, getdents64, mkdirat, unlinkat, renameat2, chdir, getcwd };
