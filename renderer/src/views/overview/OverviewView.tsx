/**
 * Overview: one card for the server and one per client machine (within the machine filter): online and last seen, the
 * one-word summary, what there is to pull and push per workspace, the current activity with its progress, the engine.
 * Only what the services said is shown: a state not read yet is "—".
 */
import { useShallow } from 'zustand/react/shallow';
import type { ServiceEntry } from '../../../../shared/panel/api.ts';
import type { TEngine, TServiceStatus, TWorkspaceAssets } from '../../../../shared/assethub/states.ts';
import { SERVER_NAME, clientNames, machineOf, type Client, type Server } from '../../lib/selectors.ts';
import { useMemo } from 'react';
import { VirtualList } from '../../components/VirtualList.tsx';
import { useWidth } from '../../lib/useWidth.ts';
import { clientSummary } from '../../lib/machine-state.ts';
import { StateFilter } from '../../components/StateFilter.tsx';
import { useMachines } from '../../lib/useMachines.ts';
import { usePanel } from '../../store/panel.ts';
import { useUi } from '../../store/ui.ts';
import { dateTime, relativeTime, type Tone } from '../../lib/format.ts';
import { useNow } from '../../lib/useNow.ts';
import { UNKNOWN, changesWhere, machineSummary, percent, pullPushWords, serverChangesWords } from '../../lib/summary.ts';
import { RecentOperations } from './RecentOperations.tsx';
import { dict, own } from '../../../../shared/dict.ts';
import './overview.css';
import { Dot } from '../../components/Dot.tsx';

const HUB = 'DataHub';

/** The last part of a workspace path: `…\\Projects\\Project Alpha` → `Project Alpha` (the full path is in the title). */
const baseName = (path: string): string => path.split(/[\\/]/).filter(Boolean).at(-1) ?? path;
const countKeys = (map: object | undefined): number | null => (map ? Object.keys(map).length : null);
// One formatter per precision: toLocaleString with options builds a new one per call (the server card formats on every batch).
const formats = [0, 1].map((digits) => new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }));
const num = (n: number | null | undefined, digits: 0 | 1 = 0): string => (typeof n === 'number' && Number.isFinite(n) ? (formats[digits] as Intl.NumberFormat).format(n) : UNKNOWN);

/** Online and "seen 3 s ago": the only part of a card that changes with the clock, so it keeps its own. */
function Liveness({ entry }: { entry: ServiceEntry | undefined }) {
  const now = useNow();
  if (!entry) return <span className="muted">Not discovered</span>;
  return (
    <span className="ov-live">
      <span className="status" data-testid="machine-online">
        <Dot tone={entry.online ? 'ok' : 'bad'} />
        {entry.online ? 'Online' : 'Offline'}
      </span>
      <span className="muted" title={entry.lastSeen === null ? undefined : dateTime(entry.lastSeen)}>
        seen {relativeTime(entry.lastSeen, now)}
      </span>
    </span>
  );
}

/** The one-word state; `why` (where the changes are) in its tooltip and for screen readers. */
function SummaryBadge({ text, tone, why }: { text: string; tone: Tone; why?: string }) {
  return (
    <span className={`ov-summary ov-summary-${tone}`} data-testid="machine-summary" title={why} aria-label={why ? `${text}: ${why}` : undefined}>
      {text}
    </span>
  );
}

