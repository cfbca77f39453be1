// A receiver that answers more than the server reads (the limit set small here: 64 KiB against a 1 MiB answer) fails
// the batch's assets "response too large", through their retries like any failed delivery; the server stays up and
// delivers the next batches.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SERVER_NAME } from '../../../shared/protocol/index.ts';
import { until } from '../../testing/wait.ts';
import { assetIdOf } from '../catalogue/index.ts';
import {
  answerItems, commitFiles, createRepo, integrationEntry, records, scriptedReceiver, setIntegration, startRig, streamBody,
  type Rig, type ScriptedReceiver,
} from './testing/rig.ts';

const LIMIT = 64 * 1024;
const REPO = '%SYNCED_STORAGE%\\Projects\\Response limit';
const NAME = 'Big answers';

let rig: Rig;
let receiver: ScriptedReceiver;
beforeAll(async () => {
  rig = await startRig({ maxWebhookResponseBytes: LIMIT });
  receiver = await scriptedReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await rig?.close();
});

it('fails the batch "response too large" after its retries, and goes on delivering', async () => {
  let head = await createRepo(rig.panel, REPO);
  expect(await setIntegration(rig.panel, [NAME], {
    EndpointUrl: receiver.url, Secret: 'secret', Repositories: [REPO], BatchSize: 10, Retry: { MaxAttempts: 2, InitialDelayMs: 50, Multiplier: 2 },
  })).toBeNull();
  // 1 MiB, streamed: far past the limit, far below anything that would strain the test machine.
  receiver.answer = ({ res }) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{"Items":[],"padding":"');
    streamBody(res, 1024 * 1024);
  };
  head = await commitFiles(rig, REPO, head, { 'FileSystem:/a.png': 'a', 'FileSystem:/b.png': 'b' });
  const failed = await until('both assets failed', async () => {
    const list = await records(rig.panel, NAME, 'Failed');
    return list.length === 2 ? list : null;
  }, 20_000);
  for (const f of failed) {
    expect(f.reason).toBe(`response too large: more than ${LIMIT} bytes`);
    expect(f.attempts).toHaveLength(2);
    expect(f.attempts.map((a) => [a.httpStatus, a.error])).toEqual([[200, f.reason], [200, f.reason]]);
    // A batch that failed as a whole is retried as a whole, under its delivery id.
    expect(new Set(f.attempts.map((a) => a.deliveryId)).size).toBe(1);
  }
  expect((await integrationEntry(rig.panel, NAME)).LastError).toBe(`response too large: more than ${LIMIT} bytes`);

  // Still serving: it answers, and a receiver that answers normally gets the next commit and the resynced assets.
  expect(await rig.panel.ok(SERVER_NAME, 'Health')).toEqual({});
  receiver.answer = answerItems;
  await commitFiles(rig, REPO, head, { 'FileSystem:/c.png': 'c' });
  await until('the next commit tracked', async () => (await integrationEntry(rig.panel, NAME)).Tracked === 1, 20_000);
  expect(await rig.panel.ok(SERVER_NAME, 'ResyncAssets', { Integration: NAME, AllFailed: true })).toEqual({ Queued: 2 });
  const e = await until('every asset tracked', async () => {
    const x = await integrationEntry(rig.panel, NAME);
    return x.Tracked === 3 && x.Pending === 0 ? x : null;
  }, 20_000);
  expect(e.Failed).toBe(0);
  const ids = ['a', 'b', 'c'].map((n) => assetIdOf(REPO, 'Main', `FileSystem:/${n}.png`)).sort();
  expect((await records(rig.panel, NAME, 'Tracked')).map((t) => t.assetId).sort()).toEqual(ids);
}, 60_000);
