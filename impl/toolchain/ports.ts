// `kiln ports build`: builds programs that someone else wrote — the Lua 5.4 interpreter and the
// SQLite shell, from Debian's source packages — as layered programs with the SDK (kiln cc's
// compiler flags, sdk/, picolibc), once per program ABI: DIR/<pN>/lua and DIR/<pN>/sqlite3.
//
// The sources come from scripts/fetch-port-sources.sh (pinned bookworm versions, .dsc checksums
// checked, cached outside the repository). Objects are cached per program ABI under the ports
// cache, keyed by a hash of the compiler command and the source, so a second build only links.
// A port names the slots it needs; a program ABI without one of them is skipped with a message
// naming the missing slots and the program ABIs that have them. docs/ports.md lists every compile
// option and why.
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join, resolve } from "node:path";
import { programs, programVersions } from "../../generated/index.ts";
import { CC, CcError, ccBuild, ccCompileCommand, GENERATED_C, PICOLIBC, REPO, SDK_DIR, sdkLibrary } from "./cc.ts";
import { C_CONSTANTS_HEADER } from "../../gen/types.ts";

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

/** Where compiled port objects are kept; override with KILN_PORTS_CACHE. */
export const PORTS_CACHE = process.env["KILN_PORTS_CACHE"] ?? join(process.env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "kiln", "ports");
export const PORTS_DIR = join(REPO, "ports");
export const DEFAULT_PORTS_OUT = "out/ports";

export interface PortOption {
  readonly flag: string;
  readonly why: string;
}

export interface PortRecipe {
  /** The output program's name (DIR/<pN>/<name>). */
  readonly name: string;
  /** The Debian source package it is built from. */
  readonly sourcePackage: string;
  /** The key of the directory fetch-port-sources.sh prints that the sources are taken from. */
  readonly sourceKey: string;
  /** Source files, relative to that directory (or absolute, for files under ports/). */
  sources(dir: string): string[];
  /** Include directories besides the SDK's, given the source directory. */
  includes(dir: string): string[];
  readonly options: readonly PortOption[];
  /** Slots the port cannot do without: a program ABI lacking one is skipped. */
  readonly needs: readonly PortOption[];
  /** Calls the port would use that the program ABI may lack (before p4), and what it does instead. */
  readonly wants: readonly PortOption[];
}

const LUA_CORE = [
  "lapi", "lcode", "lctype", "ldebug", "ldo", "ldump", "lfunc", "lgc", "llex", "lmem", "lobject", "lopcodes", "lparser",
  "lstate", "lstring", "ltable", "ltm", "lundump", "lvm", "lzio", "lauxlib", "lbaselib", "lcorolib", "ldblib", "liolib",
  "lmathlib", "loadlib", "loslib", "lstrlib", "ltablib", "lutf8lib", "linit", "lua",
];

