// sdk/kiln.ld restates one spec constant, because a linker script cannot include the C header.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { constants } from "../../generated/index.ts";

describe("sdk/kiln.ld", () => {
  it("keeps the spec's LAYER_RESERVE free after the stub region", () => {
    const ld = readFileSync(join(import.meta.dirname, "../../sdk/kiln.ld"), "utf8");
    const m = /^LAYER_RESERVE = (0x[0-9a-fA-F]+|\d+);/m.exec(ld);
    expect(m, "LAYER_RESERVE assignment in sdk/kiln.ld").not.toBeNull();
    expect(Number(m![1])).toBe(constants.layer.LAYER_RESERVE);
  });
});
