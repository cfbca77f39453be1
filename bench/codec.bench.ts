/**
 * Protocol codec throughput for a small Update and a 10,000-entry AssetInfo, next to bare JSON.parse /
 * JSON.stringify of the same bytes:
 * - "frame": the frame codec with its validation of Topic and Message (what the hub does for every frame);
 * - "frame+state": also `[dot]` key decoding and the documented state schema (what a panel does before caching a
 *   Value).
 * Target: small-frame decode+validate at ≥ 50% of JSON.parse.
 */
import { parseState } from '../shared/assethub/validate.ts';
import { decodeFrame, encodeFrame } from '../shared/protocol/index.ts';
import { largeAssetInfoUpdate, smallUpdate } from './lib/frames.ts';
import { printComparison, rates } from './lib/measure.ts';

const small = smallUpdate;
const large = largeAssetInfoUpdate;

function decodeOnly(text: string): unknown {
  const frame = decodeFrame(text);
  if (!frame.ok) throw new Error(frame.error.message);
  return frame.value;
}

function decodeAndValidate(text: string): unknown {
  const frame = decodeFrame(text);
  if (!frame.ok || frame.value.kind !== 'message' || frame.value.envelope.topic.Type !== 'Update') throw new Error('bad frame');
  const state = parseState('client', frame.value.envelope.topic.Name as 'State', (frame.value.envelope.message as { Value: unknown }).Value);
  if (!state.ok) throw new Error(state.error.issues.join('\n'));
  return state.value;
}

const rows = [];
for (const [label, msg, roundMs] of [['small Update', small, 300], ['AssetInfo 10,000 entries', large, 600]] as const) {
  const text = encodeFrame(msg);
  const plain = { Topic: msg.topic, Message: msg.message };
  const [frameOnly, parseA] = rates(() => decodeOnly(text), () => JSON.parse(text), roundMs);
  const [decode, parse] = rates(() => decodeAndValidate(text), () => JSON.parse(text), roundMs);
  const [encode, stringify] = rates(() => encodeFrame(msg), () => JSON.stringify(plain), roundMs);
  rows.push(
    { what: `${label} (${text.length} B) decode+validate frame`, ours: frameOnly, baselineName: 'JSON.parse', baseline: parseA, unit: 'frames/s' },
    { what: `${label} (${text.length} B) decode+validate frame+state`, ours: decode, baselineName: 'JSON.parse', baseline: parse, unit: 'frames/s' },
    { what: `${label} (${text.length} B) encode`, ours: encode, baselineName: 'JSON.stringify', baseline: stringify, unit: 'frames/s' },
  );
}
printComparison('Protocol codec (target: small decode+validate ≥ 50% of JSON.parse)', rows);
