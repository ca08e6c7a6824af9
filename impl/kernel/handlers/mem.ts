// Memory calls: brk, mmap2 (anonymous and private file-backed), munmap, mprotect.
import { constants } from "../../../generated/index.ts";
import { Errno, EACCES, EBADF, EEXIST, EINVAL, ENODEV, ENOMEM } from "../errno.ts";
import { MMAP_TOP, STACK_TOP } from "../loader.ts";
import { PAGE_SIZE, PERM_R, PERM_W, pageUp } from "../machine.ts";
import type { Handler } from "./types.ts";

const { MAP_SHARED, MAP_PRIVATE, MAP_FIXED, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE } = constants.memory;
const { MAP_SHARED_VALIDATE } = constants.vm;
const { MMAP_MIN_ADDR: USER_LOW } = constants.kernel;

const brk: Handler = ({ p }, addr) => {
  const vm = p.vm;
  if (addr === 0 || addr < vm.brkStart) return vm.brk | 0;
  const oldTop = pageUp(vm.brk);
  const newTop = pageUp(addr);
  if (newTop > oldTop) {
    if (newTop > MMAP_TOP || !vm.isFree(oldTop, newTop - oldTop)) return vm.brk | 0;
    try {
      vm.map(oldTop, newTop - oldTop, PERM_R | PERM_W);
    } catch {
      return vm.brk | 0;
    }
  } else if (newTop < oldTop) {
    vm.unmap(newTop, oldTop - newTop);
  }
  vm.brk = addr;
  return addr | 0;
};

const mmap2: Handler = ({ k, p }, addr, len, prot, flags, fd, pgoff) => {
  if (len === 0 || prot & ~7) throw new Errno(EINVAL);
  if (len > 0xffff_f000) throw new Errno(ENOMEM);
  const size = pageUp(len);
  const type = flags & 0xf;
  if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) throw new Errno(EINVAL);
  const vm = p.vm;
  let anon = (flags & MAP_ANONYMOUS) !== 0;
  let file = null;
  // A private map of /dev/zero is the old way to get anonymous memory.
  if (!anon && p.fds.has(fd) && p.fds.get(fd).kind === "dev") anon = true;
  if (!anon) {
    const f = p.fds.get(fd);
    if (f.kind !== "file") throw new Errno(f.kind === "dir" ? ENODEV : EACCES);
    if (!f.readable) throw new Errno(EACCES);
    if (type !== MAP_PRIVATE && prot & PERM_W && !f.writable) throw new Errno(EACCES);
    file = f.inode!;
  } else if (fd !== -1 && fd < -1) {
    throw new Errno(EBADF);
  }
  let at: number;
  if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
    if (addr % PAGE_SIZE) throw new Errno(EINVAL);
    if (addr < USER_LOW || addr + size > STACK_TOP) throw new Errno(ENOMEM);
    if (flags & MAP_FIXED_NOREPLACE && !(flags & MAP_FIXED) && !vm.isFree(addr, size)) throw new Errno(EEXIST);
    at = addr;
  } else if (addr && addr % PAGE_SIZE === 0 && addr >= USER_LOW && addr + size <= MMAP_TOP && vm.isFree(addr, size)) {
    at = addr;
  } else {
    at = vm.findFree(size);
  }
  // MAP_SHARED is kept private: kiln has no shared pages between address spaces (documented).
  vm.map(at, size, prot & 7);
  if (file) {
    const off = pgoff * PAGE_SIZE;
    if (off < file.size) {
      const data = k.vfs.readAt(file, off, Math.min(size, file.size - off));
      vm.mem.writeBytes(at, data, true);
    }
  }
  return at | 0;
};

const munmap: Handler = ({ p }, addr, len) => {
  if (addr % PAGE_SIZE || len === 0 || addr + len > 0x1_0000_0000) throw new Errno(EINVAL);
  p.vm.unmap(addr, pageUp(len));
  return 0;
};

const mprotect: Handler = ({ p }, addr, len, prot) => {
  if (addr % PAGE_SIZE || prot & ~7) throw new Errno(EINVAL);
  if (len === 0) return 0;
  const size = pageUp(len);
  if (addr + size > 0x1_0000_0000) throw new Errno(ENOMEM);
  if (p.vm.mem.mappedIn(addr, size) !== size) throw new Errno(ENOMEM);
  p.vm.protect(addr, size, prot & 7);
  return 0;
};

export const memHandlers: Record<string, Handler> = { brk, mmap2, munmap, mprotect };
