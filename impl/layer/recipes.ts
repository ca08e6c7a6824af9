// The named recipes of spec/routes.md: handwritten layer code for what a kernel cannot do in one
// call, or does without a trap. Each recipe gets the pair's context, so numbers and offsets still
// come from the generated tables; only the algorithm is written here.
import { errno } from "../../generated/index.ts";
import { ERR_CHECK } from "./routes.ts";
import { LayerError, type PairContext, type RecipeCode } from "./context.ts";
import { loadObject } from "./load-object.ts";

export type { RecipeCode };

type Recipe = (ctx: PairContext, label: string, str: (s: string) => string) => RecipeCode;

const { EINVAL, EOVERFLOW } = errno;

/** Trap to kernel call `id` (arguments already in a0..a5); a negated error goes to __err. */
const trap = (ctx: PairContext, id: string) => [`li a7, ${ctx.nr(id)}`, "ecall", ...ERR_CHECK("t1")];
/** The error tail of a critical section left more often than entered. */
const unbalanced = (l: string) => [`${l}_unbalanced:`, `li a0, -${EINVAL}`, "j __err"];

/** t0 = this thread's layer-private block. */
const lpInto = (ctx: PairContext, reg = "t0") => [`lw ${reg}, ${ctx.tls.layer}(tp)`];
/** reg = the layer's scratch buffer. */
const scratchInto = (ctx: PairContext, reg: string) => [`lw ${reg}, ${ctx.tls.layer}(tp)`, `addi ${reg}, ${reg}, ${ctx.lp.scratch}`];

/**
 * Where field `field` of the structure that kernel call `call` writes through its argument `arg`
 * lies, from the kernel ABI's own signature and layout: a recipe never assumes a layout.
 */
function outField(ctx: PairContext, call: string, arg: string, field: string): { offset: number; size: number } {
  const row = ctx.dispatch.syscalls.find((c) => c.id === call);
  const type = row?.args.find((a) => a.name === arg)?.type ?? "";
  const m = /^ptr<(\w+)>$/.exec(type);
  if (!row || !m) throw new LayerError(`${ctx.kernel}.${call} has no structure argument ${arg}`);
  const f = ctx.struct(m[1]!).fields.find((x) => x.name === field);
  if (!f || (f.size !== 4 && f.size !== 8)) throw new LayerError(`${ctx.kernel}'s ${m[1]} has no 32- or 64-bit field ${field}`);
  return { offset: f.offset, size: f.size };
}

/** reg = the low word of a clock_gettime64 result's tv_sec (hi: its high word, or its sign). */
const timespecSec = (ctx: PairContext, base: string, lo: string, hi: string | null) => {
  const sec = outField(ctx, "clock_gettime64", "tp", "tv_sec");
  return [`lw ${lo}, ${ctx.lp.scratch + sec.offset}(${base})`, ...(hi ? [sec.size === 8 ? `lw ${hi}, ${ctx.lp.scratch + sec.offset + 4}(${base})` : `srai ${hi}, ${lo}, 31`] : [])];
};

