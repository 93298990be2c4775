import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['spec/**/*.spec.ts'],
    // spec/conformance has a node_modules of its own (the conformance suite's nested package).
    exclude: ['spec/bench/**', '**/node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Sockets make real noise; keep runs deterministic on a 2-core machine.
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    setupFiles: ['spec/support/fail-on-unhandled.ts'],
  },
});
