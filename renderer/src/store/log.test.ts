import { describe, expect, it } from 'vitest';
import { usePanel } from './panel.ts';
import type { LogEntry } from '../../../shared/panel/api.ts';
import { createFilterCache, groupRows, ingest, loadHistory, logRows, matcher, prettyBody, useLog, watchLog } from './log.ts';

let seq = 0;
const entry = (Type: string, Target: string, Name: string, body = '{}'): LogEntry => ({
  seq: seq++, time: 1_700_000_000_000 + seq, direction: 'in', topic: { Type, Target, Source: 'AssetHubServer', Name }, size: body.length, body, truncated: false,
});

describe('message log store', () => {
  it('keeps the last N, counts the dropped, ignores batches while paused', () => {
    useLog.getState().clear();
    useLog.getState().setCapacity(1000);
    ingest({ entries: Array.from({ length: 1500 }, (_, i) => entry('Update', 'P', `S${i}`)) });
    expect(logRows()).toHaveLength(1000);
    expect(logRows()[0]?.what).toBe('S500');
    expect(useLog.getState().dropped).toBe(500);
    useLog.getState().setPaused(true);
    ingest({ entries: [entry('Get', 'P', 'x')] });
    expect(logRows()).toHaveLength(1000);
    useLog.getState().setPaused(false);
    expect(useLog.getState().types).toEqual(['Update']);
  });

  it('filters incrementally and matches the filter from scratch, at 100,000 rows', () => {
    useLog.getState().clear();
    useLog.getState().setCapacity(100_000);
    const cache = createFilterCache();
    const filter = { hidden: new Set(['Get']), query: 'alpha' };
    const test = matcher(filter);
    if (!test) throw new Error('expected a predicate');
    const make = (i: number) => entry(i % 3 === 0 ? 'Get' : 'Update', i % 5 === 0 ? 'Alpha' : 'Beta', 'State', i % 7 === 0 ? '{"x":"ALPHA"}' : '{}');
    ingest({ entries: Array.from({ length: 100_000 }, (_, i) => make(i)) });
    cache(logRows(), filter);
    const started = performance.now();
    for (let batch = 0; batch < 30; batch++) {
      ingest({ entries: Array.from({ length: 500 }, (_, i) => make(batch * 500 + i)) });
      cache(logRows(), filter);
    }
    const perBatch = (performance.now() - started) / 30;
    const result = cache(logRows(), filter);
    expect(logRows()).toHaveLength(100_000);
    expect(result).toEqual(logRows().filter(test));
    expect(result.every((r) => r.type === 'Update')).toBe(true);
    // Not a benchmark: a loose bound that catches refiltering everything per batch going badly wrong.
    expect(perBatch).toBeLessThan(100);
  });

  it('groups by Target and Name, and pretty-prints the Message', () => {
    const rows = [entry('Update', 'A', 'S'), entry('Update', 'A', 'S'), entry('Get', 'B', 'T')].map((e, i) => ({ id: i, entry: e, type: e.topic?.Type ?? '', target: e.topic?.Target ?? '', source: '', what: e.topic?.Name ?? '', key: '' }));
    expect(groupRows(rows).map((g) => [g.target, g.what, g.count])).toEqual([['A', 'S', 2], ['B', 'T', 1]]);
    expect(prettyBody(entry('Update', 'A', 'S', '{"a":1}'))).toBe('{\n  "a": 1\n}');
    expect(prettyBody({ ...entry('Update', 'A', 'S', '{"a":'), truncated: true })).toBe('{"a":');
  });

  it('loads the engine\'s history in front of the live rows, paged back to the keep limit; live rows win', async () => {
    useLog.getState().clear();
    useLog.getState().setCapacity(1000);
    const engineLog = Array.from({ length: 60 }, (_, i) => ({ ...entry('Update', 'P', `H${i}`), seq: i + 1 }));
    // Three frames came live before the history was read: the engine's 58, 59 and 60.
    ingest({ entries: engineLog.slice(57) });
    const cache = createFilterCache();
    const filter = { hidden: new Set<string>(), query: 'h1' };
    expect(cache(logRows(), filter)).toHaveLength(0);
    const asked: Array<number | undefined> = [];
    await loadHistory(async (before) => {
      asked.push(before);
      const older = engineLog.filter((e) => before === undefined || e.seq < before);
      return { entries: older.slice(-25), more: older.length > 25 };
    });
    expect(asked).toEqual([58, 33, 8]);
    expect(logRows().map((r) => r.entry.seq)).toEqual(engineLog.map((e) => e.seq));
    const ids = logRows().map((r) => r.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // A filter already in use finds the rows put in front.
    expect(cache(logRows(), filter).map((r) => r.what)).toEqual(['H1', 'H10', 'H11', 'H12', 'H13', 'H14', 'H15', 'H16', 'H17', 'H18', 'H19']);
  });

  it('does not show twice what the history brought and then came live (recorded just before it was read)', async () => {
    useLog.getState().clear();
    const engineLog = Array.from({ length: 10 }, (_, i) => ({ ...entry('Update', 'P', `D${i}`), seq: 1000 + i }));
    await loadHistory(async () => ({ entries: engineLog, more: false }));
    ingest({ entries: engineLog.slice(8) });
    ingest({ entries: [...engineLog.slice(9), { ...entry('Update', 'P', 'D10'), seq: 1010 }] });
    ingest({ entries: [{ ...entry('Update', 'P', 'D11'), seq: 1011 }] });
    expect(logRows().map((r) => r.entry.seq)).toEqual([...engineLog.map((e) => e.seq), 1010, 1011]);
  });

  it('takes live frames only while watched: each watch asks for them, starts afresh and loads the history', async () => {
    useLog.getState().clear();
    ingest({ entries: [{ ...entry('Update', 'P', 'old'), seq: 1 }] });
    const asked: string[] = [];
    const engineLog = [2, 3].map((n) => ({ ...entry('Update', 'P', `E${n}`), seq: n }));
    let answered = (): void => {};
    const historyRead = new Promise<void>((resolve) => (answered = resolve));
    usePanel.setState({
      invoke: (async (command: string, args: unknown) => {
        asked.push(`${command} ${JSON.stringify(args)}`);
        if (command !== 'logHistory') return { on: (args as { on: boolean }).on };
        answered();
        return { entries: engineLog, more: false };
      }) as never,
    });
    const stopA = watchLog();
    const stopB = watchLog();
    await historyRead;
    await new Promise((r) => setTimeout(r, 0));
    // The row from before the watch is gone (the frames between then and now came to no one); the history is there.
    expect(logRows().map((r) => r.what)).toEqual(['E2', 'E3']);
    stopA();
    stopA();
    expect(asked).toEqual(['watchLog {"on":true}', 'logHistory {}']);
    stopB();
    expect(asked.at(-1)).toBe('watchLog {"on":false}');
    expect(asked).toHaveLength(3);
  });
});