const CORE_RECIPES: Readonly<Record<string, Recipe>> = {
  load_object: loadObject,

  // lseek(fd, off, whence) → llseek(fd, off >> 32 (sign), off, &scratch, whence), narrowed to int.
  lseek_llseek: (ctx, l) => ({
    routine: [
      "mv t0, a2",
      "mv a2, a1",
      "srai a1, a1, 31",
      ...scratchInto(ctx, "a3"),
      "mv a4, t0",
      ...trap(ctx, "llseek"),
      ...lpInto(ctx, "t2"),
      `lw a0, ${ctx.lp.scratch}(t2)`,
      `lw t3, ${ctx.lp.scratch + 4}(t2)`,
      `bnez t3, ${l}_overflow`,
      `bltz a0, ${l}_overflow`,
      "ret",
      `${l}_overflow:`,
      `li a0, -${EOVERFLOW}`,
      "j __err",
    ],
  }),

  // time(tloc): the seconds of CLOCK_REALTIME, also stored through tloc when it is not null.
  time_clock: (ctx) => ({
    routine: [
      "mv t6, a0",
      `li a0, ${ctx.constant("CLOCK_REALTIME")}`,
      ...scratchInto(ctx, "a1"),
      ...trap(ctx, "clock_gettime64"),
      ...lpInto(ctx, "t0"),
      ...timespecSec(ctx, "t0", "a0", null),
      "beqz t6, 1f",
      "sw a0, 0(t6)",
      "1:",
      "ret",
    ],
  }),

  // getpid / gettid: one load each from the shared page, no trap.
  shared_pid: (ctx) => ({
    inline: [...lpInto(ctx), `lw t0, ${ctx.lp.shared_page}(t0)`, `lw a0, ${ctx.field("shared_page", "pid")}(t0)`, "ret"],
  }),
  shared_tid: (ctx) => ({
    inline: [...lpInto(ctx), `lw t0, ${ctx.lp.shared_thread}(t0)`, `lw a0, ${ctx.field("shared_thread", "tid")}(t0)`, "ret"],
  }),

  // monotonic_ns: the time counter counts nanoseconds on kernels that say so (timebase 1 GHz).
  rdtime_ns: () => ({
    inline: ["1:", "rdtimeh a1", "rdtime a0", "rdtimeh t0", "bne a1, t0, 1b", "ret"],
  }),

  // monotonic_ns where the time counter promises nothing: clock_gettime64, then s × 10⁹ + ns.
  monotonic_clock: (ctx) => ({
    routine: [
      `li a0, ${ctx.constant("CLOCK_MONOTONIC")}`,
      ...scratchInto(ctx, "a1"),
      ...trap(ctx, "clock_gettime64"),
      ...lpInto(ctx, "t0"),
      ...timespecSec(ctx, "t0", "t1", "t2"),
      `lw t3, ${ctx.lp.scratch + outField(ctx, "clock_gettime64", "tp", "tv_nsec").offset}(t0)`,
      "li t4, 1000000000",
      "mul a0, t1, t4",
      "mulhu a1, t1, t4",
      "mul t5, t2, t4",
      "add a1, a1, t5",
      "add a0, a0, t3",
      "sltu t5, a0, t3",
      "add a1, a1, t5",
      "ret",
    ],
  }),

  // Critical sections on a kernel without a shared page: block every signal on the outermost enter,
  // restore the saved mask on the outermost leave (the kernel delivers what arrived meanwhile).
  crit_sigmask_enter: (ctx) => ({
    routine: [
      ...lpInto(ctx),
      `lw t1, ${ctx.lp.crit_depth}(t0)`,
      "addi t2, t1, 1",
      `sw t2, ${ctx.lp.crit_depth}(t0)`,
      "bnez t1, 1f",
      `li a0, ${ctx.constant("SIG_BLOCK")}`,
      "la a1, __all_signals",
      `addi a2, t0, ${ctx.lp.saved_mask}`,
      `li a3, ${ctx.constant("NSIG") / 8}`, // the sigset size
      ...trap(ctx, "rt_sigprocmask"),
      "1:",
      "li a0, 0",
      "ret",
    ],
  }),
  crit_sigmask_leave: (ctx, l) => ({
    routine: [
      ...lpInto(ctx),
      `lw t1, ${ctx.lp.crit_depth}(t0)`,
      `beqz t1, ${l}_unbalanced`,
      "addi t1, t1, -1",
      `sw t1, ${ctx.lp.crit_depth}(t0)`,
      "bnez t1, 1f",
      `li a0, ${ctx.constant("SIG_SETMASK")}`,
      `addi a1, t0, ${ctx.lp.saved_mask}`,
      "li a2, 0",
      `li a3, ${ctx.constant("NSIG") / 8}`, // the sigset size
      ...trap(ctx, "rt_sigprocmask"),
      "1:",
      "li a0, 0",
      "ret",
      ...unbalanced(l),
    ],
  }),

  // Critical sections through the shared page: no trap to enter; leaving traps only when the kernel
  // deferred a signal meanwhile.
  crit_shared_enter: (ctx) => ({
    inline: [
      ...lpInto(ctx),
      `lw t0, ${ctx.lp.shared_thread}(t0)`,
      `lw t1, ${ctx.field("shared_thread", "crit")}(t0)`,
      "addi t1, t1, 1",
      `sw t1, ${ctx.field("shared_thread", "crit")}(t0)`,
      "li a0, 0",
      "ret",
    ],
  }),
  crit_shared_leave: (ctx, l) => ({
    routine: [
      ...lpInto(ctx),
      `lw t0, ${ctx.lp.shared_thread}(t0)`,
      `lw t1, ${ctx.field("shared_thread", "crit")}(t0)`,
      `beqz t1, ${l}_unbalanced`,
      "addi t1, t1, -1",
      `sw t1, ${ctx.field("shared_thread", "crit")}(t0)`,
      "bnez t1, 1f",
      `lw t2, ${ctx.field("shared_thread", "pending")}(t0)`,
      "beqz t2, 1f",
      `li a7, ${ctx.nr("sigdeliver")}`,
      "ecall",
      "1:",
      "li a0, 0",
      "ret",
      ...unbalanced(l),
    ],
  }),

  // batch(reqs, count) where there is no ring: each request in turn, its result into its entry.
  batch_sequential: (ctx, l) => {
    const e = batchEntry(ctx);
    return {
      routine: [
        "mv t5, a0",
        "mv t6, a1",
        "li t4, 0",
        `${l}_loop:`,
        `bgeu t4, t6, ${l}_done`,
        `lw t0, ${e.op}(t5)`,
        `lw a0, ${e.fd}(t5)`,
        `lw a1, ${e.buf}(t5)`,
        `lw a2, ${e.len}(t5)`,
        `li t1, ${ctx.constant("BATCH_READ")}`,
        `beq t0, t1, ${l}_read`,
        `li t1, ${ctx.constant("BATCH_WRITE")}`,
        `beq t0, t1, ${l}_write`,
        `li a0, -${EINVAL}`,
        `j ${l}_store`,
        `${l}_read:`,
        `li a7, ${ctx.nr("read")}`,
        "ecall",
        `j ${l}_store`,
        `${l}_write:`,
        `li a7, ${ctx.nr("write")}`,
        "ecall",
        `${l}_store:`,
        `sw a0, ${e.result}(t5)`,
        `addi t5, t5, ${e.size}`,
        "addi t4, t4, 1",
        `j ${l}_loop`,
        `${l}_done:`,
        "mv a0, t6",
        "ret",
      ],
    };
  },

  // batch(reqs, count) on the ring: as many messages as the ring holds, one ring_enter, reap.
  batch_ring: (ctx, l) => {
    const e = batchEntry(ctx);
    const sq = (f: string) => ctx.field("ring", f);
    const sqe = (f: string) => ctx.field("sqe", f);
    const cqe = (f: string) => ctx.field("cqe", f);
    const sqeShift = Math.log2(ctx.struct("sqe").size);
    const cqeShift = Math.log2(ctx.struct("cqe").size);
    return {
      routine: [
        "mv t5, a0", // entries
        "mv t6, a1", // count
        "li a6, 0", // next entry to submit
        `${l}_chunk:`,
        `bgeu a6, t6, ${l}_done`,
        ...lpInto(ctx),
        `lw t0, ${ctx.lp.ring}(t0)`,
        "li a5, 0", // submitted in this chunk
        `${l}_fill:`,
        `bgeu a6, t6, ${l}_enter`,
        `lw t1, ${sq("sq_entries")}(t0)`,
        `bgeu a5, t1, ${l}_enter`,
        `li t2, ${e.size}`,
        "mul t2, a6, t2",
        "add a4, t5, t2",
        `lw t1, ${e.op}(a4)`,
        `li t2, ${ctx.constant("BATCH_READ")}`,
        `li t3, ${ctx.opcode("read")}`,
        `beq t1, t2, ${l}_put`,
        `li t2, ${ctx.constant("BATCH_WRITE")}`,
        `li t3, ${ctx.opcode("write")}`,
        `beq t1, t2, ${l}_put`,
        `li t2, -${EINVAL}`,
        `sw t2, ${e.result}(a4)`,
        "addi a6, a6, 1",
        `j ${l}_fill`,
        `${l}_put:`,
        `lw t1, ${sq("sq_tail")}(t0)`,
        `lw t2, ${sq("sq_entries")}(t0)`,
        "addi t2, t2, -1",
        "and t2, t1, t2",
        `slli t2, t2, ${sqeShift}`,
        `lw a3, ${sq("sq_offset")}(t0)`,
        "add a3, a3, t0",
        "add a3, a3, t2",
        `sh t3, ${sqe("opcode")}(a3)`,
        `sh zero, ${sqe("flags")}(a3)`,
        `sw a6, ${sqe("user_data")}(a3)`,
        `lw t2, ${e.fd}(a4)`,
        `sw t2, ${sqe("args")}(a3)`,
        `lw t2, ${e.buf}(a4)`,
        `sw t2, ${sqe("args") + 4}(a3)`,
        `lw t2, ${e.len}(a4)`,
        `sw t2, ${sqe("args") + 8}(a3)`,
        "addi t1, t1, 1",
        `sw t1, ${sq("sq_tail")}(t0)`,
        "addi a5, a5, 1",
        "addi a6, a6, 1",
        `j ${l}_fill`,
        `${l}_enter:`,
        `beqz a5, ${l}_chunk`,
        "mv a0, a5",
        "mv a1, a5",
        `li a7, ${ctx.nr("ring_enter")}`,
        "ecall",
        ...ERR_CHECK("t1"),
        `${l}_reap:`,
        `beqz a5, ${l}_chunk`,
        `lw t1, ${sq("cq_head")}(t0)`,
        `lw t2, ${sq("cq_entries")}(t0)`,
        "addi t2, t2, -1",
        "and t2, t1, t2",
        `slli t2, t2, ${cqeShift}`,
        `lw a3, ${sq("cq_offset")}(t0)`,
        "add a3, a3, t0",
        "add a3, a3, t2",
        `lw t2, ${cqe("user_data")}(a3)`,
        `lw t3, ${cqe("result")}(a3)`,
        `bgeu t2, t6, ${l}_skip`, // a completion that is not ours: never index past the array
        `li t4, ${e.size}`,
        "mul t4, t2, t4",
        "add t4, t5, t4",
        `sw t3, ${e.result}(t4)`,
        `${l}_skip:`,
        "addi t1, t1, 1",
        `sw t1, ${sq("cq_head")}(t0)`,
        "addi a5, a5, -1",
        `j ${l}_reap`,
        `${l}_done:`,
        "mv a0, t6",
        "ret",
      ],
    };
  },
};

