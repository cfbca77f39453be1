import { describe, expect, it } from 'vitest';
import { nulSeparated } from './cdp-page.ts';

describe('the DevTools pipe framing', () => {
  it('gives each NUL-ended message whole, however the chunks cut it', () => {
    const got: string[] = [];
    const feed = nulSeparated((t) => got.push(t));
    for (const chunk of ['{"id":1}\0{"id"', ':2,"x":"', 'a"}', '\0', '\0{"id":3}\0{"i']) feed(chunk);
    expect(got).toEqual(['{"id":1}', '{"id":2,"x":"a"}', '', '{"id":3}']);
    feed('d":4}\0');
    expect(got.at(-1)).toBe('{"id":4}');
  });
});
