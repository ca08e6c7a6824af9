// The validator: every rule a spec must satisfy before anything is generated from it.
import type { Reporter } from "./diagnostics.ts";
import type { Spec } from "./model.ts";

export function validate(_spec: Spec, _report: Reporter): void {}