/** `jal` to the pair's own slot `id`: its route (trap, message, recipe) is whatever this pair gives it. */
function slotCall(ctx: PairContext, id: string): string {
  const s = ctx.realisation.slots.find((x) => x.id === id);
  if (!s) throw new LayerError(`${ctx.program} has no slot ${id} for a recipe to call`);
  return `jal __slot_${s.slot}`;
}

/**
 * pread/pwrite(fd, buf, count, pos_lo, pos_hi) from the pair's lseek and read/write slots: save the
 * offset, seek, transfer, seek back. Not atomic (spec/abi/p4.md says so). A slot that fails has
 * already set errno and returned -1, which is passed on; the seek back keeps that errno.
 */
const positioned = (op: "read" | "write"): Recipe => (ctx, l) => ({
  routine: [
    "addi sp, sp, -32",
    "sw ra, 28(sp)",
    "sw a0, 0(sp)",
    "sw a1, 4(sp)",
    "sw a2, 8(sp)",
    "sw a3, 12(sp)",
    // A negative position is EINVAL; one past the 32-bit lseek slot's reach is EOVERFLOW.
    `bltz a4, ${l}_einval`,
    `bnez a4, ${l}_overflow`,
    `bltz a3, ${l}_overflow`,
    "li a1, 0",
    `li a2, ${ctx.constant("SEEK_CUR")}`,
    slotCall(ctx, "lseek"),
    `bltz a0, ${l}_out`,
    "sw a0, 16(sp)",
    "lw a0, 0(sp)",
    "lw a1, 12(sp)",
    `li a2, ${ctx.constant("SEEK_SET")}`,
    slotCall(ctx, "lseek"),
    `bltz a0, ${l}_out`,
    "lw a0, 0(sp)",
    "lw a1, 4(sp)",
    "lw a2, 8(sp)",
    slotCall(ctx, op),
    "sw a0, 20(sp)",
    "lw a0, 0(sp)",
    "lw a1, 16(sp)",
    `li a2, ${ctx.constant("SEEK_SET")}`,
    slotCall(ctx, "lseek"),
    "lw a0, 20(sp)",
    `${l}_out:`,
    "lw ra, 28(sp)",
    "addi sp, sp, 32",
    "ret",
    `${l}_einval:`,
    `li a0, -${errno.EINVAL}`,
    `j ${l}_fail`,
    `${l}_overflow:`,
    `li a0, -${errno.EOVERFLOW}`,
    `${l}_fail:`,
    "lw ra, 28(sp)",
    "addi sp, sp, 32",
    "j __err",
  ],
});

