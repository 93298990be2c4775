import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // spec/conformance has a node_modules of its own (the conformance suite's nested package).
    exclude: ['spec/bench/**', '**/node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Sockets make real noise; keep runs deterministic on a 2-core machine.
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    setupFiles: ['spec/support/fail-on-unhandled.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['spec/**/*.spec.ts'], exclude: ['spec/bench/**', 'spec/cluster/**', '**/node_modules/**'] },
      },
      {
        // The cluster fault suite: 3 node processes, a redis-server and clients per test, so its files
        // run one at a time, after every other file (group 1), with time for faults to play out.
        extends: true,
        test: {
          name: 'cluster',
          include: ['spec/cluster/**/*.spec.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
