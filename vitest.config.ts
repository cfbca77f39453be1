import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{shared,peer,main,services,renderer,scripts,bench}/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The JSON report feeds the CI's "N passed, N failed" line (scripts/count-results.mjs).
    reporters: ['default', ['json', { outputFile: 'test-results/unit.json' }]],
  },
});
