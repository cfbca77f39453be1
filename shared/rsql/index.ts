export * from './filter.ts';
export * from './evaluate.ts';
export { matchesPattern } from './pattern.ts';
export * from './revisions.ts';
export * from './delta.ts';
export { normalizeRsql } from './normalize.ts';
export * from './query.ts';
