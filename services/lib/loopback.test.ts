import { expect, it } from 'vitest';
import { isLoopbackHost } from './loopback.ts';

it('knows loopback addresses', () => {
  for (const h of ['127.0.0.1', '127.8.9.10', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
  for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.com', '128.0.0.1', '::ffff:10.0.0.1', '']) expect(isLoopbackHost(h), h).toBe(false);
});
