import { defineConfig } from "vitest/config";

// Two projects: everything in parallel, then the timing-sensitive tests (achieved request rates)
// alone, so other test files cannot starve their timers on a small CI machine.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: { name: "main", include: ["test/**/*.test.ts"], exclude: ["test/**/*.timing.test.ts"] },
      },
      {
        extends: true,
        test: { name: "timing", include: ["test/**/*.timing.test.ts"], fileParallelism: false },
      },
    ],
  },
});
