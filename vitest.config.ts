import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    // beforeAll hooks build things (the site, C programs): on a loaded two-core machine that takes
    // longer than vitest's default 10 s.
    hookTimeout: 300_000,
    globalSetup: ["tests/support/global-setup.ts"],
    pool: "forks",
  },
});
