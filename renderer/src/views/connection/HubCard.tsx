/**
 * Which hub the panel is on, and the way to change it without restarting: Pixotope's Data Hub (ZeroMQ) by host,
 * this project's hub (WebSocket) by URL and token, or the embedded demo services. A change is confirmed first (the
 * panel stops showing the hub it leaves), then made by the host, which remembers it for the next start.
 */
import { useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { HostInfo, HubChoice } from '../../../../shared/panel/api.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { DataFolder } from './DataFolder.tsx';
import { usePanel } from '../../store/panel.ts';
import { chooseHub } from '../../commands/index.ts';
import { checkForm, HUB_FORM_ID, hubWords, initialForm, KIND_LABEL, type FormField, type HubForm, type HubKind } from '../../lib/hub-form.ts';

const SOURCE_WORDS: Record<HostInfo['hub'], string> = {
  embedded: 'the embedded demo services',
  chosen: 'a hub chosen by address',
  none: 'no hub yet',
};

function Field({ id, label, value, onChange, problem, hint, type = 'text', placeholder }: {
  id: FormField; label: string; value: string; onChange(v: string): void; problem?: string; hint?: string; type?: string; placeholder?: string;
}) {
  const uid = useId();
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type={type}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder={placeholder}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem || hint ? `${uid}-note` : undefined}
        autoComplete="off"
        spellCheck={false}
        data-testid={`hub-${id}`}
      />
      {(problem || hint) && (
        <span id={`${uid}-note`} className={problem ? 'field-error' : 'muted'} data-testid={problem ? `hub-${id}-error` : undefined}>
          {problem ?? hint}
        </span>
      )}
    </label>
  );
}

export function HubCard() {
  const { connection, host } = usePanel(useShallow((s) => ({ connection: s.data?.connection, host: s.data?.host })));
  const [form, setForm] = useState<HubForm | null>(null);
  const [shown, setShown] = useState<Partial<Record<FormField, string>>>({});
  const [confirm, setConfirm] = useState<{ choice: HubChoice; target: string } | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const titleId = useId();
  if (!connection || !host) return null;

  const words = connection.hubUrl ? hubWords(connection.hubUrl) : null;
  const editing = form ?? initialForm(connection.hubUrl, host);
  const set = (fields: Partial<HubForm>) => {
    setForm({ ...editing, ...fields });
    setShown({});
  };
  const submit = () => {
    const checked = checkForm(editing);
    if (!checked.ok) return setShown(checked.problems);
    setFailure(null);
    setConfirm({ choice: checked.choice, target: checked.target });
  };
  const choose = async () => {
    if (!confirm) return;
    const { choice } = confirm;
    setConfirm(null);
    setBusy(true);
    try {
      await chooseHub(choice);
      setForm(null);
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={titleId} data-testid="hub-card">
      <div className="card-head">
        <h2 id={titleId}>Hub</h2>
        <span className="muted" data-testid="hub-source">On {SOURCE_WORDS[host.hub]}{host.remembered ? ' · remembered for the next start' : ''}</span>
      </div>
      <dl className="facts">
        <dt>Fabric</dt>
        <dd data-testid="hub-fabric">{words?.fabric ?? '—'}</dd>
        <dt>Where</dt>
        <dd>{words ? <code data-testid="hub-where">{words.where}</code> : '—'}</dd>
        {host.embedded && (
          <>
            <dt>Embedded services</dt>
            <dd data-testid="hub-embedded">
              {host.embedded.running ? 'running' : 'not running'} · their own hub: {host.embedded.fabric === 'zmq' ? 'ZeroMQ' : 'WebSocket'}
            </dd>
            <dt>Data folder</dt>
            <DataFolder embedded={host.embedded} />
          </>
        )}
        {host.note && (
          <>
            <dt>Note</dt>
            <dd data-testid="hub-note">{host.note}</dd>
          </>
        )}
      </dl>
      {host.canChoose ? (
        <form
          id={HUB_FORM_ID}
          className="hub-form"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
          aria-label="Change hub"
        >
          <fieldset>
            <legend>Change hub</legend>
            <div className="hub-kinds" role="radiogroup" aria-label="Kind of hub">
              {(['zmq', 'ws', 'embedded'] as HubKind[]).map((kind) => (
                <label key={kind} className="hub-kind">
                  <input type="radio" name="hub-kind" value={kind} checked={editing.kind === kind} onChange={() => set({ kind })} data-testid={`hub-kind-${kind}`} />
                  <span>{KIND_LABEL[kind]}</span>
                </label>
              ))}
            </div>
            {editing.kind === 'zmq' && (
              <div className="hub-fields">
                <Field id="host" label="Host" value={editing.host} onChange={(host) => set({ host })} problem={shown.host} placeholder="127.0.0.1 or STAGE-A" />
                <Field id="subPort" label="Subscribe port" value={editing.subPort} onChange={(subPort) => set({ subPort })} problem={shown.subPort} placeholder="16201" hint="empty: Pixotope's 16201" />
                <Field id="pubPort" label="Publish port" value={editing.pubPort} onChange={(pubPort) => set({ pubPort })} problem={shown.pubPort} placeholder="16202" hint="empty: Pixotope's 16202" />
              </div>
            )}
            {editing.kind === 'ws' && (
              <div className="hub-fields">
                <Field id="url" label="URL" value={editing.url} onChange={(url) => set({ url })} problem={shown.url} placeholder="ws://studio-hub:16209" />
                <Field id="token" label="Token" type="password" value={editing.token} onChange={(token) => set({ token })} hint="required by a hub beyond loopback; empty: none" />
              </div>
            )}
            {editing.kind === 'embedded' && (
              <p className="muted">The reference services with the demo show, on this machine; started if they are not running.</p>
            )}
            <div className="hub-actions">
              <button type="submit" className="button primary" disabled={busy} data-testid="hub-connect">
                {busy ? 'Switching…' : 'Connect'}
              </button>
              {form && !busy && (
                <button type="button" className="button" onClick={() => (setForm(null), setShown({}), setFailure(null))}>
                  Reset
                </button>
              )}
            </div>
            {(failure ?? host.switching?.error) && (
              <p className="problem-text" role="alert" data-testid="hub-failure">
                Could not switch: {failure ?? host.switching?.error}
              </p>
            )}
          </fieldset>
        </form>
      ) : (
        <p className="muted">This panel host cannot change hubs.</p>
      )}
      {confirm && (
        <ConfirmDialog title="Switch hub?" confirmLabel="Switch" onConfirm={() => void choose()} onCancel={() => setConfirm(null)}>
          <p>
            The panel leaves <strong>{words ? `${words.fabric} ${words.where}` : 'its current hub'}</strong> and joins <strong data-testid="hub-confirm-target">{confirm.target}</strong>.
          </p>
          <p className="muted">Nothing changes on the services; the panel shows the new hub&apos;s machines once it is connected. The choice is remembered for the next start.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
