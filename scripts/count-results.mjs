// Prints the CI's closing line, "N passed, N failed", adding up Vitest's and Playwright's JSON reports.
// Usage: node scripts/count-results.mjs [exit code of the test command]. A failing test command whose reports show
// no failed test (lint or type-check failed, or a runner crashed) counts as one failure, so the line never says
// "0 failed" for a red run.
import { existsSync, readFileSync } from 'node:fs';

function read(file) {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;

const unit = read('test-results/unit.json');
if (unit) {
  passed += unit.numPassedTests ?? 0;
  failed += unit.numFailedTests ?? 0;
  skipped += (unit.numPendingTests ?? 0) + (unit.numTodoTests ?? 0);
}

const e2e = read('test-results/e2e.json');
if (e2e?.stats) {
  passed += (e2e.stats.expected ?? 0) + (e2e.stats.flaky ?? 0);
  failed += e2e.stats.unexpected ?? 0;
  skipped += e2e.stats.skipped ?? 0;
}

const exitCode = Number(process.argv[2] ?? 0);
if (exitCode !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
