import { describe, expect, it } from 'vitest';
import { savedMachines } from './ui.ts';

describe('the saved machine filter', () => {
  it('is read back when it is a short list of names, and as no filter otherwise', () => {
    expect(savedMachines('["STAGE-B"]')).toEqual(['STAGE-B']);
    expect(savedMachines(null)).toEqual([]);
    expect(savedMachines('not json')).toEqual([]);
    expect(savedMachines('{"0":"STAGE-B"}')).toEqual([]);
    expect(savedMachines('[1]')).toEqual([]);
    expect(savedMachines(JSON.stringify(['x'.repeat(300)]))).toEqual([]);
  });
});