export const RECIPES: readonly PortRecipe[] = [
  {
    name: "lua",
    sourcePackage: "lua5.4",
    sourceKey: "lua5.4",
    sources: (dir) => LUA_CORE.map((f) => join(dir, "src", `${f}.c`)),
    includes: () => [],
    options: [
      { flag: `-I${join(PORTS_DIR, "lua")}`, why: "Debian's luaconf.h patch includes lua5.4-deb-multiarch.h (DEB_HOST_MULTIARCH, only used in package.cpath); ports/lua has one" },
      { flag: "-O2", why: "as Debian builds it" },
    ],
    needs: [],
    wants: [
      { flag: "LUA_USE_POSIX", why: "not defined: it would need isatty (lua's interactive mode), popen/pclose (io.popen), mkstemp's fdopen and fseeko; without it Lua uses ISO C only (tmpnam, io.popen says 'not supported')" },
      { flag: "LUA_USE_DLOPEN", why: "not defined: no dynamic loading (require of C modules fails with a message)" },
      { flag: "isatty", why: "wanted by LUA_USE_POSIX's lua_stdin_is_tty; ISO mode assumes stdin is a terminal only when no script is given" },
    ],
  },
  {
    name: "sqlite3",
    sourcePackage: "sqlite3",
    sourceKey: "sqlite3-amalgamation",
    sources: (dir) => [join(dir, "sqlite3.c"), join(dir, "shell.c"), join(PORTS_DIR, "sqlite3", "kiln_vfs.c")],
    includes: (dir) => [dir],
    options: [
      { flag: "-O2", why: "as Debian builds it" },
      { flag: "-DSQLITE_OS_OTHER=1", why: "no os_unix.c: ports/sqlite3/kiln_vfs.c is the VFS, on the slots (it says what each missing slot costs)" },
      { flag: "-DSQLITE_THREADSAFE=0", why: "the shell is single-threaded; the VFS's lseek+read relies on one thread per file" },
      { flag: "-DSQLITE_TEMP_STORE=3", why: "temporary tables and indices in memory: the VFS opens no unnamed temporary files" },
      { flag: "-DSQLITE_OMIT_WAL", why: "WAL needs shared memory between processes (mmap of a -shm file) and record locks" },
      { flag: "-DSQLITE_MAX_MMAP_SIZE=0", why: "no memory-mapped I/O: the mmap slot maps anonymous memory only" },
      { flag: "-DSQLITE_OMIT_LOAD_EXTENSION", why: "no dynamic loading (Debian enables it; .load is therefore absent)" },
      { flag: "-DSQLITE_SECURE_DELETE", why: "as Debian (deleted content is overwritten with zeros)" },
      { flag: "-DSQLITE_ENABLE_COLUMN_METADATA", why: "as Debian" },
      { flag: "-DSQLITE_SOUNDEX=1", why: "as Debian" },
      { flag: "-DSQLITE_OMIT_LOOKASIDE=1", why: "as Debian" },
      { flag: "-DSQLITE_LIKE_DOESNT_MATCH_BLOBS", why: "as Debian" },
      { flag: "-DSQLITE_USE_URI=1", why: "as Debian" },
      { flag: "-DSQLITE_ENABLE_MATH_FUNCTIONS", why: "as Debian's configure (sqrt(), pow(), … in SQL)" },
      { flag: "-DSQLITE_DEFAULT_MEMSTATUS=0", why: "no memory statistics: fewer instructions per allocation" },
      { flag: "-DFILENAME_MAX=4096", why: "shell.c uses FILENAME_MAX, which picolibc's tiny stdio does not define; Linux's value" },
    ],
    needs: [
      { flag: "nanosleep", why: "the VFS's xSleep (the busy handler's waits)" },
      { flag: "clock_gettime", why: "the VFS's xCurrentTime in milliseconds (date('now'), .timer)" },
    ],
    wants: [
      { flag: "pread/pwrite", why: "p4 slots; before p4 every page read and write is lseek + read/write (on k2-k4 the layer does the same)" },
      { flag: "ftruncate", why: "p4 slot; before p4, or where a kernel answers ENOSYS (k2-k4), shrinking a file rewrites its prefix through open(O_TRUNC)" },
      { flag: "fsync/fdatasync", why: "p4 slot; before p4 xSync succeeds without one (the kernel's file system is in memory)" },
      { flag: "fcntl record locks (F_SETLK64/F_GETLK64)", why: "p4 has flock64, and every kernel's fcntl64 locks; before p4 locks are per process only, as SQLite's unix-none VFS" },
      { flag: "access", why: "p4 slot; before p4, or where a kernel answers ENOSYS, the SDK's access opens the file" },
      { flag: "getrandom", why: "p4 slot (read from /dev/urandom on k2-k4); before p4 xRandomness mixes the clock and the pid" },
      { flag: "isatty", why: "the shell's interactive mode is chosen by -interactive/-batch only" },
      { flag: "getpwuid/getuid", why: "no home directory: ~/.sqliterc is not read" },
    ],
  },
];

export class PortError extends Error {}

