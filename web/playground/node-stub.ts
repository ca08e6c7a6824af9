// Stands in for node:fs and node:path in the browser bundle of the engine (web/playground/bundle.ts
// aliases them here). The engine reaches modules that import them but never calls what needs the
// host: Vfs.importHostDir, hostStdio and layersFromDir. Anything called anyway throws.
const unavailable =
  (name: string) =>
  (..._args: unknown[]): never => {
    throw new Error(`${name} is not available in the browser`);
  };

export const readFileSync = unavailable("fs.readFileSync");
export const readdirSync = unavailable("fs.readdirSync");
export const readSync = unavailable("fs.readSync");
export const writeSync = unavailable("fs.writeSync");
export const lstatSync = unavailable("fs.lstatSync");
export const statSync = unavailable("fs.statSync");
export const readlinkSync = unavailable("fs.readlinkSync");
export const existsSync = (): boolean => false;
export const join = (...parts: string[]): string => parts.join("/").replace(/\/+/g, "/");
export const resolve = join;
export const basename = (p: string): string => p.slice(p.lastIndexOf("/") + 1);
export const dirname = (p: string): string => p.slice(0, Math.max(0, p.lastIndexOf("/"))) || "/";
export default { readFileSync, readdirSync, readSync, writeSync, lstatSync, statSync, readlinkSync, existsSync, join, resolve, basename, dirname };
