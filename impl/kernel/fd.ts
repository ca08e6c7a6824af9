// Open file descriptions (shared by dup and fork, as on Linux) and per-process descriptor tables.
import { Errno, EBADF, EMFILE } from "./errno.ts";
import type { Inode } from "./vfs.ts";

export const O_ACCMODE = 3;
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;
/** Flags F_SETFL may change. */
export const SETFL_MASK = O_APPEND | O_NONBLOCK;

export const PIPE_CAPACITY = 65536;

export class Pipe {
  private buf = new Uint8Array(PIPE_CAPACITY);
  private head = 0;
  length = 0;
  readers = 0;
  writers = 0;
  readonly ino: number;
  constructor(ino: number) { this.ino = ino; }
  get space(): number { return PIPE_CAPACITY - this.length; }
  write(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, this.space);
    for (let i = 0; i < n; i++) this.buf[(this.head + this.length + i) % PIPE_CAPACITY] = bytes[i]!;
    this.length += n;
    return n;
  }
  read(max: number): Uint8Array {
    const n = Math.min(max, this.length);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.buf[(this.head + i) % PIPE_CAPACITY]!;
    this.head = (this.head + n) % PIPE_CAPACITY;
    this.length -= n;
    return out;
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
    }
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
