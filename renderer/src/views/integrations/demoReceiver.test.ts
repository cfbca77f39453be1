import { describe, expect, it } from 'vitest';
import { DEMO_RECEIVER_RULE } from '../../../../shared/assethub/demo-receiver.ts';
import { describeRule, isDemoReceiver } from './demoReceiver.ts';

describe('the demo receiver in the Integrations view', () => {
  it('is an endpoint on the receiver’s origin, and only that', () => {
    const url = 'http://127.0.0.1:40123/webhook';
    expect(isDemoReceiver(url, url)).toBe(true);
    expect(isDemoReceiver('http://127.0.0.1:40123/', url)).toBe(true);
    expect(isDemoReceiver('http://127.0.0.1:40124/webhook', url)).toBe(false);
    expect(isDemoReceiver('http://localhost:40123/webhook', url)).toBe(false);
    expect(isDemoReceiver('https://dam.example.com/webhook', url)).toBe(false);
    expect(isDemoReceiver('not a url', url)).toBe(false);
  });

  it('says what its rule does, naming the assets it fails', () => {
    expect(describeRule(DEMO_RECEIVER_RULE)).toBe('leaves every asset whose URI contains “T_Sky.png” out of its answer');
    expect(describeRule(null)).toBeNull();
    expect(describeRule({ mode: 'status500', failUris: '/\\.fbx$/i', rate: 0.25 })).toBe('answers HTTP 500 to a request that carries an asset whose URI matches /\\.fbx$/i (25 % of the time)');
    expect(describeRule({ mode: ['timeout', 'malformed'] })).toBe(
      'picks at random, per request: it never answers any request, so the server times out; or it answers any request with a body that is not JSON',
    );
    expect(describeRule({ mode: 'dropItem' })).toBe('leaves a random half of the assets of every request out of its answer');
  });
});
