// Every JSON example of the Asset Hub API state documentation (scripts/testing/fixtures/state-examples.json) must
// parse with the schemas and codecs.
import { describe, expect, it } from 'vitest';
import { stateExampleBlocks, type StateExample } from '../../scripts/testing/fixtures.ts';
import { encodeTopic, parseEnvelope, parseTopic } from '../protocol/index.ts';
import { isStateName, parseState, type ServiceKind } from './index.ts';

const blocks = stateExampleBlocks();
const kindOf = (b: StateExample): ServiceKind => (b.service === 'Server' ? 'server' : 'client');
const byLabel = (pattern: RegExp) => blocks.filter((b) => pattern.test(b.label));

describe('the state documentation\'s examples', () => {
  it('are all there: 8 states, 8 Get/Update pairs, Set/Reset for both State sections', () => {
    expect(byLabel(/^per-(show|machine) state$/)).toHaveLength(8);
    expect(byLabel(/^Get topic$/)).toHaveLength(8);
    expect(byLabel(/^Update message$/)).toHaveLength(8);
    expect(byLabel(/^Set topic$/).map((b) => b.service)).toEqual(['Server', 'Client']);
    expect(byLabel(/^Reset topic$/).map((b) => b.service)).toEqual(['Server', 'Client']);
    expect(blocks).toHaveLength(48);
  });

  describe.each(byLabel(/^per-(show|machine) state$/).map((b) => [`${b.service} ${b.state}`, b] as const))('state description %s', (_name, block) => {
    it('parses with the schema of its service and state', () => {
      const wrapped = block.json as Record<string, unknown>;
      expect(Object.keys(wrapped)).toEqual([block.state]);
      expect(isStateName(block.state)).toBe(true);
      const parsed = parseState(kindOf(block), block.state as 'State', wrapped[block.state]);
      expect(parsed.ok ? null : parsed.error).toBeNull();
    });
  });

  describe.each(byLabel(/ topic$/).map((b) => [`${b.service} ${b.state} ${b.label}`, b] as const))('%s', (_name, block) => {
    it('decodes, has the labelled Type, and re-encodes to its canonical string', () => {
      const topic = parseTopic(block.json);
      if (!topic.ok) throw new Error(topic.error.message);
      expect(topic.value.Type).toBe(block.label.replace(/ topic$/, ''));
      const canonical = encodeTopic(topic.value);
      // The documentation writes topics in canonical key order: compacting its text gives the canonical string.
      expect(canonical).toBe(JSON.stringify(block.json));
      if (block.text !== undefined) expect(canonical).toBe(block.text);
    });

    it('pairs with its message into a valid envelope whose Value fits the state schema', () => {
      const message = blocks[blocks.indexOf(block) + 1];
      expect(message?.label).toBe(block.label.replace(/topic$/, 'message'));
      const env = parseEnvelope(block.json, message?.json);
      if (!env.ok) throw new Error(env.error.message);
      if (env.value.topic.Type === 'Set' || env.value.topic.Type === 'Update') {
        const name = env.value.topic.Name;
        expect(name).toBe(block.state);
        const value = parseState(kindOf(block), block.state as 'State', (env.value.message as { Value: unknown }).Value);
        expect(value.ok ? null : value.error).toBeNull();
      }
    });
  });

  it('reads the server Clients array form as the documented object form', () => {
    const description = byLabel(/^per-(show|machine) state$/).find((b) => b.service === 'Server' && b.state === 'WorkspaceInfo');
    const update = blocks.find((b) => b.service === 'Server' && b.state === 'WorkspaceInfo' && b.label === 'Update message');
    const fromObject = parseState('server', 'WorkspaceInfo', (description?.json as { WorkspaceInfo: unknown }).WorkspaceInfo);
    const fromArray = parseState('server', 'WorkspaceInfo', (update?.json as { Value: unknown }).Value);
    expect(fromArray.ok && fromObject.ok).toBe(true);
    if (fromArray.ok && fromObject.ok) expect(fromArray.value).toEqual(fromObject.value);
    expect(Array.isArray((update?.json as { Value: { Clients: unknown } }).Value.Clients)).toBe(true);
  });

  it('accepts client changes with and without New, and keeps New when present', () => {
    const description = byLabel(/^per-(show|machine) state$/).find((b) => b.service === 'Client' && b.state === 'AssetInfo');
    const parsed = parseState('client', 'AssetInfo', (description?.json as { AssetInfo: unknown }).AssetInfo);
    if (!parsed.ok) throw new Error(parsed.error.issues.join('\n'));
    const ws = Object.values((parsed.value as { Workspaces: Record<string, { LocalChanges: Array<{ New?: boolean }> }> }).Workspaces)[0];
    expect(ws?.LocalChanges.map((c) => c.New)).toEqual([true, true, undefined]);
  });

  it('rejects a state whose fields do not match, naming the field', () => {
    const bad = parseState('client', 'WorkspaceInfo', { Status: {}, Engine: { Running: 'yes' }, Workspaces: {} });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.issues.join('\n')).toMatch(/Engine\.Running/);
  });
});
