// The hub's pure parts: Stats values and rates, subscription sets, the slow-peer verdict, the canonical fast path.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeFrame, encodeFrame, encodeTopic, envelope, topicPrefix, type Topic } from '../../shared/protocol/index.ts';
import { answersTo } from './answers.ts';
import { isLowPriority, verdict } from './delivery.ts';
import { senderName } from './peer.ts';
import { hasCanonicalTopic } from './router.ts';
import { StatsTracker, statsValue, type HubStats } from './stats.ts';
import { Subscriptions } from './subscriptions.ts';

afterEach(() => {
  vi.useRealTimers();
});

const STATS: HubStats = {
  Peers: 3, MessagesIn: 10, MessagesOut: 20, MessagesInPerSecond: 1.5, MessagesOutPerSecond: 3, Dropped: 1, Invalid: 2,
  Disconnected: 0, StartedAt: '2026-01-01T00:00:00.000Z',
};

describe('Stats', () => {
  it('answers the whole value, one field, or null', () => {
    expect(statsValue('Stats', STATS)).toBe(STATS);
    expect(statsValue('Stats.Peers', STATS)).toBe(3);
    expect(statsValue('Stats.StartedAt', STATS)).toBe(STATS.StartedAt);
    expect(statsValue('Stats.Disconnected', STATS)).toBe(0);
    for (const name of ['Stats.', 'Stats.peers', 'Stats.Peers.X', 'Stats.toString', 'Stats.__proto__', 'StatsX', 'State', '']) {
      expect(statsValue(name, STATS), name).toBeNull();
    }
  });

  it('averages rates over the last ticks of a sliding window', () => {
    vi.useFakeTimers();
    const t = new StatsTracker();
    expect(t.snapshot(0).MessagesInPerSecond).toBe(0);
    t.messagesIn += 10;
    t.messagesOut += 30;
    vi.advanceTimersByTime(1000);
    expect(t.snapshot(0)).toMatchObject({ MessagesInPerSecond: 10, MessagesOutPerSecond: 30 });
    t.messagesIn += 20;
    vi.advanceTimersByTime(1000);
    expect(t.snapshot(0).MessagesInPerSecond).toBe(15);
    // After five idle seconds the window holds only zeros.
    vi.advanceTimersByTime(5000);
    expect(t.snapshot(2)).toMatchObject({ MessagesInPerSecond: 0, MessagesOutPerSecond: 0, MessagesIn: 30, Peers: 2 });
    t.stop();
  });
});

describe('Subscriptions', () => {
  it('matches by prefix, once, with set semantics', () => {
    const s = new Subscriptions();
    const topic = encodeTopic({ Type: 'Get', Target: 'AssetHubServer', Name: 'State', RespondTo: 'P' });
    expect(s.matches(topic)).toBe(false);
    s.add([topicPrefix('Get', { Target: 'AssetHub' })]);
    expect(s.matches(topic)).toBe(false);
    s.add([topicPrefix('Get', { Target: 'AssetHubServer' }), topicPrefix('Get', { Target: 'AssetHubServer' })]);
    expect(s.size).toBe(2);
    expect(s.matches(topic)).toBe(true);
    s.remove([topicPrefix('Get', { Target: 'AssetHubServer' })]);
    expect(s.matches(topic)).toBe(false);
    s.add(['']);
    expect(s.matches(topic)).toBe(true);
  });
});

describe('slow-peer verdict', () => {
  const limits = { softLimitBytes: 100, hardLimitBytes: 1000 };
  it('drops only low-priority messages above the soft limit and disconnects above the hard one', () => {
    expect(verdict(100, true, limits)).toBe('send');
    expect(verdict(101, true, limits)).toBe('drop');
    expect(verdict(101, false, limits)).toBe('send');
    expect(verdict(1000, false, limits)).toBe('send');
    expect(verdict(1001, false, limits)).toBe('disconnect');
    expect(verdict(1001, true, limits)).toBe('disconnect');
  });

  it('knows low-priority messages', () => {
    const upd = (Target: string, Name: string): Topic => ({ Type: 'Update', Target, Source: 'S', Name });
    expect(isLowPriority(upd('BROADCAST', 'LOWPRIO_Preview'))).toBe(true);
    expect(isLowPriority(upd('OPS-AssetHubPanel', 'LOWPRIO_Preview'))).toBe(false);
    expect(isLowPriority(upd('BROADCAST', 'State.LOWPRIO_X'))).toBe(false);
    expect(isLowPriority({ Type: 'Set', Target: 'BROADCAST', Name: 'LOWPRIO_X' })).toBe(false);
  });
});

describe('canonical fast path', () => {
  const msg = envelope<'Update'>({ Type: 'Update', Target: 'BROADCAST', Source: 'S', Name: 'N' }, { Value: 1 });
  const canonical = encodeTopic(msg.topic);
  it('accepts only a text that starts with the closed canonical topic and the Message', () => {
    expect(hasCanonicalTopic(encodeFrame(msg), canonical)).toBe(true);
    expect(hasCanonicalTopic(`{"Topic":${canonical},"Message": {"Value":1}}`, canonical)).toBe(true);
    expect(hasCanonicalTopic(`{"Topic":${canonical.slice(0, -1)},"X":1},"Message":{"Value":1}}`, canonical)).toBe(false);
    expect(hasCanonicalTopic(`{"Message":{"Value":1},"Topic":${canonical}}`, canonical)).toBe(false);
    expect(hasCanonicalTopic(`{ "Topic":${canonical},"Message":{"Value":1}}`, canonical)).toBe(false);
  });

  it('learns a sender name from Source, RespondTo or ExecutedOn', () => {
    expect(senderName(msg.topic)).toBe('S');
    expect(senderName({ Type: 'Get', Target: 'T', Name: 'N', RespondTo: 'R' })).toBe('R');
    expect(senderName({ Type: 'CallResult', Target: 'T', ExecutedOn: 'E', Method: 'M', ID: '1' })).toBe('E');
    expect(senderName({ Type: 'Set', Target: 'T', Name: 'N' })).toBeUndefined();
  });
});

describe('the hub as a peer', () => {
  const self = { Version: '1.2.3', Machine: 'HUB-HOST', StartedAt: '2026-01-01T00:00:00.000Z' };

  it("answers any peer's Identify (a Pixotope Store's, with an odd body) with a Self addressed to it", () => {
    const identify = decodeFrame('{"Topic":{"Source":"Store","Type":"Identify"},"Message":{"Role":"Store","Value":{}}}');
    if (!identify.ok || identify.value.kind !== 'message') throw new Error('the Identify was refused');
    expect(answersTo(identify.value.envelope, () => STATS, self)).toEqual([
      { topic: { Type: 'Self', Target: 'Store', Source: 'DataHub' }, message: { Value: self } },
    ]);
  });
});