/** Runs scripts/fetch-port-sources.sh; returns its "key dir" lines as a map. */
export function fetchSources(): Map<string, string> {
  let out: string;
  try {
    out = execFileSync("bash", [join(REPO, "scripts", "fetch-port-sources.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  } catch (e) {
    throw new PortError(`fetching the Debian sources failed (scripts/fetch-port-sources.sh): ${(e as Error).message.split("\n")[0]}`);
  }
  const m = new Map<string, string>();
  for (const line of out.split("\n")) {
    const [k, d] = line.trim().split(/\s+/);
    if (k && d) m.set(k, d);
  }
  return m;
}

/** The slots of `recipe.needs` that program ABI `abi` lacks, and the program ABIs that have them all. */
export function missingSlots(recipe: PortRecipe, abi: string): { missing: string[]; haveAll: string[] } {
  const slotsOf = (p: string) => new Set(programs[p]?.slots.map((s) => s.id) ?? []);
  const have = slotsOf(abi);
  const missing = recipe.needs.map((n) => n.flag).filter((s) => !have.has(s));
  const haveAll = programVersions.filter((p) => recipe.needs.every((n) => slotsOf(p).has(n.flag)));
  return { missing, haveAll };
}

function compileOne(args: string[]): Promise<void> {
  return new Promise((res, rej) => {
    execFile(CC, args, { maxBuffer: 16 << 20 }, (err, _o, stderr) => {
      if (err) rej(new CcError(`compiling ${basename(args[args.indexOf("-c") + 1] ?? "?")} failed:\n${String(stderr).trimEnd()}`, 1));
      else res();
    });
  });
}

/** `text` with the checkout's path left out: the cache is shared by every checkout (CI's clean clones, worktrees). */
const inRepo = (text: string): string => text.split(REPO).join("<repo>");

/** Compiles `sources` (at most `jobs` at a time) into cached objects; returns their paths. */
async function compileCached(abi: string, recipe: PortRecipe, srcDir: string, jobs: number, log: (s: string) => void): Promise<string[]> {
  sdkLibrary(abi); // builds the SDK first (and checks the compiler and picolibc)
  // An object depends on the headers it sees (the SDK's, the generated header, picolibc's
  // configuration), the compiler, the command line and the source: that is the cache key.
  const headers = createHash("sha256");
  headers.update(execFileSync(CC, ["--version"], { encoding: "utf8" }));
  for (const f of [...listFiles(join(SDK_DIR, "include")), join(GENERATED_C, abi, "kiln.h"), join(GENERATED_C, C_CONSTANTS_HEADER), join(PICOLIBC, "include", "picolibc.h")]) {
    headers.update(inRepo(f)).update("\0").update(readFileSync(f)).update("\0");
  }
  const headerKey = headers.digest("hex");
  const sources = recipe.sources(srcDir);
  const flags = [...recipe.includes(srcDir).map((d) => `-I${d}`), ...recipe.options.filter((o) => o.flag !== "-O2").map((o) => o.flag)];
  const dir = join(PORTS_CACHE, `${abi}-${recipe.name}`);
  mkdirSync(dir, { recursive: true });
  const work: { args: string[]; obj: string; tmp: string }[] = [];
  const objs = sources.map((src) => {
    const h = createHash("sha256");
    h.update(headerKey).update("\0").update(readFileSync(src)).update("\0");
    const probe = ccCompileCommand(src, "OUT", abi, "2", flags);
    h.update(inRepo(probe.join(" ")));
    const obj = join(dir, `${basename(src, ".c")}-${h.digest("hex").slice(0, 16)}.o`);
    if (!existsSync(obj)) {
      const tmp = `${obj}.tmp-${process.pid}`;
      work.push({ args: ccCompileCommand(src, tmp, abi, "2", flags), obj, tmp });
    }
    return obj;
  });
  if (work.length) log(`  ${abi}/${recipe.name}: compiling ${work.length} file(s)`);
  let next = 0;
  const worker = async () => {
    while (next < work.length) {
      const w = work[next++]!;
      await compileOne(w.args);
      renameSync(w.tmp, w.obj);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, work.length)) }, worker));
  return objs;
}

export interface PortBuildResult {
  readonly abi: string;
  readonly port: string;
  readonly path?: string;
  readonly skipped?: string;
}

export interface PortBuildOptions {
  readonly out?: string;
  readonly abis?: readonly string[];
  readonly ports?: readonly string[];
  readonly jobs?: number;
  readonly log?: (s: string) => void;
}

/** Builds the ports for every program ABI (or those asked for). */
export async function buildPorts(o: PortBuildOptions = {}): Promise<PortBuildResult[]> {
  const log = o.log ?? (() => {});
  const out = resolve(o.out ?? DEFAULT_PORTS_OUT);
  const recipes = RECIPES.filter((r) => !o.ports || o.ports.includes(r.name));
  for (const p of o.ports ?? []) if (!RECIPES.some((r) => r.name === p)) throw new PortError(`no port '${p}' (have: ${RECIPES.map((r) => r.name).join(", ")})`);
  const abis = o.abis ?? programVersions;
  for (const a of abis) if (!(programVersions as readonly string[]).includes(a)) throw new PortError(`no program ABI '${a}' (have: ${programVersions.join(", ")})`);
  const srcs = fetchSources();
  const results: PortBuildResult[] = [];
  for (const abi of abis) {
    for (const r of recipes) {
      const { missing, haveAll } = missingSlots(r, abi);
      if (missing.length) {
        const msg = `${r.name} needs slot${missing.length > 1 ? "s" : ""} ${missing.join(", ")}, which program ABI ${abi} lacks (${haveAll.length ? `present in ${haveAll.join(", ")}` : "no program ABI has them all yet"})`;
        log(`  ${abi}/${r.name}: skipped: ${msg}`);
        results.push({ abi, port: r.name, skipped: msg });
        continue;
      }
      const dir = srcs.get(r.sourceKey);
      if (!dir) throw new PortError(`scripts/fetch-port-sources.sh gave no '${r.sourceKey}' directory`);
      const objs = await compileCached(abi, r, dir, o.jobs ?? 2, log);
      const dest = join(out, abi, r.name);
      const linked = join(PORTS_CACHE, `${abi}-${r.name}`, `${r.name}.linking-${process.pid}`);
      ccBuild({ sources: objs, out: linked, abi });
      mkdirSync(join(out, abi), { recursive: true });
      copyFileSync(linked, dest);
      rmSync(linked, { force: true });
      log(`  ${abi}/${r.name}: ${dest}`);
      results.push({ abi, port: r.name, path: dest });
    }
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "ports.json"), `${JSON.stringify(results.map((r) => ({ ...r, path: r.path ? join(r.abi, r.port) : undefined })), null, 2)}\n`);
  return results;
}
