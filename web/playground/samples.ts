// The playground's sample programs, built when the site is built: each C source with the SDK
// (`kiln cc`'s ccBuild) once per program ABI, embedded base64 in playground-samples.js (a plain
// script, so it loads from file:// where fetch cannot). Builds are cached by a hash of the sources,
// the SDK, the generated headers and the compiler, next to the bundle cache. Without the RISC-V
// cross compiler the site still builds: the playground then says how to install it.
//
// The Lua sample is the Lua port (impl/toolchain/ports.ts) built by `kiln ports build --only lua`
// in a child process (buildPorts is asynchronous, the site build is not), which reuses the ports'
// object cache; its script is edited on the page and written to the guest before each run. No
// Debian sources or picolibc: the site builds without it and warns.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { CC, ccBuild, haveCrossCompiler, havePicolibc, programAbis, REPO, SDK_DIR, GENERATED_C } from "../../impl/toolchain/cc.ts";
import { DEFAULT_PORTS_OUT, fetchSources, PORTS_DIR, RECIPES } from "../../impl/toolchain/ports.ts";
import type { SampleData } from "./page.ts";
import { C_CONSTANTS_HEADER } from "../../gen/types.ts";

const HERE = dirname(fileURLToPath(import.meta.url));

export interface SampleSpec {
  readonly id: string;
  readonly title: string;
  /** The C source (or, for a port, the default script), relative to the repository. */
  readonly source: string;
  /** A port (impl/toolchain/ports.ts) run on a script the page lets one edit, instead of a C program. */
  readonly port?: { readonly name: string; readonly script: string };
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
  {
    id: "lua",
    title: "Lua: your script",
    source: relative(REPO, join(HERE, "samples/main.lua")),
    port: { name: "lua", script: "/main.lua" },
    argv: ["lua", "/main.lua"],
    files: {},
    stdin: "",
    about: "the Lua 5.4 interpreter built from Debian's sources (kiln ports build) runs the script you edit: floats, string patterns, a coroutine, a file written and read back.",
  },
];

