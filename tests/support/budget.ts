// Budgets of the randomised tests. The default keeps `bash scripts/test.sh` under five minutes on a
// two-core machine; KILN_FUZZ=long runs the long budgets (minutes per fuzzer, for a soak before a
// release or after touching the kernel's handlers or the ELF reader). Seeds are fixed either way,
// and a long run covers every call of the default one (it runs the same sequence further).
export const FUZZ_LONG = process.env["KILN_FUZZ"] === "long";

/** `normal` by default, `long` under KILN_FUZZ=long. */
export function fuzzBudget(normal: number, long: number): number {
  return FUZZ_LONG ? long : normal;
}
