export * from './names.ts';
export * from './dot.ts';
export * from './errors.ts';
export * from './topic.ts';
export * from './message.ts';
export * from './frame.ts';
export * from './multipart.ts';
export * from '../result.ts';
