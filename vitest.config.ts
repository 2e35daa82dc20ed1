import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    exclude: ['tests/docker/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Spawned daemons and a browser share two cores: keep parallelism modest.
    maxWorkers: 2,
    pool: 'forks',
  },
});
