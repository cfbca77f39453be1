// 10,000 random, random-JSON and mutated frames (text and binary) from one peer: afterwards the hub still routes a
// valid message between two other peers, the fuzzing peer is still connected, and the invalid frames were counted.
import fc from 'fast-check';
import { mutatedFrames } from '../../scripts/testing/mutate.ts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, envelope, topicPrefix, type Envelope } from '../../shared/protocol/index.ts';
import { silentLogger } from '../lib/log.ts';
import { startHub, type Hub } from './hub.ts';
import { connectPeer, type TestPeer } from './testing/test-peer.ts';

const SAMPLES: Envelope[] = [
  envelope<'Get'>({ Type: 'Get', Target: 'AssetHubServer', Name: 'State', RespondTo: 'OPS-AssetHubPanel' }, {}),
  envelope<'Set'>({ Type: 'Set', Target: 'AssetHubServer', Name: 'State.Repositories.Project[dot]Beta.AutoPull' }, { Value: true }),
  envelope<'Update'>({ Type: 'Update', Target: 'BROADCAST', Source: 'AssetHubServer', Name: 'LOWPRIO_State' }, { Value: { a: [1, 2] } }),
  envelope<'Call'>({ Type: 'Call', Target: 'AssetHubServer', RespondTo: 'P', Method: 'CreateRepository', ID: '42' }, { Params: { Name: 'x' } }),
  envelope<'CallResult'>({ Type: 'CallResult', Target: 'P', ExecutedOn: 'AssetHubServer', Method: 'Health', ID: '1' }, { Failure: { Message: 'm', Code: 'C' } }),
  envelope<'Identify'>({ Type: 'Identify', Source: 'P' }, {}),
  envelope<'Get'>({ Type: 'Get', Target: 'DataHub', Name: 'Stats', RespondTo: 'P' }, {}),
  envelope<'Log'>({ Type: 'Log', Target: 'P', Source: 'Hub' }, { Level: 'Warning', Message: 'dropped' }),
];
const VALID = SAMPLES.map((s) => encodeFrame(s)).concat(encodeFrame(SAMPLES[2] as Envelope, 3), '{"Subscribe":["{\\"Type\\":\\"Log\\""]}');

const mutated = mutatedFrames(VALID);

const plausible = fc
  .record({
    Topic: fc.oneof(fc.dictionary(fc.constantFrom('Type', 'Target', 'Name', 'RespondTo', 'Source', 'Method', 'ID'), fc.oneof(fc.constantFrom('Get', 'Update', 'Identify', 'DataHub', 'BROADCAST', ':::', ''), fc.jsonValue())), fc.jsonValue()),
    Message: fc.oneof(fc.dictionary(fc.constantFrom('Value', 'Params', 'Result', 'Level', 'Message'), fc.jsonValue()), fc.jsonValue()),
    Attachment: fc.option(fc.oneof(fc.nat(8), fc.integer(), fc.string())),
  })
  .map((f) => JSON.stringify(f.Attachment === null ? { Topic: f.Topic, Message: f.Message } : f));

const frame: fc.Arbitrary<string | Buffer> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 200, unit: 'binary' }) },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 4, arbitrary: mutated },
  { weight: 3, arbitrary: plausible },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
);

let hub: Hub;
const peers: TestPeer[] = [];
beforeAll(async () => {
  hub = await startHub({ port: 0, logger: silentLogger() });
});
afterAll(async () => {
  await Promise.all(peers.map((p) => p.close()));
  await hub.close();
});

it('survives 10,000 random frames from one peer and keeps routing between others', async () => {
  const frames = fc.sample(frame, { numRuns: 10_000, seed: 20_260_101 });
  const a = await connectPeer(hub.url, { name: 'FUZZ-A' });
  const b = await connectPeer(hub.url, { name: 'FUZZ-B' });
  const fuzzer = await connectPeer(hub.url, { name: 'FUZZER' });
  peers.push(a, b, fuzzer);
  await b.subscribe([topicPrefix('Update', { Target: 'FUZZ-B' })]);

  let undecodable = 0;
  for (const f of frames) {
    fuzzer.sendRaw(f);
    if (typeof f === 'string' && !decodeFrame(f).ok) undecodable++;
  }
  // The hub handles one connection's frames in order: once this round trip is back, every fuzz frame was handled.
  await fuzzer.sync(30_000);
  expect(fuzzer.ws.readyState).toBe(fuzzer.ws.OPEN);
  expect(hub.stats().Invalid).toBeGreaterThanOrEqual(undecodable);
  expect(undecodable).toBeGreaterThan(5000);
  expect(fuzzer.messages.filter((m) => m.topic.Type === 'Log').length).toBeGreaterThanOrEqual(undecodable);

  a.send(envelope<'Update'>({ Type: 'Update', Target: 'FUZZ-B', Source: 'FUZZ-A', Name: 'AfterFuzz' }, { Value: { ok: true } }));
  const got = await b.next((m) => m.topic.Type === 'Update' && m.topic.Name === 'AfterFuzz');
  expect(got.topic).toEqual({ Type: 'Update', Target: 'FUZZ-B', Source: 'FUZZ-A', Name: 'AfterFuzz' });
  expect(got.message).toEqual({ Value: { ok: true } });
  expect(b.messages.filter((m) => !(m.topic.Type === 'Update' && m.topic.Name === 'AfterFuzz'))).toEqual([]);
  expect(hub.stats().Peers).toBe(3);
}, 60_000);
