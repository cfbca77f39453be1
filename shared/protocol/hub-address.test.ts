import { describe, expect, it } from 'vitest';
import { describeHub, parseHubAddress, zmqHubUrl } from './hub-address.ts';

const ok = (text: string) => {
  const r = parseHubAddress(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const problem = (text: string) => {
  const r = parseHubAddress(text);
  if (r.ok) throw new Error(`${text} parsed`);
  return r.error;
};

describe('hub addresses', () => {
  it('reads WebSocket URLs as the project hub', () => {
    expect(ok('ws://127.0.0.1:16209')).toEqual({ fabric: 'ws', url: 'ws://127.0.0.1:16209' });
    expect(ok('  wss://hub.studio:443/ ')).toEqual({ fabric: 'ws', url: 'wss://hub.studio:443/' });
  });

  it('reads zmq:// with Pixotope ports by default, other ports by query, and writes one canonical form', () => {
    expect(ok('zmq://STAGE-A')).toMatchObject({ fabric: 'zmq', host: 'STAGE-A', subPort: 16201, pubPort: 16202, url: 'zmq://STAGE-A' });
    expect(ok('zmq://127.0.0.1?pub=5002&sub=5001')).toMatchObject({ subPort: 5001, pubPort: 5002, url: 'zmq://127.0.0.1?sub=5001&pub=5002' });
    expect(ok('zmq://127.0.0.1/?sub=16201&pub=16202').url).toBe('zmq://127.0.0.1');
    expect(ok('zmq://[::1]?sub=1&pub=2')).toMatchObject({ host: '[::1]', url: 'zmq://[::1]?sub=1&pub=2' });
    expect(zmqHubUrl('::1', 1, 2)).toBe('zmq://[::1]?sub=1&pub=2');
    expect(describeHub(ok('zmq://h'))).toBe('Pixotope Data Hub (ZeroMQ) h (ports 16201/16202)');
  });

  it('says what is wrong with a bad address', () => {
    expect(problem('16201')).toMatch(/not a hub address/);
    expect(problem('http://h')).toMatch(/not a hub scheme/);
    expect(problem('zmq://h:16201')).toMatch(/two ports/);
    expect(problem('zmq://h?sub=16201&pub=16201')).toMatch(/two different ports/);
    expect(problem('zmq://h?sub=99999')).toMatch(/TCP port/);
    expect(problem('zmq://h?port=1')).toMatch(/unknown zmq:\/\/ option "port"/);
    expect(problem('zmq://h/path')).toMatch(/no path/);
    expect(problem('zmq://user@h')).toMatch(/no user/);
    expect(problem('zmq://')).toMatch(/names no host/);
  });
});
