/**
 * The message log: every frame in and out of the engine, live while the view is open (and the engine's history from
 * before), in a virtualized list (100,000 rows scroll like 10).
 * Pause (the engine stops recording too), keep the last 1,000 / 10,000 / 100,000, filter by Type, search Target /
 * Source / Name / Method / Message, group by Target and Name, and expand a frame to its full Topic and Message.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { VirtualList } from '../../components/VirtualList.tsx';
import { attempt, logControl } from '../../commands/index.ts';
import { KEEP_CHOICES, createFilterCache, watchLog, groupRows, logRows, prettyBody, sizeText, useLog, type LogFilter, type LogGroup, type LogRow } from '../../store/log.ts';
import { copyText } from '../../components/clipboard.ts';
import { clockTime, dateTime } from '../../lib/format.ts';
import './log.css';

const ROW_HEIGHT = 30;

/** Height in px of an element that fills the space it is given (the list needs a number). */
function useHeight<T extends HTMLElement>(min = 200): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [height, setHeight] = useState(min);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeight(Math.max(min, Math.floor(element.getBoundingClientRect().height))));
    observer.observe(element);
    return () => observer.disconnect();
  }, [min]);
  return [ref, height];
}

/** "21:42:07.123": the clock time with milliseconds (frames come faster than seconds). */
function timeText(time: number): string {
  return `${clockTime(time)}.${String(new Date(time).getMilliseconds()).padStart(3, '0')}`;
}

function Row({ row, selected, onSelect }: { row: LogRow; selected: boolean; onSelect(row: LogRow): void }) {
  const { entry } = row;
  return (
    <button
      type="button"
      className={`log-row${selected ? ' is-selected' : ''}`}
      aria-expanded={selected}
      aria-controls={selected ? 'log-detail' : undefined}
      onClick={() => onSelect(row)}
      data-testid="log-row"
      data-type={row.type}
    >
      <span className="log-time">{timeText(entry.time)}</span>
      <span className={`log-dir log-dir-${entry.direction}`}>{entry.direction === 'in' ? '← in' : '→ out'}</span>
      <span className="log-type">{row.type}</span>
      <span className="log-target" title={row.target}>{row.target || '—'}</span>
      <span className="log-source" title={row.source}>{row.source || '—'}</span>
      <span className="log-what" title={row.what}>{row.what || '—'}</span>
      <span className="log-size">{sizeText(entry.size)}</span>
    </button>
  );
}

function GroupRow({ group, onSelect }: { group: LogGroup; onSelect(row: LogRow): void }) {
  return (
    <button type="button" className="log-row log-group" onClick={() => onSelect(group.latest)} data-testid="log-group" title="Show the newest frame of this group">
      <span className="log-target" title={group.target}>{group.target || '—'}</span>
      <span className="log-what" title={group.what}>{group.what || '—'}</span>
      <span className="log-count">{group.count.toLocaleString()} ×</span>
      <span className="log-size">{sizeText(group.bytes)}</span>
      <span className="log-time">last {timeText(group.last)}</span>
    </button>
  );
}

function Detail({ row, onClose }: { row: LogRow; onClose(): void }) {
  const topic = JSON.stringify(row.entry.topic, null, 2) ?? 'null';
  const message = useMemo(() => prettyBody(row.entry), [row]);
  const [copied, setCopied] = useState<string | null>(null);
  const messageRef = useRef<HTMLPreElement>(null);
  useEffect(() => setCopied(null), [row]);
  const copy = async () => {
    const ok = await copyText(`${topic}\n${message}`);
    if (ok) {
      setCopied('Copied the Topic and Message.');
      return;
    }
    // No clipboard (an insecure context or a refusal): select the Message so Ctrl+C copies it.
    const pre = messageRef.current;
    const selection = window.getSelection();
    if (pre && selection) {
      const range = document.createRange();
      range.selectNodeContents(pre);
      selection.removeAllRanges();
      selection.addRange(range);
    }
    setCopied('The clipboard is not available here: the Message is selected, press Ctrl+C to copy it.');
  };
  return (
    <section className="card log-detail" id="log-detail" aria-labelledby="log-detail-title" data-testid="log-detail">
      <div className="card-head">
        <h2 id="log-detail-title">
          {row.type} {row.entry.direction === 'in' ? 'from' : 'to'} {row.entry.direction === 'in' ? row.source || '—' : row.target || '—'}
        </h2>
        <div className="log-detail-tools">
          <button type="button" onClick={() => void copy()} data-testid="log-copy">Copy</button>
          <button type="button" onClick={onClose} aria-label="Close the frame details">Close</button>
        </div>
      </div>
      {copied && <p className="muted" role="status" data-testid="log-copy-status">{copied}</p>}
      <dl className="facts">
        <dt>Time</dt>
        <dd>{dateTime(row.entry.time)} ({timeText(row.entry.time)})</dd>
        <dt>Direction</dt>
        <dd>{row.entry.direction === 'in' ? 'Received by the panel' : 'Sent by the panel'}</dd>
        <dt>Size</dt>
        <dd>{sizeText(row.entry.size)}{row.entry.truncated ? ' (Message cut for the log)' : ''}</dd>
      </dl>
      <h3 className="log-detail-h">Topic</h3>
      <pre className="log-json" data-testid="log-topic" tabIndex={0}>{topic}</pre>
      <h3 className="log-detail-h">Message</h3>
      <pre className="log-json" data-testid="log-message" ref={messageRef} tabIndex={0}>{message}</pre>
    </section>
  );
}