/** Activity and stage; a progress bar while it is not idle. */
function Activity({ status, label }: { status: TServiceStatus | undefined; label: string }) {
  if (!status) return <dd>{UNKNOWN}</dd>;
  if (status.Activity === 'Idle') return <dd>Idle</dd>;
  const p = percent(status);
  return (
    <dd className="ov-activity">
      <span>
        {status.Activity} · {status.Stage}
        {status.Total > 0 ? ` · ${num(status.Current)} of ${num(status.Total)}` : ''}
      </span>
      {p !== null && (
        <span className="ov-progress" role="progressbar" aria-label={`${label} progress`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={p} data-testid="machine-progress">
          <span className="ov-progress-fill" style={{ width: `${p}%` }} />
        </span>
      )}
      {p !== null && <span className="ov-pct">{p}%</span>}
    </dd>
  );
}

function EngineInfo({ engine }: { engine: TEngine | undefined }) {
  if (!engine) return <dd>{UNKNOWN}</dd>;
  if (!engine.Running) {
    return (
      <dd data-testid="machine-engine">
        Not running <span className="muted">· no editor, PIE or game session runs on this machine, so no reload is pending</span>
      </dd>
    );
  }
  const where = [engine.Workspace, engine.Branch].filter(Boolean).join(' · ');
  return (
    <dd data-testid="machine-engine">
      <strong>{engine.Type ?? 'Running'}</strong>
      {engine.Dirty !== undefined && <span className={engine.Dirty ? 'ov-warn' : 'muted'}>{engine.Dirty ? ' · unsaved changes' : ' · saved'}</span>}
      {where && <div className="ov-sub" title={where}>{where}</div>}
    </dd>
  );
}

function WorkspaceCounts({ assets, names }: { assets: Record<string, TWorkspaceAssets> | undefined; names: Record<string, string> }) {
  if (!assets) return <p className="muted ov-note">Per-workspace changes: {UNKNOWN} (not read yet)</p>;
  const rows = Object.entries(assets).sort(([a], [b]) => a.localeCompare(b));
  if (rows.length === 0) return <p className="muted ov-note">No workspaces.</p>;
  return (
    <table className="table ov-table">
      <thead>
        <tr>
          <th scope="col">Workspace</th>
          <th scope="col" className="num">To pull</th>
          <th scope="col" className="num">To push</th>
          <th scope="col" className="num">Conflicts</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([key, w]) => (
          <tr key={key} data-testid="overview-workspace">
            <th scope="row" className="ov-ws" title={key}>{baseName(own(names, key) ?? w.Name ?? key)}</th>
            <td className="num" data-testid="to-pull">{w.RemoteChanges.length}</td>
            <td className="num" data-testid="to-push">{w.LocalChanges.length}</td>
            <td className={`num${w.ConflictURIs.length > 0 ? ' ov-bad' : ''}`}>{w.ConflictURIs.length}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One client machine: subscribes to its own entry and states only, so an Update to another machine leaves it alone. */
function ClientCard({ service }: { service: string }) {
  const entry = usePanel((s) => own(s.data?.services, service));
  const states = usePanel((s) => own(s.data?.states, service));
  if (!entry) return null;
  // The same typed read as clientOf(), on the selected states.
  const client = (states ?? {}) as Client;
  const info = client.WorkspaceInfo;
  const assets = client.AssetInfo?.Workspaces;
  const summary = clientSummary(entry.online, states);
  const machine = machineOf(entry.name);
  const names = dict<string>();
  for (const [key, w] of Object.entries(client.PersistentState?.Workspaces ?? {})) names[key] = w.Name;
  return (
    <article className="card ov-card" aria-labelledby={`ov-${entry.name}`} data-testid="machine-card" data-service={entry.name} data-online={entry.online ? 'true' : 'false'}>
      <header className="ov-head">
        <div>
          <h2 id={`ov-${entry.name}`}>{machine}</h2>
          <div className="muted ov-sub">{entry.name}</div>
        </div>
        <SummaryBadge {...summary} />
      </header>
      <Liveness entry={entry} />
      <dl className="facts ov-facts">
        <dt>Status</dt>
        <dd data-testid="machine-status">{pullPushWords(info?.Status)}</dd>
        <dt>Activity</dt>
        <Activity status={info?.Status} label={machine} />
        <dt>Engine</dt>
        <EngineInfo engine={info?.Engine} />
      </dl>
      <WorkspaceCounts assets={assets} names={names} />
    </article>
  );
}

function ServerCard() {
  // Only stable references in the selection (a fresh {} per read would re-render forever).
  const { entry, serverStates, hubStats, clientServices } = usePanel(
    useShallow((s) => ({
      entry: s.data?.services[SERVER_NAME],
      serverStates: s.data?.states[SERVER_NAME],
      hubStats: s.data?.states[HUB]?.['Stats'] as Record<string, unknown> | undefined,
      clientServices: s.data ? clientNames(s.data.services).length : 0,
    })),
  );
  // The same typed read as serverOf(), on the selected states.
  const server = (serverStates ?? {}) as Server;
  const status = server.WorkspaceInfo?.Status;
  const summary = entry ? machineSummary({ online: entry.online, status, assets: null }) : { text: UNKNOWN, tone: 'idle' as Tone };
  const changes = serverChangesWords(status, changesWhere(server.WorkspaceInfo?.Clients, machineOf));
  const repositories = countKeys(server.State?.Repositories ?? server.PersistentState?.Repositories);
  const clients = countKeys(server.WorkspaceInfo?.Clients);
  const stat = (key: string): number | null => (typeof hubStats?.[key] === 'number' ? (hubStats[key] as number) : null);
  return (
    <article className="card ov-card ov-server" aria-labelledby="ov-server" data-testid="machine-card" data-service={SERVER_NAME} data-online={entry?.online ? 'true' : 'false'}>
      <header className="ov-head">
        <div>
          <h2 id="ov-server">Server</h2>
          <div className="muted ov-sub">{SERVER_NAME}</div>
        </div>
        <SummaryBadge {...summary} why={summary.text === 'Out of sync' ? changes : undefined} />
      </header>
      <Liveness entry={entry} />
      <dl className="facts ov-facts">
        <dt>Repositories</dt>
        <dd data-testid="server-repositories">{num(repositories)}</dd>
        <dt>Clients</dt>
        <dd data-testid="server-clients">
          {clients === null ? UNKNOWN : `${num(clients)} reporting`}
          <span className="muted"> · {num(clientServices)} discovered</span>
        </dd>
        <dt>Status</dt>
        <dd data-testid="server-changes">{changes}</dd>
        <dt>Activity</dt>
        <Activity status={status} label="Server" />
        <dt>Hub</dt>
        <dd data-testid="hub-stats">
          {hubStats ? (
            <>
              {num(stat('Peers'))} peers · {num(stat('MessagesInPerSecond'), 1)} msgs/s in · {num(stat('MessagesOutPerSecond'), 1)} msgs/s out
              {(stat('Dropped') ?? 0) > 0 && <span className="ov-warn"> · {num(stat('Dropped'))} dropped</span>}
            </>
          ) : (
            UNKNOWN
          )}
        </dd>
      </dl>
    </article>
  );
}

/** Cards per row at the list's width (the grid's 460 px minimum and 16 px gap). */
const columnsFor = (width: number): number => Math.max(1, Math.floor((width + 16) / (460 + 16)));

export function OverviewView() {
  const filtered = useUi((s) => s.machines.length > 0 || s.machineState !== '');
  const { services, counts, loaded } = useMachines();
  const machineState = useUi((s) => s.machineState);
  const setMachineState = useUi((s) => s.setMachineState);
  const [width, ref] = useWidth<HTMLDivElement>();
  const columns = columnsFor(width);
  const rows = useMemo(() => {
    const out: string[][] = [];
    for (let i = 0; i < services.length; i += columns) out.push(services.slice(i, i + columns));
    return out;
  }, [services, columns]);
  if (!loaded) return <p className="muted">Loading the panel state…</p>;
  return (
    <>
      <h2 className="view-title">Overview</h2>
      <div className="ov-grid" data-testid="overview" ref={ref}>
        <ServerCard />
        <div className="ov-machines" data-testid="ov-machines" data-count={services.length}>
          <StateFilter counts={counts} machineState={machineState} setMachineState={setMachineState} />
          <VirtualList
            items={rows}
            rowHeight={320}
            measured
            overscan={1}
            height="page"
            label="Client machines, attention first"
            testId="ov-list"
            className="ov-list"
            rowClassName="ov-row"
            itemKey={(row) => row.join('\n')}
            empty={`No client machines${filtered ? ' match the filters' : ' discovered yet'}.`}
            render={(row) => (
              <div className="ov-row-cards" style={{ gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))` }}>
                {row.map((service) => <ClientCard key={service} service={service} />)}
              </div>
            )}
          />
        </div>
      </div>
      <RecentOperations />
    </>
  );
}
