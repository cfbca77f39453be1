export * from './states.ts';
export * from './validate.ts';
export * from './calls.ts';
export * from './uri.ts';
export * from './catalogue.ts';
export * from './integrations.ts';
export * from './auto-pull.ts';
export * from './paths.ts';
