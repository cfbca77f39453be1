import { describe, expect, it } from 'vitest';
import { problemKind } from './connection-problem.ts';

describe('problemKind', () => {
  it.each([
    ['ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9', 'refused'],
    ['ENOTFOUND: getaddrinfo ENOTFOUND no-such-host.invalid', 'unknown-host'],
    ['EAI_AGAIN: getaddrinfo EAI_AGAIN studio-hub', 'unknown-host'],
    ['the hub refused the connection (HTTP 401): wrong or missing token', 'token'],
    ['the hub refused the connection (HTTP 403): wrong or missing token', 'token'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate', 'tls'],
    ['no answer from the hub at zmq://x within 5 s (is a Data Hub running there?)', 'timeout'],
    ['no heartbeat back from the hub for 6.1 s', 'no-heartbeat'],
    ['connection lost', 'lost'],
    ['the Data Hub at 127.0.0.1 dropped the connection', 'lost'],
    ['disconnected by the panel', 'stopped'],
    ['the hub answered HTTP 500', 'other'],
  ])('%s → %s', (reason, kind) => {
    expect(problemKind(reason)).toBe(kind);
  });
});
