import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 90_000,
          // One session libvirt per file; keep files sequential on 2 cores.
          fileParallelism: false,
        },
      },
      {
        test: {
          // `npm run bench`'s table of ratios (test/bench/table.bench-table.ts): figures, no assertion on time.
          name: 'bench-table',
          include: ['test/bench/**/*.bench-table.ts'],
          environment: 'node',
          testTimeout: 1_800_000,
          hookTimeout: 120_000,
        },
      },
    ],
    benchmark: { include: ['test/bench/**/*.bench.ts'] },
  },
});