/** The recipes of the slots p4 added, for the kernels that lack their calls. */
const P4_RECIPES: Readonly<Record<string, Recipe>> = {
  // A call this kernel lacks and the layer cannot emulate soundly: ENOSYS, no trap.
  enosys: () => ({ inline: [`li a0, -${errno.ENOSYS}`, "j __err"] }),

  pread_seek: positioned("read"),
  pwrite_seek: positioned("write"),

  // fsync where the kernel has none: its file system is memory, so only the descriptor is checked.
  fsync_fcntl: (ctx) => ({
    routine: [`li a1, ${ctx.constant("F_GETFD")}`, "li a2, 0", ...trap(ctx, "fcntl64"), "li a0, 0", "ret"],
  }),

  // getrandom(buf, count, flags) as a read of /dev/urandom through the pair's own slots.
  getrandom_urandom: (ctx, l, str) => ({
    routine: [
      "addi sp, sp, -16",
      "sw ra, 12(sp)",
      "sw a0, 0(sp)",
      "sw a1, 4(sp)",
      `li a0, ${ctx.constant("AT_FDCWD")}`,
      `la a1, ${str("/dev/urandom")}`,
      `li a2, ${ctx.constant("O_RDONLY") | ctx.constant("O_CLOEXEC")}`,
      "li a3, 0",
      slotCall(ctx, "openat"),
      `bltz a0, ${l}_out`,
      "sw a0, 8(sp)",
      "lw a1, 0(sp)",
      "lw a2, 4(sp)",
      slotCall(ctx, "read"),
      "sw a0, 0(sp)",
      "lw a0, 8(sp)",
      slotCall(ctx, "close"),
      "lw a0, 0(sp)",
      `${l}_out:`,
      "lw ra, 12(sp)",
      "addi sp, sp, 16",
      "ret",
    ],
  }),

  // isatty(fd): TCGETS into the scratch buffer; 1 when the descriptor is a terminal.
  isatty_tcgets: (ctx) => {
    const room = ctx.lp.SIZE! - ctx.lp.scratch!;
    if (ctx.struct("termios").size > room) throw new LayerError(`${ctx.kernel}'s termios does not fit the layer's ${room}-byte scratch`);
    return { routine: [`li a1, ${ctx.constant("TCGETS")}`, ...scratchInto(ctx, "a2"), ...trap(ctx, "ioctl"), "li a0, 1", "ret"] };
  },
};

export const RECIPES: Readonly<Record<string, Recipe>> = { ...CORE_RECIPES, ...P4_RECIPES };

function batchEntry(ctx: PairContext) {
  const s = ctx.programStruct("batch_entry");
  const f = (n: string) => {
    const x = s.fields.find((y) => y.name === n);
    if (!x) throw new LayerError(`${ctx.program}'s batch_entry has no field ${n}`);
    return x.offset;
  };
  return { op: f("op"), fd: f("fd"), buf: f("buf"), len: f("len"), result: f("result"), size: s.size };
}
