/**
 * Panel engine receive path: Updates applied per second (decode + `[dot]` keys + schema validation + state cache, with
 * the message log and the patch marks the engine keeps for every frame), fed in-process through the memory transport
 * (no sockets), next to the codec's bare `decodeFrame` of the same frames, in the same run. A second row per frame
 * pauses the message log, to show what logging each frame costs.
 */
import { BROADCAST, SERVER_NAME, decodeFrame, encodeFrame, envelope } from '../shared/protocol/index.ts';
import { memoryTransport } from '../peer/testing/memory-transport.ts';
import { createPanelEngine } from '../main/hub/index.ts';
import { BENCH_CLIENT as client, largeAssetInfoUpdate, smallUpdate } from './lib/frames.ts';
import { printComparison, rates } from './lib/measure.ts';

const small = smallUpdate;
const large = largeAssetInfoUpdate;

const hub = memoryTransport({ keepSent: false });
const engine = createPanelEngine({ panelName: 'BENCH-AssetHubPanel-0000', hubUrl: 'ws://memory', transport: hub.factory, heartbeatMs: 3_600_000, requestTimeoutMs: 3_600_000 });
await new Promise((r) => setTimeout(r, 10));
if (engine.snapshot().connection.state !== 'connected') throw new Error('the engine did not connect to the memory transport');

function decodeOnly(text: string): unknown {
  const frame = decodeFrame(text);
  if (!frame.ok) throw new Error(frame.error.message);
  return frame.value;
}

const rows = [];
for (const [label, msg, state, roundMs] of [['small client State Update', small, 'State', 300], ['client AssetInfo 10,000 entries', large, 'AssetInfo', 600]] as const) {
  const text = encodeFrame(msg);
  hub.deliver(text);
  const cached = engine.snapshot().states[client]?.[state];
  if (cached === undefined) throw new Error(`${label}: the engine did not cache the state (${engine.snapshot().services.find((s) => s.name === client)?.error ?? 'no error'})`);
  await engine.invoke('logControl', { paused: false });
  const [applied, decodedA] = rates(() => hub.deliver(text), () => decodeOnly(text), roundMs);
  await engine.invoke('logControl', { paused: true });
  const [appliedQuiet, decodedB] = rates(() => hub.deliver(text), () => decodeOnly(text), roundMs);
  await engine.invoke('logControl', { paused: false, clear: true });
  rows.push(
    { what: `${label} (${text.length} B) engine apply, message log on`, ours: applied, baselineName: 'decodeFrame', baseline: decodedA, unit: 'Updates/s' },
    { what: `${label} (${text.length} B) engine apply, message log paused`, ours: appliedQuiet, baselineName: 'decodeFrame', baseline: decodedB, unit: 'Updates/s' },
  );
}

// A show's server WorkspaceInfo lists 500 clients; it sends one client's entry when that client moves
// (services/server/workspace-info.ts), which the engine checks on its own, against the whole list each time.
{
  const status = { Incoming: false, Outcoming: false, Activity: 'Idle', Stage: 'Finalizing', Current: 0, Total: 0, Progress: 1 };
  const Clients = Object.fromEntries(Array.from({ length: 500 }, (_, i) => {
    const name = `RENDER${String(i).padStart(3, '0')}-AssetHubClient`;
    return [name, { Name: name, Status: status, Engine: { Version: '2.4.0', Running: true } }];
  }));
  const whole = encodeFrame(envelope<'Update'>({ Type: 'Update', Target: BROADCAST, Source: SERVER_NAME, Name: 'WorkspaceInfo' }, { Value: { Status: status, Clients } }));
  const name = 'RENDER250-AssetHubClient';
  const entry = encodeFrame(envelope<'Update'>({ Type: 'Update', Target: BROADCAST, Source: SERVER_NAME, Name: `WorkspaceInfo.Clients.${name}` }, { Value: { ...Clients[name], Status: { ...status, Activity: 'Sync' } } }));
  hub.deliver(whole);
  if (!engine.snapshot().states[SERVER_NAME]?.WorkspaceInfo) throw new Error('the engine did not cache the server WorkspaceInfo');
  await engine.invoke('logControl', { paused: true });
  const [entryRate, wholeRate] = rates(() => hub.deliver(entry), () => hub.deliver(whole), 600);
  await engine.invoke('logControl', { paused: false, clear: true });
  rows.push({ what: `server WorkspaceInfo of 500 clients: one client's entry (${entry.length} B)`, ours: entryRate, baselineName: `the whole (${whole.length} B)`, baseline: wholeRate, unit: 'Updates/s' });
}
printComparison('Panel engine: Updates applied to the state cache (decode + validate + cache), in-process', rows);
await engine.close();
