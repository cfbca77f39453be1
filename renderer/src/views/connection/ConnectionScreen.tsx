/**
 * The connection screen: which hub the panel is connected to and how that connection is, and every service the panel
 * discovered with its liveness. The full operator views replace the lower part in a later issue.
 */
import { useShallow } from 'zustand/react/shallow';
import type { ServiceEntry } from '../../../../shared/panel/api.ts';
import { sortedServices, usePanel } from '../../store/panel.ts';
import { KIND_LABEL, clockTime, dateTime, parseTime, connectionText, connectionTone, relativeTime, offerSummary, serviceSummary, transportText, type Tone } from '../../lib/format.ts';
import { useNow } from '../../lib/useNow.ts';
import { Dot } from '../../components/Dot.tsx';
import { NoHost } from '../../components/NoHost.tsx';
import { HubCard } from './HubCard.tsx';
import { own } from '../../../../shared/dict.ts';

function ConnectionCard({ now }: { now: number }) {
  const { transport, load, data } = usePanel(useShallow((s) => ({ transport: s.transport, load: s.load, data: s.data })));
  const reload = usePanel((s) => s.reload);
  const hostProblem = transportText(transport, now);
  const connection = data?.connection;

  let text: string;
  let tone: Tone;
  if (hostProblem) {
    text = hostProblem;
    tone = transport?.state === 'waiting' ? 'bad' : 'busy';
  } else if (connection) {
    text = connectionText(connection, now);
    tone = connectionTone(connection);
  } else if (load.phase === 'error') {
    text = `Failed: ${load.message}`;
    tone = 'bad';
  } else {
    text = 'Connecting…';
    tone = 'busy';
  }
  const lastProblem =
    (transport?.state === 'waiting' ? transport.reason : null) ?? (connection && connection.state !== 'connected' && connection.state !== 'failed' ? connection.reason : null);

  return (
    <section className="card" aria-labelledby="conn-title">
      <div className="card-head">
        <h2 id="conn-title">Hub connection</h2>
        {load.phase === 'error' && (
          <button type="button" className="button" onClick={() => void reload()}>
            Retry
          </button>
        )}
      </div>
      <p data-testid="connection-detail" className={`state-line tone-${tone}`}>
        <Dot tone={tone} />
        <span>{text}</span>
      </p>
      <dl className="facts">
        <dt>Hub</dt>
        <dd>
          {connection?.hubUrl ? <code data-testid="hub-url">{connection.hubUrl}</code> : '—'}
        </dd>
        <dt>Panel</dt>
        <dd>{connection?.panelName ? <code>{connection.panelName}</code> : '—'}</dd>
        <dt>Since</dt>
        <dd>{connection ? `${clockTime(connection.since)} (${relativeTime(connection.since, now)})` : '—'}</dd>
        {lastProblem && (
          <>
            <dt>Last problem</dt>
            <dd className="problem-text">{lastProblem}</dd>
          </>
        )}
      </dl>
      {transport?.state === 'waiting' && (
        <p className="muted hint">If the panel host was restarted, open the new URL it printed: each run has its own token.</p>
      )}
    </section>
  );
}

function ServiceRow({ entry, states, now, showProblems }: { entry: ServiceEntry; states: Record<string, unknown> | undefined; now: number; showProblems: boolean }) {
  const summary = serviceSummary(entry, states);
  const offer = offerSummary(entry);
  const started = parseTime(entry.startedAt);
  return (
    <tr data-testid="service-row" data-service={entry.name} data-online={entry.online ? 'true' : 'false'} data-started={entry.startedAt ?? ''} className={entry.online ? '' : 'row-offline'}>
      <th scope="row" className="cell-name">
        {entry.name}
      </th>
      <td>{KIND_LABEL[entry.kind]}</td>
      <td>{entry.machine ?? <span className="muted">—</span>}</td>
      <td data-testid="service-status">
        <span className="status">
          <Dot tone={entry.online ? 'ok' : 'bad'} />
          {entry.online ? 'Online' : 'Offline'}
        </span>
      </td>
      <td data-testid="service-last-seen" title={entry.lastSeen === null ? undefined : dateTime(entry.lastSeen)}>
        {relativeTime(entry.lastSeen, now)}
      </td>
      <td data-testid="service-started" title={started === null ? undefined : dateTime(started)}>
        {started === null ? <span className="muted">—</span> : relativeTime(started, now)}
      </td>
      <td className="cell-mono">{entry.version ?? <span className="muted">—</span>}</td>
      <td data-testid="service-summary">{summary ?? <span className="muted">—</span>}</td>
      <td data-testid="service-offer" title={offer?.detail}>{offer ? offer.text : <span className="muted">—</span>}</td>
      {showProblems && (
        <td data-testid="service-error" className="cell-problem">
          {entry.error ? (
            <span className="problem">
              <span className="problem-label">Invalid value:</span> {entry.error}
            </span>
          ) : (
            <span className="muted">—</span>
          )}
        </td>
      )}
    </tr>
  );
}

function ServicesCard({ now }: { now: number }) {
  const data = usePanel((s) => s.data);
  const load = usePanel((s) => s.load);
  const hostDown = usePanel((s) => s.transport !== null && s.transport.state !== 'open');
  const services = sortedServices(data);
  const online = services.filter((s) => s.online).length;
  const showProblems = services.some((s) => s.error !== null);

  return (
    <section className="card card-grow" aria-labelledby="services-title">
      <div className="card-head">
        <h2 id="services-title">Services</h2>
        {data && (
          <span className="muted" data-testid="services-count">
            {online} of {services.length} online
          </span>
        )}
      </div>
      {!data ? (
        <p className="muted">
          {load.phase === 'error'
            ? 'No data: the panel state could not be loaded.'
            : hostDown
              ? 'No data: waiting for the panel host.'
              : 'Loading the panel state…'}
        </p>
      ) : services.length === 0 ? (
        <p className="muted">No services discovered yet.</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-labelledby="services-title">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Kind</th>
                <th scope="col">Machine</th>
                <th scope="col">Status</th>
                <th scope="col">Last seen</th>
                <th scope="col">Started</th>
                <th scope="col">Version</th>
                <th scope="col">Summary</th>
                <th scope="col" title="What the service offers: Pixotope's documented protocol only, or what it listed when asked (GetCapabilities)">Offers</th>
                {showProblems && <th scope="col">Problem</th>}
              </tr>
            </thead>
            <tbody>
              {services.map((entry) => (
                <ServiceRow key={entry.name} entry={entry} states={own(data.states, entry.name)} now={now} showProblems={showProblems} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The Connection view: the hub connection in detail and every discovered service. */
export function ConnectionScreen() {
  const host = usePanel((s) => s.host);
  const now = useNow();
  return host === 'none' ? (
    <NoHost />
  ) : (
    <>
      <ConnectionCard now={now} />
      <HubCard />
      <ServicesCard now={now} />
    </>
  );
}
