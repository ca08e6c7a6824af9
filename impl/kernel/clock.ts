// The emulated clocks' rate, shared by the kernel and the time and process handlers (a module of its
// own so the handlers need not import kernel.ts).
/** Each retired instruction advances the clocks by 1 ns; rdtime counts nanoseconds (timebase 1 GHz, spec/shared-page.md). */
export const NS_PER_INSN = 1n;
export const RDTIME_DIVISOR = 1n;
