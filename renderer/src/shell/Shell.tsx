/**
 * The frame around every view: header with the panel's name, the machine filter and the theme switch; navigation
 * (Alt+1 … Alt+9); the offer of a Data Hub found on this machine; while not on the hub, why and the way to change it
 * above every view, the views below showing the last known data marked stale, or nothing; the status bar (the hub's fabric and address, the
 * connection state in words, the panel name); toasts. Without a host it shows
 * how to open the panel instead of empty views.
 */
import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { usePanel } from '../store/panel.ts';
import { useUi } from '../store/ui.ts';
import { connectionText, connectionTone, transportText, type Tone } from '../lib/format.ts';
import { Dot } from '../components/Dot.tsx';
import { NoHost } from '../components/NoHost.tsx';
import { useNow } from '../lib/useNow.ts';
import { hubWords } from '../lib/hub-form.ts';
import { HubOffer } from './HubOffer.tsx';
import { notConnected } from './not-connected.ts';
import { NotConnectedBanner } from './NotConnectedBanner.tsx';
import { machines } from '../lib/selectors.ts';
import { Toasts } from './Toasts.tsx';
import { OperationToasts } from '../lib/operations.ts';
import { VIEWS } from '../views/registry.ts';

function useStatus(now: number): { text: string; tone: Tone } {
  const { host, transport, load, connection } = usePanel(useShallow((s) => ({ host: s.host, transport: s.transport, load: s.load, connection: s.data?.connection })));
  if (host === 'none') return { text: 'No panel host', tone: 'idle' };
  const hostProblem = transportText(transport, now);
  if (hostProblem) return { text: hostProblem, tone: transport?.state === 'waiting' ? 'bad' : 'busy' };
  if (connection) return { text: connectionText(connection, now, true), tone: connectionTone(connection) };
  if (load.phase === 'error') return { text: `Failed: ${load.message}`, tone: 'bad' };
  return { text: 'Connecting…', tone: 'busy' };
}

/**
 * The machine filter: type a machine's name, or part of names (hundreds of machines: a list to scroll is no use); the
 * suggestions are the machines discovered. A whole name shows that machine alone (selectors.ts machineMatcher). Kept
 * for the session.
 */
function MachineFilter() {
  const all = usePanel(useShallow((s) => machines(s.data)));
  const { selected, setMachines } = useUi(useShallow((s) => ({ selected: s.machines, setMachines: s.setMachines })));
  return (
    <label className="header-field">
      <span>Machine</span>
      <input
        type="search"
        className="machine-filter"
        value={selected[0] ?? ''}
        placeholder={`All machines (${all.length.toLocaleString('en-US')})`}
        list="machine-filter-names"
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => setMachines(e.target.value.trim() ? [e.target.value] : [])}
        data-testid="machine-filter"
      />
      <datalist id="machine-filter-names">
        {all.map((m) => (
          <option key={m} value={m} />
        ))}
      </datalist>
    </label>
  );
}

export function Shell() {
  const host = usePanel((s) => s.host);
  const panelName = usePanel((s) => s.data?.connection.panelName ?? null);
  const hubUrl = usePanel((s) => s.data?.connection.hubUrl ?? null);
  const hub = hubUrl ? hubWords(hubUrl) : null;
  const { view, setView, theme, setTheme } = useUi(useShallow((s) => ({ view: s.view, setView: s.setView, theme: s.theme, setTheme: s.setTheme })));
  const now = useNow();
  const status = useStatus(now);
  const current = VIEWS.find((v) => v.id === view) ?? VIEWS[0];
  const connection = usePanel((s) => s.data?.connection);
  const off = host === 'none' ? null : notConnected(connection);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  const navRef = useRef<HTMLElement>(null);
  const mainRef = useRef<HTMLElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      // e.code works whatever the keyboard layout makes of Alt+digit.
      const digit = /^Digit([1-9])$/.exec(e.code)?.[1] ?? /^[1-9]$/.exec(e.key)?.[0];
      const target = digit ? VIEWS[Number(digit) - 1] : undefined;
      if (!target) return;
      e.preventDefault();
      setView(target.id);
      // Keep the keyboard focus visible and in step: on the view's navigation button.
      navRef.current?.querySelector<HTMLButtonElement>(`[data-view="${target.id}"]`)?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setView]);

  const View = current?.component;
  return (
    <div className="shell">
      {/* Not a #main link: the page's hash holds the session token, and changing it reloads the page. */}
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          mainRef.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="shell-header">
        <div className="brand">
          <svg className="brand-mark" viewBox="0 0 24 24" aria-hidden="true">
            <rect x="2" y="2" width="9" height="9" rx="2" />
            <rect x="13" y="2" width="9" height="9" rx="2" opacity="0.55" />
            <rect x="2" y="13" width="9" height="9" rx="2" opacity="0.55" />
            <rect x="13" y="13" width="9" height="9" rx="2" />
          </svg>
          <h1>Asset Hub Panel</h1>
        </div>
        {panelName && <span className="header-meta" data-testid="panel-name">{panelName}</span>}
        <div className="header-tools">
          {host !== 'none' && <MachineFilter />}
          <button type="button" className="button" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} aria-label={`Switch to the ${theme === 'dark' ? 'light' : 'dark'} theme`}>
            {theme === 'dark' ? 'Light theme' : 'Dark theme'}
          </button>
        </div>
      </header>
      {host === 'none' ? (
        <main className="shell-main" id="main" tabIndex={-1} ref={mainRef}>
          <NoHost />
        </main>
      ) : (
        <div className="shell-body">
          <nav className="shell-nav" aria-label="Views" ref={navRef}>
            <ul>
              {VIEWS.map((v, i) => (
                <li key={v.id}>
                  <button
                    type="button"
                    className="nav-item"
                    aria-current={v.id === view ? 'page' : undefined}
                    aria-keyshortcuts={`Alt+${i + 1}`}
                    onClick={() => setView(v.id)}
                    data-testid={`nav-${v.id}`}
                    data-view={v.id}
                  >
                    <span>{v.label}</span>
                    <kbd className="nav-key" aria-hidden="true">Alt+{i + 1}</kbd>
                  </button>
                </li>
              ))}
            </ul>
          </nav>
          <main className="shell-main" id="main" tabIndex={0} aria-label={current?.label} ref={mainRef} data-view={current?.id}>
            <HubOffer />
            {off && <NotConnectedBanner state={off} now={now} />}
            {View && (off === null || current?.id === 'connection' ? (
              <View />
            ) : off.staleSince !== null ? (
              <div className="stale-content" data-testid="stale-content" aria-label="Last known data, not live" role="group">
                <View />
              </div>
            ) : null)}
          </main>
        </div>
      )}
      <footer className="status-bar">
        <span data-testid="connection-state" role="status" aria-live="polite" aria-atomic="true" className={`status-state tone-${status.tone}`}>
          <Dot tone={status.tone} />
          {status.text}
        </span>
        <span className="status-item" data-testid="status-hub">
          Hub {hub ? <>{hub.fabric} <code>{hub.where}</code></> : <code>{hubUrl || '—'}</code>}
        </span>
        <span className="status-item">Panel <code>{panelName ?? '—'}</code></span>
      </footer>
      <Toasts />
      <OperationToasts />
    </div>
  );
}
