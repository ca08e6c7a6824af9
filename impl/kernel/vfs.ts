// In-memory file system. Everything the guest sees lives here; a host directory is copied in once
// (importHostDir) and never written back, so no guest path can reach the host.
import * as fs from "node:fs";
import * as path from "node:path";
import { constants } from "../../generated/index.ts";
import { FramePool, PAGE_SIZE } from "../cpu/memory.ts";
import type { Frame } from "../cpu/memory.ts";
import { Errno, EEXIST, EINVAL, EISDIR, ELOOP, ENAMETOOLONG, ENOENT, ENOSPC, ENOTDIR, ENOTEMPTY, EBUSY, EFBIG } from "./errno.ts";

export const { S_IFMT, S_IFREG, S_IFDIR, S_IFIFO, S_IFCHR, DT_FIFO, DT_CHR, DT_DIR, DT_REG, DT_LNK } = constants.files;
export const { S_IFLNK } = constants.access;

const { PATH_MAX, NAME_MAX, SYMLOOP_MAX } = constants.kernel;
/** Largest single file (keeps a runaway writer from exhausting host memory). */
export const MAX_FILE_SIZE = 64 * 1024 * 1024;
/** Host bytes a directory entry costs besides its name (spec/limits.md). */
const { DIRENT_COST, PAGE_BOOKKEEPING } = constants.limits;
/** File data lives in page frames (from the kernel's pool, shared with guest memory): each costs this much. */
const CHUNK = PAGE_SIZE;
const CHUNK_COST = CHUNK + PAGE_BOOKKEEPING;
const entryCost = (name: string): number => DIRENT_COST + name.length;

export type NodeKind = "file" | "dir" | "symlink" | "chr";
/** What a character device does (`/dev/null`, `/dev/zero`, `/dev/urandom`, `/dev/random`). */
export type DeviceKind = "null" | "zero" | "random";

/**
 * Names and paths in the file system are byte strings: one char per byte (latin1), exactly the
 * bytes a guest gave, never UTF-8 decoded (two byte strings never alias one file). A host string
 * (a --root name, a test's path) enters as its UTF-8 bytes through guestBytes.
 */
export const guestBytes = (host: string): string => Buffer.from(host, "utf8").toString("latin1");

export class Inode {
  /** File contents, CHUNK bytes per frame (null: a hole, reads as zeros); only the first `size` bytes count. */
  chunks: (Frame | null)[] = [];
  size = 0;
  entries = new Map<string, Inode>();
  /** For directories: the containing directory (root is its own parent). */
  parent: Inode;
  target = "";
  nlink = 1;
  /** Open file descriptions that point at this inode (fd.ts). */
  opens = 0;
  /** The file system that holds it (for freeing an unlinked file at its last close). */
  owner: Vfs | null = null;
  /** For "chr": the device. */
  device: DeviceKind = "null";
  /** Owner and group (chown); kiln has no users, so nothing checks them. */
  uid = 0;
  gid = 0;
  constructor(readonly ino: number, readonly kind: NodeKind, public mode: number, public mtimeNs: bigint) {
    this.parent = this;
  }
  get isDir(): boolean { return this.kind === "dir"; }
  opened(): void { this.opens++; }
  closed(): void {
    if (--this.opens === 0 && this.nlink === 0) this.owner?.freeData(this);
  }
  fileType(): number {
    return this.kind === "dir" ? S_IFDIR : this.kind === "symlink" ? S_IFLNK : this.kind === "chr" ? S_IFCHR : S_IFREG;
  }
}

export interface VfsOptions {
  /** Deterministic timestamp source (ns). */
  now?: () => bigint;
  /** Total bytes of file data the file system may hold. */
  capacity?: number;
}

export class Vfs {
  readonly root: Inode;
  private nextIno = 1;
  usedBytes = 0;
  /**
   * Host bytes the file system holds (spec/limits.md): every file buffer, plus DIRENT_COST and the
   * name for every directory entry. The kernel charges what grew since it started to `--memory`.
   */
  heldBytes = 0;
  private baseline = 0;
  /** Asked before the file system holds `bytes` more host memory; throws ENOSPC to refuse (set by the kernel). */
  reserve: (bytes: number) => void = () => {};
  readonly capacity: number;
  readonly now: () => bigint;