function Toolbar({ query, setQuery, grouped, setGrouped, shown }: { query: string; setQuery(q: string): void; grouped: boolean; setGrouped(g: boolean): void; shown: ReactNode }) {
  const { paused, capacity, count, dropped, setPaused, setCapacity, clear } = useLog(
    useShallow((s) => ({ paused: s.paused, capacity: s.capacity, count: s.count, dropped: s.dropped, setPaused: s.setPaused, setCapacity: s.setCapacity, clear: s.clear })),
  );
  const togglePause = async () => {
    const next = !paused;
    setPaused(next);
    const outcome = await attempt(logControl({ paused: next }), { failure: next ? 'Could not pause the engine’s log' : 'Could not resume the engine’s log' });
    if (!outcome.ok) setPaused(!next);
  };
  const clearAll = async () => {
    clear();
    await attempt(logControl({ clear: true }), { failure: 'Could not clear the engine’s log' });
  };
  return (
    <div className="log-toolbar">
      <button type="button" className={paused ? 'primary' : undefined} aria-pressed={paused} onClick={() => void togglePause()} data-testid="log-pause">
        {paused ? 'Resume' : 'Pause'}
      </button>
      <button type="button" onClick={() => void clearAll()} data-testid="log-clear">Clear</button>
      <label className="header-field">
        <span>Keep last</span>
        <select value={capacity} onChange={(e) => setCapacity(Number(e.target.value))} data-testid="log-keep">
          {KEEP_CHOICES.map((n) => (
            <option key={n} value={n}>{n.toLocaleString('en-US')}</option>
          ))}
        </select>
      </label>
      <label className="header-field log-search">
        <span>Search</span>
        <input type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Target, Source, Name, Method or Message" data-testid="log-search" />
      </label>
      <label className="check">
        <input type="checkbox" checked={grouped} onChange={(e) => setGrouped(e.target.checked)} data-testid="log-group-toggle" />
        Group by Target and Name
      </label>
      <span className="log-counts muted" data-testid="log-counts" aria-live="off">
        {shown} of {count.toLocaleString('en-US')} kept{dropped > 0 ? ` · ${dropped.toLocaleString('en-US')} older dropped` : ''}
        {paused ? ' · paused' : ''}
      </span>
    </div>
  );
}

function TypeFilter({ hidden, toggle }: { hidden: ReadonlySet<string>; toggle(type: string): void }) {
  const types = useLog((s) => s.types);
  return (
    <fieldset className="log-types">
      <legend>Type</legend>
      {types.length === 0 && <span className="muted">No frames yet.</span>}
      {types.map((type) => (
        <label key={type} className="check">
          <input type="checkbox" checked={!hidden.has(type)} onChange={() => toggle(type)} data-testid="log-type" data-type={type} />
          {type}
        </label>
      ))}
    </fieldset>
  );
}

export function LogView() {
  useEffect(() => watchLog(), []);
  const version = useLog((s) => s.version);
  const [query, setQuery] = useState('');
  const [hidden, setHidden] = useState<ReadonlySet<string>>(() => new Set());
  const [grouped, setGrouped] = useState(false);
  const [selected, setSelected] = useState<LogRow | null>(null);
  const [listRef, height] = useHeight<HTMLDivElement>();
  const filter = useMemo<LogFilter>(() => ({ hidden, query }), [hidden, query]);
  const [cache] = useState(createFilterCache);
  // `version` says when the rows (kept outside React) changed.
  const shown = useMemo(() => (version >= 0 ? cache(logRows(), filter) : []), [cache, filter, version]);
  // Newest first: a live log is read from the top.
  const newestFirst = useMemo(() => shown.slice().reverse(), [shown]);
  const groups = useMemo(() => (grouped ? groupRows(shown) : []), [grouped, shown]);
  const toggle = (type: string) =>
    setHidden((before) => {
      const next = new Set(before);
      if (next.has(type)) next.delete(type);
      else next.add(type);
      return next;
    });

  return (
    <div className="log-view">
      <Toolbar query={query} setQuery={setQuery} grouped={grouped} setGrouped={setGrouped} shown={grouped ? `${groups.length.toLocaleString('en-US')} groups of ${shown.length.toLocaleString('en-US')}` : shown.length.toLocaleString('en-US')} />
      <TypeFilter hidden={hidden} toggle={toggle} />
      <div className="log-body">
        <div className="log-list" ref={listRef}>
          {grouped ? (
            <>
              <div className="log-row log-head log-group" aria-hidden="true">
                <span className="log-target">Target</span><span className="log-what">Name / Method</span><span className="log-count">Frames</span><span className="log-size">Bytes</span><span className="log-time">Last</span>
              </div>
              <VirtualList items={groups} rowHeight={ROW_HEIGHT} height={height - ROW_HEIGHT} label="Frames grouped by Target and Name" testId="log-groups" render={(g) => <GroupRow group={g} onSelect={setSelected} />} empty="No frames match." />
            </>
          ) : (
            <>
              <div className="log-row log-head" aria-hidden="true">
                <span className="log-time">Time</span><span className="log-dir">Dir</span><span className="log-type">Type</span><span className="log-target">Target</span><span className="log-source">Source</span><span className="log-what">Name / Method</span><span className="log-size">Size</span>
              </div>
              <VirtualList items={newestFirst} rowHeight={ROW_HEIGHT} height={height - ROW_HEIGHT} label="Frames" testId="log-list" render={(row) => <Row row={row} selected={row.id === selected?.id} onSelect={setSelected} />} empty="No frames match." />
            </>
          )}
        </div>
        {selected && <Detail row={selected} onClose={() => setSelected(null)} />}
      </div>
    </div>
  );
}
