// The initial user stack, laid out as Linux's create_elf_tables() does for rv32:
//
//   high  [8 zero bytes end marker] [execfn] [envp strings] [argv strings] [AT_RANDOM 16 bytes]
//         (padding to 16)  auxv pairs … AT_NULL 0 | NULL | envp[] | NULL | argv[] | argc  <- sp
//
// sp is 16-byte aligned and points at argc.

export const AT_NULL = 0;
export const AT_PHDR = 3;
export const AT_PHENT = 4;
export const AT_PHNUM = 5;
export const AT_PAGESZ = 6;
export const AT_BASE = 7;
export const AT_FLAGS = 8;
export const AT_ENTRY = 9;
export const AT_UID = 11;
export const AT_EUID = 12;
export const AT_GID = 13;
export const AT_EGID = 14;
export const AT_HWCAP = 16;
export const AT_CLKTCK = 17;
export const AT_SECURE = 23;
export const AT_RANDOM = 25;
export const AT_EXECFN = 31;

export type Auxv = [type: number, value: number][];

export interface StackImage {
  /** Initial sp (address of argc). */
  sp: number;
  /** Lowest address written; the bytes occupy [base, top). */
  base: number;
  bytes: Uint8Array;
  argvAddr: number;
  envpAddr: number;
  auxvAddr: number;
  randomAddr: number;
}


/**
 * Builds the stack image ending at `top` (exclusive). `auxv` excludes AT_RANDOM, AT_EXECFN and
 * AT_NULL, which are appended here because their values are addresses inside the image.
 */
export function buildInitialStack(
  top: number,
  argv: readonly string[],
  envp: readonly string[],
  auxv: Auxv,
  random: Uint8Array,
  execfn: string,
): StackImage {
  // Strings, from the top downwards, in Linux's order.
  const strs: { bytes: Uint8Array; addr: number }[] = [];
  let p = top - 8; // end marker
  const place = (s: string): number => {
    // Strings are byte strings (one char per byte): the bytes the guest gave, or the host's UTF-8.
    const b = Uint8Array.from(Buffer.from(s + "\0", "latin1"));
    p -= b.length;
    strs.push({ bytes: b, addr: p });
    return p;
  };
  const execfnAddr = place(execfn);
  const envAddrs = new Array<number>(envp.length);
  for (let i = envp.length - 1; i >= 0; i--) envAddrs[i] = place(envp[i]!);
  const argAddrs = new Array<number>(argv.length);
  for (let i = argv.length - 1; i >= 0; i--) argAddrs[i] = place(argv[i]!);
  p -= p % 16;
  p -= 16;
  const randomAddr = p;

  const fullAuxv: Auxv = [...auxv, [AT_RANDOM, randomAddr], [AT_EXECFN, execfnAddr], [AT_NULL, 0]];
  const words = 1 + argv.length + 1 + envp.length + 1 + fullAuxv.length * 2;
  const sp = (p - words * 4) - ((p - words * 4) % 16);
  const base = sp;

  const bytes = new Uint8Array(top - base);
  const dv = new DataView(bytes.buffer);
  const w32 = (addr: number, v: number): void => dv.setUint32(addr - base, v >>> 0, true);
  for (const s of strs) bytes.set(s.bytes, s.addr - base);
  bytes.set(random.subarray(0, 16), randomAddr - base);
  let q = sp;
  w32(q, argv.length); q += 4;
  const argvAddr = q;
  for (const a of argAddrs) { w32(q, a); q += 4; }
  w32(q, 0); q += 4;
  const envpAddr = q;
  for (const e of envAddrs) { w32(q, e); q += 4; }
  w32(q, 0); q += 4;
  const auxvAddr = q;
  for (const [t, v] of fullAuxv) { w32(q, t); w32(q + 4, v); q += 8; }
  return { sp, base, bytes, argvAddr, envpAddr, auxvAddr, randomAddr };
}
