// 10,000 random and mutated frames at the hub and the server; afterwards both still serve correctly.
import fc from 'fast-check';
import { mutatedFrames } from '../../scripts/testing/mutate.ts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { STATE_SCHEMAS } from '../../shared/assethub/states.ts';
import { SERVER_NAME, encodeFrame, envelope, type Envelope } from '../../shared/protocol/index.ts';
import { startCluster, type Cluster } from '../testing/cluster.ts';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => cluster?.close());

const REPO = '%SYNCED_STORAGE%\\Projects\\Fuzz.Target';

const valid: Envelope[] = [
  envelope<'Get'>({ Type: 'Get', Target: SERVER_NAME, Name: 'State', RespondTo: 'FUZZ-AssetHubPanel' }, {}),
  envelope<'Set'>({ Type: 'Set', Target: SERVER_NAME, Name: 'State.Repositories.%SYNCED_STORAGE%\\Projects\\Fuzz[dot]Target.AutoPull' }, { Value: true }),
  envelope<'Reset'>({ Type: 'Reset', Target: SERVER_NAME }, {}),
  envelope<'Call'>({ Type: 'Call', Target: SERVER_NAME, RespondTo: 'FUZZ-AssetHubPanel', Method: 'CreateCommit', ID: '1' }, { Params: { Repository: REPO, Branch: 'Main', Parent: null, Author: 'F', Comment: 'c', Changes: [{ Type: 'Delete', URI: 'FileSystem:/x' }] } }),
  envelope<'Call'>({ Type: 'Call', Target: SERVER_NAME, RespondTo: 'FUZZ-AssetHubPanel', Method: 'Claim', ID: '2' }, { Params: { Repository: REPO, Branch: 'Main', URI: 'FileSystem:/a', Owner: 'F' } }),
  envelope<'Call'>({ Type: 'Call', Target: SERVER_NAME, RespondTo: 'FUZZ-AssetHubPanel', Method: 'GetChanges', ID: '3' }, { Params: { Repository: REPO, Branch: 'Main', From: null } }),
];

const mutations = mutatedFrames(valid.map((v) => encodeFrame(v)));
const frames = fc.oneof(
  { weight: 5, arbitrary: mutations },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null') },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.record({ Topic: fc.record({ Type: fc.constantFrom('Call', 'Set', 'Get'), Target: fc.constant(SERVER_NAME), Name: fc.string(), RespondTo: fc.constant('FUZZ-AssetHubPanel'), Method: fc.constantFrom('CreateCommit', 'Claim', 'TagCommit', 'CreateBranch'), ID: fc.string({ minLength: 1 }) }), Message: fc.record({ Params: fc.dictionary(fc.constantFrom('Repository', 'Branch', 'URI', 'Owner', 'Changes', 'Commit', 'Tag', 'From'), fc.jsonValue()), Value: fc.jsonValue() }) }).map((f) => JSON.stringify(f)) },
);

it('10,000 random or mutated frames leave the hub and the server serving', async () => {
  const panel = await cluster.probe('OPS-AssetHubPanel');
  await panel.ok(SERVER_NAME, 'CreateRepository', { Name: REPO, Branch: 'Main' });
  const fuzzer = await cluster.probe('FUZZ-AssetHubPanel');
  const samples = fc.sample(frames, { numRuns: 10_000, seed: 20261122 });
  for (let i = 0; i < samples.length; i++) {
    fuzzer.sendRaw(samples[i] as string);
    // Let the hub breathe now and then, as a real peer's socket would.
    if (i % 500 === 499) await fuzzer.roundTrip();
  }
  await fuzzer.roundTrip();
  expect(cluster.hub.stats().Invalid).toBeGreaterThan(0);

  // The server still answers, its states are still valid, and the hub still routes between two other peers.
  expect(await panel.ok(SERVER_NAME, 'Health')).toEqual({});
  for (const name of ['State', 'WorkspaceInfo', 'PersistentState', 'AssetInfo'] as const) {
    expect(STATE_SCHEMAS.server[name].safeParse(await panel.get(SERVER_NAME, [name])).success, name).toBe(true);
  }
  const other = await cluster.probe('FOH-AssetHubPanel');
  const from = other.messages.length;
  const after = await panel.set(SERVER_NAME, ['State', 'Repositories', REPO, 'AutoPull'], true);
  expect(after).toMatchObject({ Repositories: { [REPO]: { AutoPull: true } } });
  expect(await other.stateUpdate(SERVER_NAME, 'State', 5000, from)).toMatchObject({ Repositories: { [REPO]: { AutoPull: true } } });
}, 120_000);
