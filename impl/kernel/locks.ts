// File locks: POSIX record locks (fcntl64 F_SETLK64 and friends), owned by a process or, for the
// open-file-description forms, by an open file; and BSD whole-file locks (flock), owned by an open
// file. A lock whose owner has gone (the process ended, the open file's last descriptor closed) is
// dropped the next time anyone looks, so exit and close need no bookkeeping beyond the POSIX rule
// that closing any descriptor of a file releases the process's record locks on it (releaseProcess).
import type { OpenFile } from "./fd.ts";
import type { Kernel } from "./kernel.ts";
import type { Process } from "./process.ts";
import type { Inode } from "./vfs.ts";

/** The end of an l_len 0 lock: past any offset a file can have. */
export const TO_EOF = 1n << 63n;

export type LockOwner = Process | OpenFile;

export interface RecordLock {
  owner: LockOwner;
  /** The pid F_GETLK reports (-1 for an open-file-description lock). */
  pid: number;
  write: boolean;
  start: bigint;
  /** Exclusive end; TO_EOF for "to the end, whatever the size". */
  end: bigint;
}

function alive(o: LockOwner): boolean {
  return "refs" in o ? o.refs > 0 : o.state === "live";
}

class Locks {
  readonly records = new WeakMap<Inode, RecordLock[]>();
  readonly flocks = new WeakMap<Inode, Map<OpenFile, boolean /* exclusive */>>();
  /** F_SETLKW waiters: which owner waits for which (deadlock detection). */
  readonly waitsFor = new Map<LockOwner, LockOwner>();

  list(node: Inode): RecordLock[] {
    const l = (this.records.get(node) ?? []).filter((x) => alive(x.owner));
    this.records.set(node, l);
    return l;
  }
}

const tables = new WeakMap<Kernel, Locks>();
function locks(k: Kernel): Locks {
  let t = tables.get(k);
  if (!t) tables.set(k, (t = new Locks()));
  return t;
}

/** The first lock of another owner that conflicts with a `write` lock of [start, end) by `owner`. */
export function conflict(k: Kernel, node: Inode, owner: LockOwner, write: boolean, start: bigint, end: bigint): RecordLock | null {
  for (const l of locks(k).list(node)) {
    if (l.owner === owner || l.end <= start || l.start >= end) continue;
    if (write || l.write) return l;
  }
  return null;
}

/** Sets (or with write = null clears) `owner`'s lock on [start, end): splits, replaces and merges as POSIX says. */
export function setLock(k: Kernel, node: Inode, owner: LockOwner, pid: number, write: boolean | null, start: bigint, end: bigint): void {
  const t = locks(k);
  const out: RecordLock[] = [];
  for (const l of t.list(node)) {
    if (l.owner !== owner || l.end <= start || l.start >= end) {
      out.push(l);
      continue;
    }
    if (l.start < start) out.push({ ...l, end: start });
    if (l.end > end) out.push({ ...l, start: end });
  }
  if (write !== null) {
    let n: RecordLock = { owner, pid, write, start, end };
    // Merge with touching or overlapping locks of the same owner and type.
    for (let i = out.length - 1; i >= 0; i--) {
      const l = out[i]!;
      if (l.owner === owner && l.write === write && l.start <= n.end && l.end >= n.start) {
        n = { ...n, start: l.start < n.start ? l.start : n.start, end: l.end > n.end ? l.end : n.end };
        out.splice(i, 1);
      }
    }
    out.push(n);
  }
  out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  t.records.set(node, out);
}

/** POSIX: closing any descriptor of a file drops every record lock the process holds on it. */
export function releaseProcess(k: Kernel, node: Inode, p: Process): void {
  const t = locks(k);
  const l = t.records.get(node);
  if (l) t.records.set(node, l.filter((x) => x.owner !== p));
}

/** True if `owner` waiting for `holder` would close a cycle of waiters. */
export function wouldDeadlock(k: Kernel, owner: LockOwner, holder: LockOwner): boolean {
  const w = locks(k).waitsFor;
  const seen = new Set<LockOwner>();
  for (let o: LockOwner | undefined = holder; o && !seen.has(o); o = w.get(o)) {
    if (o === owner) return true;
    seen.add(o);
  }
  return false;
}

export function setWaiting(k: Kernel, owner: LockOwner, holder: LockOwner | null): void {
  const w = locks(k).waitsFor;
  if (holder) w.set(owner, holder);
  else w.delete(owner);
}

/** flock: true if `f` may take the lock now (no other live open file holds a conflicting one). */
export function flockFree(k: Kernel, node: Inode, f: OpenFile, exclusive: boolean): boolean {
  const m = locks(k).flocks.get(node);
  if (!m) return true;
  for (const [o, ex] of m) {
    if (o === f) continue;
    if (!alive(o)) { m.delete(o); continue; }
    if (exclusive || ex) return false;
  }
  return true;
}

export function flockSet(k: Kernel, node: Inode, f: OpenFile, exclusive: boolean | null): void {
  const t = locks(k);
  let m = t.flocks.get(node);
  if (!m) t.flocks.set(node, (m = new Map()));
  if (exclusive === null) m.delete(f);
  else m.set(f, exclusive);
}