  constructor(opts: VfsOptions = {}) {
    this.now = opts.now ?? (() => 0n);
    this.capacity = opts.capacity ?? 256 * 1024 * 1024;
    this.root = this.newNode("dir", 0o755);
    this.root.nlink = 2;
  }

  newNode(kind: NodeKind, perm: number): Inode {
    const n = new Inode(this.nextIno++, kind, perm & 0o7777, this.now());
    n.owner = this;
    return n;
  }

  /** From now on, what the file system grows by is the guests' (the kernel's first spawn). */
  startAccounting(): void {
    this.baseline = this.heldBytes;
    this.accounting = true;
  }
  private accounting = false;

  /** Host bytes held beyond what was there when accounting started. */
  guestBytes(): number {
    return Math.max(0, this.heldBytes - this.baseline);
  }

  /** Charges `bytes` more held memory (ENOSPC when the kernel refuses). */
  private hold(bytes: number): void {
    if (bytes <= 0) return;
    try {
      if (this.accounting) this.reserve(bytes);
    } catch {
      throw new Errno(ENOSPC);
    }
    this.heldBytes += bytes;
  }

  /** A new entry `name` in `dir`. */
  private link(dir: Inode, name: string, node: Inode): void {
    this.hold(entryCost(name));
    dir.entries.set(name, node);
  }

  private unlinkEntry(dir: Inode, name: string): void {
    if (dir.entries.delete(name)) this.heldBytes -= entryCost(name);
  }

  /** Drops a file's data: nothing names it and no description has it open. */
  freeData(node: Inode): void {
    this.dropChunks(node, 0);
    this.usedBytes -= node.size;
    node.size = 0;
  }

  /** Gives back the frames of node's chunks from index `from` on (to the pool: the next write reuses them). */
  private dropChunks(node: Inode, from: number): void {
    for (let i = from; i < node.chunks.length; i++) {
      const f = node.chunks[i];
      if (f) {
        this.pool.give(f);
        this.heldBytes -= CHUNK_COST;
      }
    }
    if (node.chunks.length > from) node.chunks.length = from;
  }

  /** Where file data gets its frames (the kernel puts its own pool here, shared with guest memory). */
  pool = new FramePool();

  /**
   * Resolves `p` relative to `cwd`. ".." at the root stays at the root; absolute paths and
   * absolute symlink targets start at the guest root, so nothing escapes it.
   */
  lookup(cwd: Inode, p: string, followLast = true): Inode {
    return this.walk(cwd, p, followLast, { n: 0 });
  }