export interface BuiltSamples {
  /** The text of playground-samples.js. */
  readonly js: string;
  readonly data: SampleData;
  /** Why there are no samples (no cross compiler), or null. */
  readonly missing: string | null;
  /** Samples left out and why (a port without its sources), for the site's warnings. */
  readonly warnings: readonly string[];
  readonly cached: boolean;
  readonly ms: number;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

/** `ports`: each port's source directory, or why it is missing (part of the key either way). */
function inputsHash(abis: readonly string[], ports: Readonly<Record<string, string>>): string {
  const h = createHash("sha256");
  h.update(`${CC}\0${abis.join(",")}\0`).update(JSON.stringify(SAMPLES)).update("\0").update(JSON.stringify(ports)).update("\0");
  const portFiles = Object.keys(ports).length ? [join(REPO, "impl/toolchain/ports.ts"), join(REPO, "scripts/fetch-port-sources.sh"), ...Object.keys(ports).flatMap((p) => (existsSync(join(PORTS_DIR, p)) ? listFiles(join(PORTS_DIR, p)) : []))] : [];
  const files = [fileURLToPath(import.meta.url), join(REPO, "impl/toolchain/cc.ts"), ...portFiles, ...SAMPLES.map((s) => join(REPO, s.source)), ...listFiles(SDK_DIR), ...abis.map((a) => join(GENERATED_C, a, "kiln.h")), join(GENERATED_C, C_CONSTANTS_HEADER)];
  for (const f of files) h.update(relative(REPO, f)).update("\0").update(existsSync(f) ? readFileSync(f) : "").update("\0");
  return h.digest("hex").slice(0, 20);
}

export function samplesScript(data: SampleData): string {
  return `// The playground's sample programs (built by kiln site with kiln cc). Generated; do not edit.\nglobalThis.KILN_SAMPLES = ${JSON.stringify(data)};\n`;
}

/**
 * Build (or take from the cache) every sample for every program ABI that has a C header.
 * `fetchSources` stands in for the ports' (tests: sources that cannot be fetched).
 */
export function buildSamples(cacheDir: string, opts: { readonly fetchSources?: () => Map<string, string> } = {}): BuiltSamples {
  const started = performance.now();
  if (!haveCrossCompiler()) {
    const missing = `the RISC-V cross compiler '${CC}' is not installed, so the site has no sample programs (Debian: apt-get install gcc-riscv64-unknown-elf)`;
    const data: SampleData = { samples: [] };
    return { js: samplesScript(data), data, missing, warnings: [], cached: false, ms: performance.now() - started };
  }
  const abis = programAbis();
  const ports = portSources(opts.fetchSources ?? fetchSources);
  const warnings = Object.entries(ports)
    .filter(([, d]) => d.startsWith("!"))
    .map(([p, d]) => `the playground has no ${p} sample: ${d.slice(1)}`);
  let portFailed = false;
  const file = join(cacheDir, `samples-${inputsHash(abis, ports)}.js`);
  const dataFile = `${file}on`;
  if (existsSync(file) && existsSync(dataFile)) {
    const data = JSON.parse(readFileSync(dataFile, "utf8")) as SampleData;
    return { js: readFileSync(file, "utf8"), data, missing: null, warnings, cached: true, ms: performance.now() - started };
  }
  const tmp = mkdtempSync(join(tmpdir(), "kiln-samples-"));
  try {
    const samples = SAMPLES.flatMap((s) => {
      if (s.port) {
        if (ports[s.port.name]?.startsWith("!")) return [];
        let built: Record<string, string>;
        try {
          built = buildPort(s.port.name, abis, join(tmp, "ports"));
        } catch (e) {
          // Left out of this build and of the cache, so the next build tries again.
          warnings.push(`the playground has no ${s.port.name} sample: kiln ports build failed: ${String((e as { stderr?: string }).stderr ?? (e as Error).message).trim().split("\n")[0]}`);
          portFailed = true;
          return [];
        }
        const script = readFileSync(join(REPO, s.source), "utf8");
        // The same run on the command line: {program} and {kernel} are filled in by the page.
        const kiln = `kiln ports build --only ${s.port.name} -p {program} && kiln run --kernel {kernel} --root DIR --trace ${DEFAULT_PORTS_OUT}/{program}/${s.port.name} ${s.argv.slice(1).join(" ")}`;
        return [{ id: s.id, title: s.title, argv: s.argv, files: s.files, stdin: s.stdin, elf: built, script: { path: s.port.script, text: script }, kiln }];
      }
      const elf: Record<string, string> = {};
      for (const abi of abis) {
        const out = join(tmp, `${s.id}-${abi}.elf`);
        ccBuild({ sources: [join(REPO, s.source)], out, abi, opt: "2" });
        elf[abi] = readFileSync(out).toString("base64");
      }
      return [{ id: s.id, title: s.title, argv: s.argv, files: s.files, stdin: s.stdin, elf }];
    });
    const data: SampleData = { samples };
    const js = samplesScript(data);
    if (!portFailed) {
      mkdirSync(cacheDir, { recursive: true });
      writeFileSync(file, js);
      writeFileSync(dataFile, JSON.stringify(data));
    }
    return { js, data, missing: null, warnings, cached: false, ms: performance.now() - started };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Each port a sample uses → its Debian source directory, or "!" and why it cannot be built. */
function portSources(fetch: () => Map<string, string>): Record<string, string> {
  const names = [...new Set(SAMPLES.flatMap((s) => (s.port ? [s.port.name] : [])))];
  if (!names.length) return {};
  const out: Record<string, string> = {};
  let dirs: Map<string, string> | null = null;
  let why = "";
  if (!havePicolibc()) why = "picolibc is not installed (Debian: apt-get install picolibc-riscv64-unknown-elf)";
  else {
    try {
      dirs = fetch();
    } catch (e) {
      why = `${(e as Error).message} (bash scripts/install.sh fetches the sources)`;
    }
  }
  for (const n of names) {
    const key = RECIPES.find((r) => r.name === n)?.sourceKey ?? n;
    const dir = dirs?.get(key);
    out[n] = dir ?? `!${why || `scripts/fetch-port-sources.sh gave no '${key}' directory`}`;
  }
  return out;
}

/**
 * Builds port `name` for `abis` with `kiln ports build` (objects from the ports' cache) into
 * `out`; returns program ABI → the binary in base64, for the ABIs the port was built for.
 */
function buildPort(name: string, abis: readonly string[], out: string): Record<string, string> {
  execFileSync(process.execPath, [join(REPO, "bin", "kiln"), "ports", "build", "--only", name, "--out", out, ...abis.flatMap((a) => ["-p", a])], {
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  const elf: Record<string, string> = {};
  for (const abi of abis) {
    const f = join(out, abi, name);
    if (existsSync(f)) elf[abi] = readFileSync(f).toString("base64");
  }
  return elf;
}
