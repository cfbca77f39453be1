import { describe, expect, it } from 'vitest';
import { displayInPathStyle } from './model.ts';

describe('displayInPathStyle', () => {
  it('gives a Windows workspace one form of separators', () => {
    expect(displayInPathStyle('%SYNCED_STORAGE%/Projects\\Show', 'C:\\Users\\op\\Synced Storage\\Projects\\Show')).toBe('%SYNCED_STORAGE%\\Projects\\Show');
    expect(displayInPathStyle('%SYNCED_STORAGE%/Projects/Show', 'C:/Users/op/Synced Storage/Projects/Show')).toBe('%SYNCED_STORAGE%\\Projects\\Show');
    expect(displayInPathStyle('\\\\nas/show', '\\\\nas\\show')).toBe('\\\\nas\\show');
  });

  it('leaves a POSIX display as it is: a backslash there is part of a name', () => {
    expect(displayInPathStyle('%SYNCED_STORAGE%/Projects/a\\b', '/home/op/Synced Storage/Projects/a\\b')).toBe('%SYNCED_STORAGE%/Projects/a\\b');
  });
});
