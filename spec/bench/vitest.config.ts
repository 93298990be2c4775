import { defineConfig } from 'vitest/config';

/** Runs the benchmark smoke test, which the root config leaves out of `npm test` (it takes about a minute). */
export default defineConfig({
  test: {
    root: new URL('../../', import.meta.url).pathname,
    include: ['spec/bench/**/*.spec.ts'],
    testTimeout: 240_000,
    pool: 'forks',
    setupFiles: ['spec/support/fail-on-unhandled.ts'],
  },
});
