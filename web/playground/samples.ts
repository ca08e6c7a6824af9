// The playground's sample programs, built when the site is built: each C source with the SDK
// (`kiln cc`'s ccBuild) once per program ABI, embedded base64 in playground-samples.js (a plain
// script, so it loads from file:// where fetch cannot). Builds are cached by a hash of the sources,
// the SDK, the generated headers and the compiler, next to the bundle cache. Without the RISC-V
// cross compiler the site still builds: the playground then says how to install it.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { CC, ccBuild, haveCrossCompiler, programAbis, REPO, SDK_DIR, GENERATED_C } from "../../impl/toolchain/cc.ts";
import type { SampleData } from "./page.ts";

const HERE = dirname(fileURLToPath(import.meta.url));

export interface SampleSpec {
  readonly id: string;
  readonly title: string;
  /** The C source, relative to the repository. */
  readonly source: string;
  readonly argv: readonly string[];
  readonly files: Readonly<Record<string, string>>;
  readonly stdin: string;
  /** What the sample shows. */
  readonly about: string;
}

const POEM = `The kernel may renumber every call,
and change the shape of stat and all;
the layer in the stub page stands between,
so programs run on kernels never seen.
`;

export const SAMPLES: readonly SampleSpec[] = [
  { id: "hello", title: "hello", source: "examples/hello.c", argv: ["hello"], files: {}, stdin: "", about: "prints a greeting: one write (a message on the k3 ring) and exit." },
  { id: "wc", title: "wc on a short text", source: "examples/wc.c", argv: ["wc", "/poem.txt"], files: { "/poem.txt": POEM }, stdin: "", about: "counts the lines, words and bytes of a four-line file: openat, read, fstat, close." },
  {
    id: "sysinfo",
    title: "sysinfo: getpid, monotonic_ns, fstat",
    source: relative(REPO, join(HERE, "samples/sysinfo.c")),
    argv: ["sysinfo"],
    files: { "/etc/motd": "welcome to kiln\n" },
    stdin: "",
    about: "calls whose route changes with the kernel: getpid and monotonic_ns (p2+) run in userspace on k2 and k3; fstat is translated between stat layouts.",
  },
];

export interface BuiltSamples {
  /** The text of playground-samples.js. */
  readonly js: string;
  readonly data: SampleData;
  /** Why there are no samples (no cross compiler), or null. */
  readonly missing: string | null;
  readonly cached: boolean;
  readonly ms: number;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

function inputsHash(abis: readonly string[]): string {
  const h = createHash("sha256");
  h.update(`${CC}\0${abis.join(",")}\0`).update(JSON.stringify(SAMPLES)).update("\0");
  const files = [fileURLToPath(import.meta.url), join(REPO, "impl/toolchain/cc.ts"), ...SAMPLES.map((s) => join(REPO, s.source)), ...listFiles(SDK_DIR), ...abis.map((a) => join(GENERATED_C, a, "kiln.h"))];
  for (const f of files) h.update(relative(REPO, f)).update("\0").update(existsSync(f) ? readFileSync(f) : "").update("\0");
  return h.digest("hex").slice(0, 20);
}

export function samplesScript(data: SampleData): string {
  return `// The playground's sample programs (built by kiln site with kiln cc). Generated; do not edit.\nglobalThis.KILN_SAMPLES = ${JSON.stringify(data)};\n`;
}

/** Build (or take from the cache) every sample for every program ABI that has a C header. */
export function buildSamples(cacheDir: string): BuiltSamples {
  const started = performance.now();
  if (!haveCrossCompiler()) {
    const missing = `the RISC-V cross compiler '${CC}' is not installed, so the site has no sample programs (Debian: apt-get install gcc-riscv64-unknown-elf)`;
    const data: SampleData = { samples: [] };
    return { js: samplesScript(data), data, missing, cached: false, ms: performance.now() - started };
  }
  const abis = programAbis();
  const file = join(cacheDir, `samples-${inputsHash(abis)}.js`);
  const dataFile = `${file}on`;
  if (existsSync(file) && existsSync(dataFile)) {
    const data = JSON.parse(readFileSync(dataFile, "utf8")) as SampleData;
    return { js: readFileSync(file, "utf8"), data, missing: null, cached: true, ms: performance.now() - started };
  }
  const tmp = mkdtempSync(join(tmpdir(), "kiln-samples-"));
  try {
    const samples = SAMPLES.map((s) => {
      const elf: Record<string, string> = {};
      for (const abi of abis) {
        const out = join(tmp, `${s.id}-${abi}.elf`);
        ccBuild({ sources: [join(REPO, s.source)], out, abi, opt: "2" });
        elf[abi] = readFileSync(out).toString("base64");
      }
      return { id: s.id, title: s.title, argv: s.argv, files: s.files, stdin: s.stdin, elf };
    });
    const data: SampleData = { samples };
    const js = samplesScript(data);
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(file, js);
    writeFileSync(dataFile, JSON.stringify(data));
    return { js, data, missing: null, cached: false, ms: performance.now() - started };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
