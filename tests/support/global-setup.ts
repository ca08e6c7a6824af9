// Runs once per `vitest run`, before any test file: a scratch directory for the whole run, where
// things every test file would otherwise build again are built once (tests/support/shared-site.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's scratch directory. */
    kilnRunDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), "kiln-run-"));
  project.provide("kilnRunDir", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
