// Open file descriptions (shared by dup and fork, as on Linux) and per-process descriptor tables.
import { constants } from "../../generated/index.ts";
import { FramePool, PAGE_SIZE } from "../cpu/memory.ts";
import type { Frame } from "../cpu/memory.ts";
import { Errno, EBADF, EMFILE } from "./errno.ts";
import type { Inode } from "./vfs.ts";

export const { O_ACCMODE, O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC, O_APPEND, O_NONBLOCK, O_DIRECTORY, O_NOFOLLOW, O_CLOEXEC, O_PATH } = constants.files;
/** Flags F_SETFL may change. */
export const SETFL_MASK = O_APPEND | O_NONBLOCK;

export const { PIPE_CAPACITY } = constants.kernel;

/** Where a pipe charges the host memory its buffered data holds (the kernel's memory cap). */
export interface PipeAccount {
  /** Throws (ENOMEM) unless `bytes` more may be held. */
  hold(bytes: number): void;
  free(bytes: number): void;
  /** Where chunks come from and go back to (the kernel's frame pool, shared with memory and files). */
  frames?(): FramePool;
}

/** Bytes of one buffer chunk (a page frame), and what it is charged with its objects (spec/limits.md). */
const CHUNK = PAGE_SIZE;
const CHUNK_COST = PAGE_SIZE + constants.limits.PAGE_BOOKKEEPING;

/**
 * A pipe holds at most PIPE_CAPACITY bytes of data. Nothing is allocated up front: data goes into
 * 4 KiB chunks allocated as writes need them, each charged (with its bookkeeping) to the account
 * while it holds data and given back when it is read empty or when no reader is left
 * (spec/limits.md).
 */
export class Pipe {
  private chunks: { f: Frame; start: number; end: number }[] = [];
  length = 0;
  readers = 0;
  writers = 0;
  readonly ino: number;
  private readonly pool: FramePool;
  constructor(ino: number, private readonly account: PipeAccount = { hold: () => {}, free: () => {} }) {
    this.ino = ino;
    this.pool = account.frames?.() ?? new FramePool();
  }
  get space(): number { return PIPE_CAPACITY - this.length; }
  write(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.space);
    let done = 0;
    while (done < n) {
      let c = this.chunks[this.chunks.length - 1];
      if (!c || c.end === CHUNK) {
        // A full chunk (or none): charge a new one first; if the cap refuses, what fit is written.
        try {
          this.account.hold(CHUNK_COST);
        } catch (e) {
          if (done > 0) break;
          throw e;
        }
        c = { f: this.pool.take(), start: 0, end: 0 };
        this.chunks.push(c);
      }
      const take = Math.min(n - done, CHUNK - c.end);
      c.f.data.set(bytes.subarray(done, done + take), c.end);
      c.end += take;
      done += take;
    }
    this.length += done;
    return done;
  }
  read(max: number): Uint8Array {
    const n = Math.min(max, this.length);
    const out = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const c = this.chunks[0]!;
      const take = Math.min(n - done, c.end - c.start);
      out.set(c.f.data.subarray(c.start, c.start + take), done);
      done += take;
      c.start += take;
      if (c.start === c.end) {
        this.chunks.shift();
        this.pool.give(c.f);
        this.account.free(CHUNK_COST);
      }
    }
    this.length -= n;
    return out;
  }
  /** No reader is left: the data can never be read, give it back. */
  drop(): void {
    for (const c of this.chunks) {
      this.pool.give(c.f);
      this.account.free(CHUNK_COST);
    }
    this.chunks = [];
    this.length = 0;
  }
}

export type FileKind = "file" | "dir" | "pipe" | "host" | "dev";

/** One open file description. `refs` counts descriptors (in any process) that point at it. */
export class OpenFile {
  offset = 0;
  refs = 0;
  /** For "dir": the entries as they were when the listing started at offset 0 (getdents64). */
  listing: [string, Inode][] | null = null;
  constructor(
    readonly kind: FileKind,
    public flags: number,
    readonly inode: Inode | null,
    readonly pipe: Pipe | null = null,
    /** For "host": the host descriptor (0, 1, 2) the guest stream goes to. */
    readonly hostFd = -1,
  ) {}
  get readable(): boolean { return (this.flags & O_ACCMODE) !== O_WRONLY && (this.flags & O_PATH) === 0; }
  get writable(): boolean { return (this.flags & O_ACCMODE) !== O_RDONLY && (this.flags & O_PATH) === 0; }

  acquire(): this {
    if (this.refs === 0 && this.inode) this.inode.opened();
    if (this.refs++ === 0 && this.pipe) {
      if (this.readable) this.pipe.readers++;
      if (this.writable) this.pipe.writers++;
    }
    return this;
  }
  release(): void {
    if (--this.refs === 0 && this.pipe) {
      if (this.readable) this.pipe.readers--;
      if (this.writable) this.pipe.writers--;
      if (this.pipe.readers === 0) this.pipe.drop();
    }
    if (this.refs === 0 && this.inode) this.inode.closed();
  }
}

interface FdEntry {
  file: OpenFile;
  cloexec: boolean;
}

export class FdTable {
  private fds: (FdEntry | undefined)[] = [];
  constructor(readonly max = 256) {}

  get(fd: number): OpenFile {
    const e = fd >= 0 && fd < this.fds.length ? this.fds[fd] : undefined;
    if (!e) throw new Errno(EBADF);
    return e.file;
  }
  has(fd: number): boolean {
    return fd >= 0 && fd < this.fds.length && this.fds[fd] !== undefined;
  }
  getCloexec(fd: number): boolean {
    this.get(fd);
    return this.fds[fd]!.cloexec;
  }
  setCloexec(fd: number, on: boolean): void {
    this.get(fd);
    this.fds[fd]!.cloexec = on;
  }

  /** Lowest free descriptor >= min. */
  alloc(file: OpenFile, cloexec = false, min = 0): number {
    for (let fd = min; fd < this.max; fd++) {
      if (!this.fds[fd]) {
        this.fds[fd] = { file: file.acquire(), cloexec };
        return fd;
      }
    }
    throw new Errno(EMFILE);
  }

  /** Installs at exactly `fd`, closing what was there (dup3). */
  install(fd: number, file: OpenFile, cloexec: boolean): void {
    if (fd < 0 || fd >= this.max) throw new Errno(EBADF);
    file.acquire();
    const old = this.fds[fd];
    this.fds[fd] = { file, cloexec };
    old?.file.release();
  }

  close(fd: number): void {
    const f = this.get(fd);
    this.fds[fd] = undefined;
    f.release();
  }

  closeAll(): void {
    for (let fd = 0; fd < this.fds.length; fd++) if (this.fds[fd]) this.close(fd);
  }

  closeOnExec(): void {
    for (let fd = 0; fd < this.fds.length; fd++) if (this.fds[fd]?.cloexec) this.close(fd);
  }

  /** fork: the child's table points at the same descriptions. */
  clone(): FdTable {
    const t = new FdTable(this.max);
    this.fds.forEach((e, fd) => {
      if (e) t.fds[fd] = { file: e.file.acquire(), cloexec: e.cloexec };
    });
    return t;
  }
}
