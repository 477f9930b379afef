import { defineConfig } from 'vitest/config';

// Three projects, all run by `npm test`: unit (pure code and single modules, under a minute:
// `npm run test:unit`), e2e (whole builds, the R reference cases, the fuzzing of damaged input,
// the sample data sets written whole)
// and browser (the built site in Chromium).
const shared = {
  // Dates are local calendar days in the configured zone; pin the process zone so nothing
  // accidentally depends on the machine's.
  env: { TZ: 'UTC' },
  // charts drawn in tests are made in the build side's document, as in Astro's process
  setupFiles: ['tests/setup.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
};
const E2E = ['tests/e2e/**/*.test.ts', 'tests/reference/**/*.test.ts', 'tests/fuzz/**/*.test.ts', 'tests/sample/**/*.test.ts'];

export default defineConfig({
  test: {
    // one temp folder per run, removed at its end (tests/temp-root.ts)
    globalSetup: ['tests/temp-root.ts'],
    projects: [
      // unit files share their workers' module cache (isolate off): the chart document and the
      // DuckDB bindings load once per worker, not once per file (a quarter of the suite's time)
      { test: { ...shared, name: 'unit', include: ['tests/**/*.test.ts'], exclude: [...E2E, 'tests/browser/**'], isolate: false } },
      { test: { ...shared, name: 'e2e', include: E2E } },
      { test: { ...shared, name: 'browser', include: ['tests/browser/**/*.test.ts'] } },
    ],
  },
});