  private walk(cwd: Inode, p: string, followLast: boolean, depth: { n: number }): Inode {
    if (p.length === 0) throw new Errno(ENOENT);
    if (p.length >= PATH_MAX) throw new Errno(ENAMETOOLONG);
    let cur = p.startsWith("/") ? this.root : cwd;
    const parts = p.split("/").filter((s) => s.length > 0);
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      if (!cur.isDir) throw new Errno(ENOTDIR);
      if (name.length > NAME_MAX) throw new Errno(ENAMETOOLONG);
      if (name === ".") continue;
      if (name === "..") { cur = cur.parent; continue; }
      const next = cur.entries.get(name);
      if (!next) throw new Errno(ENOENT);
      const last = i === parts.length - 1;
      if (next.kind === "symlink" && (!last || followLast)) {
        if (++depth.n > SYMLOOP_MAX) throw new Errno(ELOOP);
        cur = this.walk(cur, next.target, true, depth);
      } else {
        cur = next;
      }
    }
    // "dir/" must name a directory.
    if (p.endsWith("/") && !cur.isDir) throw new Errno(ENOTDIR);
    return cur;
  }

  /** Splits `p` into (existing parent directory, final name). The name may be "." or "..". */
  lookupParent(cwd: Inode, p: string): { dir: Inode; name: string } {
    if (p.length === 0) throw new Errno(ENOENT);
    if (p.length >= PATH_MAX) throw new Errno(ENAMETOOLONG);
    const trimmed = p.replace(/\/+$/, "");
    if (trimmed.length === 0) return { dir: this.root, name: "." };
    const slash = trimmed.lastIndexOf("/");
    const name = trimmed.slice(slash + 1);
    if (name.length > NAME_MAX) throw new Errno(ENAMETOOLONG);
    const dir = slash < 0 ? cwd : this.lookup(cwd, slash === 0 ? "/" : trimmed.slice(0, slash), true);
    if (!dir.isDir) throw new Errno(ENOTDIR);
    return { dir, name };
  }

  mkdir(dir: Inode, name: string, perm: number): Inode {
    if (name === "." || name === "..") throw new Errno(EEXIST);
    if (dir.entries.has(name)) throw new Errno(EEXIST);
    const d = this.newNode("dir", perm);
    d.parent = dir;
    d.nlink = 2;
    this.link(dir, name, d);
    dir.nlink++;
    dir.mtimeNs = this.now();
    return d;
  }

  createFile(dir: Inode, name: string, perm: number): Inode {
    if (name === "." || name === "..") throw new Errno(EISDIR);
    if (dir.entries.has(name)) throw new Errno(EEXIST);
    const f = this.newNode("file", perm);
    this.link(dir, name, f);
    dir.mtimeNs = this.now();
    return f;
  }

  symlink(dir: Inode, name: string, target: string): Inode {
    if (dir.entries.has(name)) throw new Errno(EEXIST);
    const l = this.newNode("symlink", 0o777);
    l.target = target;
    l.size = target.length; // a byte string
    this.link(dir, name, l);
    return l;
  }

  /** A hard link: `dir/name` names `node` too (not a directory). */
  hardLink(dir: Inode, name: string, node: Inode): void {
    if (name === "." || name === ".." || dir.entries.has(name)) throw new Errno(EEXIST);
    this.link(dir, name, node);
    node.nlink++;
    dir.mtimeNs = this.now();
  }

  /**
   * Creates what programs expect of a Linux root, unless something is there already: the character
   * devices under /dev, a world-writable, sticky /tmp (mkstemp, tmpfile, temporary databases) and /proc.
   */
  addDevices(): void {
    if (!this.root.entries.has("tmp")) this.mkdir(this.root, "tmp", 0o1777);
    // /proc as a directory (cd, stat) as on Linux; the kernel resolves /proc/<self|pid>/exe itself.
    if (!this.root.entries.has("proc")) this.mkdir(this.root, "proc", 0o555);
    let dev = this.root.entries.get("dev");
    if (!dev) dev = this.mkdir(this.root, "dev", 0o755);
    if (!dev.isDir) return;
    for (const [name, kind] of [["null", "null"], ["zero", "zero"], ["random", "random"], ["urandom", "random"]] as const) {
      if (dev.entries.has(name)) continue;
      const n = this.newNode("chr", 0o666);
      n.device = kind;
      dev.entries.set(name, n);
    }
  }

  /** unlink (rmdir=false) or rmdir (rmdir=true) of dir/name. */
  remove(dir: Inode, name: string, rmdir: boolean): void {
    if (name === "." ) throw new Errno(EINVAL);
    if (name === "..") throw new Errno(ENOTEMPTY);
    const node = dir.entries.get(name);
    if (!node) throw new Errno(ENOENT);
    if (rmdir) {
      if (!node.isDir) throw new Errno(ENOTDIR);
      if (node === this.root) throw new Errno(EBUSY);
      if (node.entries.size > 0) throw new Errno(ENOTEMPTY);
      dir.nlink--;
    } else if (node.isDir) {
      throw new Errno(EISDIR);
    }
    this.unlinkEntry(dir, name);
    node.nlink = node.isDir ? 0 : node.nlink - 1;
    if (node.nlink === 0 && node.kind === "file") this.release(node);
    dir.mtimeNs = this.now();
  }

  /** Frees a file's storage once nothing names it; an open file keeps it until its last close, as on Linux. */
  private release(node: Inode): void {
    if (node.opens === 0) this.freeData(node);
  }

  rename(odir: Inode, oname: string, ndir: Inode, nname: string, noReplace: boolean): void {
    if ([oname, nname].some((n) => n === "." || n === "..")) throw new Errno(EBUSY);
    const node = odir.entries.get(oname);
    if (!node) throw new Errno(ENOENT);
    if (node.isDir) {
      // A directory cannot move under itself.
      for (let d = ndir; ; d = d.parent) {
        if (d === node) throw new Errno(EINVAL);
        if (d === this.root) break;
      }
    }
    const existing = ndir.entries.get(nname);
    if (existing === node) return;
    if (existing) {
      if (noReplace) throw new Errno(EEXIST);
      if (node.isDir && !existing.isDir) throw new Errno(ENOTDIR);
      if (!node.isDir && existing.isDir) throw new Errno(EISDIR);
      if (existing.isDir && existing.entries.size > 0) throw new Errno(ENOTEMPTY);
      if (existing.isDir) ndir.nlink--;
      existing.nlink = existing.isDir ? 0 : existing.nlink - 1;
      this.unlinkEntry(ndir, nname);
      if (existing.nlink === 0 && existing.kind === "file") this.release(existing);
    }
    this.link(ndir, nname, node);
    this.unlinkEntry(odir, oname);
    if (node.isDir) {
      node.parent = ndir;
      odir.nlink--;
      ndir.nlink++;
    }
    odir.mtimeNs = ndir.mtimeNs = this.now();
  }

  /** Changes a file's size, zero-filling growth; enforces the per-file and total capacity. */
  resize(node: Inode, size: number): void {
    if (size > MAX_FILE_SIZE) throw new Errno(EFBIG);
    const delta = size - node.size;
    if (delta > 0 && this.usedBytes + delta > this.capacity) throw new Errno(ENOSPC);
    if (size < node.size) {
      // Shrinking (O_TRUNC, ftruncate): the chunks past the end go back; the last one's tail is zeroed.
      const keep = Math.ceil(size / CHUNK);
      this.dropChunks(node, keep);
      const last = node.chunks[keep - 1];
      if (last && size % CHUNK !== 0) last.data.fill(0, size % CHUNK);
    }
    // Growth leaves holes: a chunk gets its frame when something is written into it.
    this.usedBytes += delta;
    node.size = size;
  }

  writeAt(node: Inode, pos: number, bytes: Uint8Array): number {
    const end = pos + bytes.length;
    if (end > node.size) this.resize(node, end);
    const first = Math.floor(pos / CHUNK);
    const last = Math.ceil(end / CHUNK);
    let missing = 0;
    for (let i = first; i < last; i++) if (!node.chunks[i]) missing++;
    this.hold(missing * CHUNK_COST);
    for (let i = first, done = 0; i < last; i++) {
      let f = node.chunks[i];
      if (!f) node.chunks[i] = f = this.pool.take();
      const off = i === first ? pos % CHUNK : 0;
      const n = Math.min(CHUNK - off, bytes.length - done);
      f.data.set(bytes.subarray(done, done + n), off);
      done += n;
    }
    node.mtimeNs = this.now();
    return bytes.length;
  }

  readAt(node: Inode, pos: number, len: number): Uint8Array {
    if (pos >= node.size) return new Uint8Array(0);
    const end = Math.min(node.size, pos + len);
    const out = new Uint8Array(end - pos);
    for (let i = Math.floor(pos / CHUNK), at = pos; at < end; i++) {
      const off = at % CHUNK;
      const n = Math.min(CHUNK - off, end - at);
      const f = node.chunks[i];
      if (f) out.set(f.data.subarray(off, off + n), at - pos);
      at += n;
    }
    return out;
  }

  /** A file's whole contents (a copy). */
  contents(node: Inode): Uint8Array {
    return this.readAt(node, 0, node.size);
  }

  /**
   * Gives a node that no directory names these contents, outside the accounting (the host's own:
   * the program of a spawn, which /proc/self/exe shows). Such a node must never be freed.
   */
  setHostContents(node: Inode, bytes: Uint8Array): void {
    node.chunks = [];
    for (let at = 0; at < bytes.length; at += CHUNK) {
      const f = this.pool.take();
      f.data.set(bytes.subarray(at, at + CHUNK));
      node.chunks.push(f);
    }
    node.size = bytes.length;
  }

  /** The absolute guest path of a directory (for getcwd). */
  pathOf(dir: Inode): string {
    const parts: string[] = [];
    let d = dir;
    while (d !== this.root) {
      const parent = d.parent;
      let found: string | undefined;
      for (const [n, c] of parent.entries) if (c === d) { found = n; break; }
      if (found === undefined) return "/"; // detached (removed) directory
      parts.unshift(found);
      d = parent;
    }
    return "/" + parts.join("/");
  }

  /** Convenience for tests and the CLI: write a whole file, creating parents. */
  writeFile(p: string, contents: Uint8Array | string, perm = 0o644): Inode {
    const bytes = typeof contents === "string" ? new TextEncoder().encode(contents) : contents;
    const { dir, name } = this.mkdirs(guestBytes(p));
    const node = dir.entries.get(name) ?? this.createFile(dir, name, perm);
    this.resize(node, 0);
    this.writeAt(node, 0, bytes);
    return node;
  }

  readFile(p: string): Uint8Array {
    const n = this.lookup(this.root, guestBytes(p));
    if (n.kind !== "file") throw new Errno(EISDIR);
    return this.contents(n);
  }

  private mkdirs(p: string): { dir: Inode; name: string } {
    const parts = p.split("/").filter((s) => s.length > 0);
    let dir = this.root;
    for (const part of parts.slice(0, -1)) {
      const next = dir.entries.get(part);
      dir = next && next.isDir ? next : this.mkdir(dir, part, 0o755);
    }
    return { dir, name: parts[parts.length - 1] ?? "." };
  }

  /**
   * Copies a host directory tree into the guest root. Symlinks are copied as symlinks and resolved
   * later inside the guest tree only; devices, sockets and fifos are skipped.
   */
  importHostDir(hostDir: string | Buffer, into: Inode = this.root): void {
    const st = fs.statSync(hostDir);
    if (!st.isDirectory()) throw new Error(`${hostDir.toString()} is not a directory`);
    // Host names are taken as the bytes they are (not decoded), like every name in the guest.
    const names = fs.readdirSync(hostDir, { encoding: "buffer" }).sort(Buffer.compare);
    const base = Buffer.from(typeof hostDir === "string" ? path.resolve(hostDir) : hostDir);
    for (const raw of names) {
      const name = raw.toString("latin1");
      const hp = Buffer.concat([base, Buffer.from("/"), raw]);
      const shown = hp.toString();
      const lst = fs.lstatSync(hp);
      if (into.entries.has(name)) continue;
      if (lst.isSymbolicLink()) {
        this.symlink(into, name, fs.readlinkSync(hp, { encoding: "buffer" }).toString("latin1"));
      } else if (lst.isDirectory()) {
        const d = this.mkdir(into, name, lst.mode);
        this.importHostDir(hp, d);
      } else if (lst.isFile()) {
        if (lst.size > MAX_FILE_SIZE) {
          throw new Error(`${shown} is ${lst.size} bytes, larger than the largest guest file (${MAX_FILE_SIZE} bytes)`);
        }
        if (this.usedBytes + lst.size > this.capacity) {
          throw new Error(`--root: ${shown} does not fit in the guest file system (${this.capacity} bytes)`);
        }
        const f = this.createFile(into, name, lst.mode);
        this.writeAt(f, 0, fs.readFileSync(hp));
      }
    }
  }
}
