/**
 * The configuration editor of an integration (new, or edit): every field of IntegrationConfig, checked as typed with
 * the reason beside the field (URL, RSQL filter, JSON object, numbers in range), the Secret write-only ("leave empty to
 * keep"), the retry policy in words, and the repositories it follows chosen from the server's. The filter's values are
 * also checked against the catalogue (FilterWarnings: a warning with a one-click "Use …", never a block). Save sends
 * the Set and waits for the server's Update to show it; a refusal stays in the dialog with the server's reason (and is
 * toasted); the outcome says when the saved filter has warnings. The Modal frame: Escape cancels, not while saving.
 */
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import type { TIntegrationEntry } from '../../../../shared/assethub/integrations.ts';
import { replaceFilterValue } from '../../../../shared/rsql/values.ts';
import { RsqlFilterInput, filterProblem } from '../../components/RsqlFilterInput.tsx';
import { RepoName } from '../../components/RepoName.tsx';
import { FILTER_EXAMPLES, checkForm, configSignature, duration, formOf, retrySummary, revisionProblem, type ConfigForm, type FormField } from './model.ts';
import { FilterWarnings, hasNotes, savedNote } from './FilterWarnings.tsx';
import { saveIntegration, toastFailure, type Failure } from '../../commands/index.ts';
import { Modal } from '../../components/Modal.tsx';
import { useFilterCheck } from './useFilterCheck.ts';

export interface ConfigEditorProps {
  /** The integration edited (its key), or null for a new one. */
  name: string | null;
  entry: TIntegrationEntry | null;
  /** The live entry, to tell when it changed on the server while the editor is open. */
  live: TIntegrationEntry | undefined;
  taken: readonly string[];
  repositories: readonly string[];
  online: boolean;
  /** `filterNote`: what the outcome says of the saved filter's warnings, null when it has none. */
  onSaved(name: string, filterNote: { title: string; message: string } | null): void;
  onCancel(): void;
}

function Field({ label, error, hint, children, id, wide }: { label: string; error?: string; hint?: ReactNode; children: ReactNode; id: string; wide?: boolean }) {
  return (
    <div className={`int-field${wide ? ' int-field-wide' : ''}`}>
      <label className="int-label" htmlFor={id}>{label}</label>
      {children}
      {error ? (
        <p className="int-field-error" id={`${id}-error`} role="alert" data-testid={`${id}-error`}>{error}</p>
      ) : hint ? (
        <p className="int-field-hint muted" id={`${id}-hint`}>{hint}</p>
      ) : null}
    </div>
  );
}

export function ConfigEditor({ name, entry, live, taken, repositories, online, onSaved, onCancel }: ConfigEditorProps) {
  const isNew = name === null;
  const [form, setForm] = useState<ConfigForm>(() => formOf(entry));
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Failure | null>(null);
  /** Problems are shown for a field once it was left (or Save was tried), not while the first characters go in. */
  const [touched, setTouched] = useState<ReadonlySet<FormField>>(new Set());
  const [tried, setTried] = useState(false);
  const [openedAs] = useState(() => configSignature(entry ?? undefined));

  const filter = filterProblem(form.Filter, 'assets');
  const filterText = filter ? `${filter.part ? `${filter.part}: ` : ''}${filter.message}` : revisionProblem(form.Filter);
  const check = useMemo(() => checkForm(form, { isNew, taken, filterProblem: filterText }), [form, isNew, taken, filterText]);
  const filterCheck = useFilterCheck(form.Filter, form.Repositories, online && !filterText);
  const shown = (field: FormField): string | undefined => (tried || touched.has(field) ? check.errors[field] : undefined);
  const set = <K extends FormField>(field: K, value: ConfigForm[K]) => setForm((f) => ({ ...f, [field]: value }));
  const leave = (field: FormField) => () => setTouched((t) => (t.has(field) ? t : new Set([...t, field])));

  const changedMeanwhile = !isNew && live !== undefined && configSignature(live) !== openedAs;
  const deletedMeanwhile = !isNew && live === undefined;

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setTried(true);
    if (!check.config || busy) {
      e.currentTarget.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    setBusy(true);
    setRefusal(null);
    try {
      // Asked beside the save (usually already answered while typing): a warning never holds the save back.
      const checking = filterCheck.checkNow(check.config.Filter, check.config.Repositories);
      await saveIntegration(check.config.Name, check.config);
      onSaved(check.config.Name, savedNote(await checking));
    } catch (error) {
      setRefusal(toastFailure(`${check.config.Name} was not saved`, error));
      setBusy(false);
    }
  };

  const invalid = (field: FormField) => (shown(field) ? { 'aria-invalid': true as const, 'aria-describedby': `int-cfg-${field}-error` } : { 'aria-describedby': `int-cfg-${field}-hint` });
  const retry = check.errors.MaxAttempts || check.errors.InitialDelayMs || check.errors.Multiplier
    ? null
    : { MaxAttempts: Number(form.MaxAttempts), InitialDelayMs: Number(form.InitialDelayMs), Multiplier: Number(form.Multiplier) };
  const allRepos = form.Repositories.length === 0;
  const unknownRepos = form.Repositories.filter((r) => !repositories.includes(r));

  return (
    <Modal
      title={isNew ? 'New integration' : <>Edit integration <span className="int-strong">{name}</span></>}
      onClose={onCancel}
      busy={busy}
      className="int-editor"
      testId="int-editor"
      initialFocus="input:not([disabled]), textarea"
      onSubmit={(e) => void submit(e)}
      noValidate
    >
      {deletedMeanwhile && <p className="int-warn" role="alert">This integration was deleted on the server while the editor was open. Saving creates it again.</p>}
      {changedMeanwhile && !deletedMeanwhile && (
        <p className="int-warn" role="alert" data-testid="int-editor-changed">Its configuration changed on the server since this editor opened; saving replaces it with what is shown here.</p>
      )}
      <div className="int-form">
        <Field label="Name" id="int-cfg-Name" error={shown('Name')} hint={isNew ? 'The key of the integration. It cannot be changed later: tracking belongs to the name.' : 'The name cannot be changed: tracking belongs to it.'}>
          <input id="int-cfg-Name" value={form.Name} onChange={(e) => set('Name', e.target.value)} onBlur={leave('Name')} readOnly={!isNew} spellCheck={false} autoComplete="off" {...invalid('Name')} data-testid="int-cfg-name" />
        </Field>
        <div className="int-field">
          <span className="int-label" id="int-cfg-Enabled-label">Deliveries</span>
          <label className="check int-check-line">
            <input type="checkbox" checked={form.Enabled} onChange={(e) => set('Enabled', e.target.checked)} data-testid="int-cfg-enabled" />
            Enabled (when off, changes are queued and nothing is sent)
          </label>
        </div>
        <Field label="Endpoint URL" id="int-cfg-EndpointUrl" error={shown('EndpointUrl')} hint="Each batch is POSTed here as JSON, signed with X-AssetHub-Signature." wide>
          <input id="int-cfg-EndpointUrl" type="url" value={form.EndpointUrl} onChange={(e) => set('EndpointUrl', e.target.value)} onBlur={leave('EndpointUrl')} spellCheck={false} autoComplete="off" placeholder="https://receiver.example.com/hooks/assets" {...invalid('EndpointUrl')} data-testid="int-cfg-endpoint" />
        </Field>
        <div className="int-field int-field-wide">
          <RsqlFilterInput
            id="int-cfg-filter"
            label="Asset filter (RSQL)"
            value={form.Filter}
            onChange={(v) => set('Filter', v)}
            target="assets"
            examples={FILTER_EXAMPLES}
            serverError={!filter && filterText ? { message: filterText } : null}
            placeholder="empty = every asset of the followed repositories"
            describedBy={hasNotes(filterCheck.current) ? 'int-cfg-filter-check' : undefined}
          >
            <FilterWarnings
              id="int-cfg-filter-check"
              check={filterCheck.current}
              repositories={form.Repositories}
              onUse={(w) => {
                set('Filter', replaceFilterValue(form.Filter, w.Selector, w.Value, w.Suggestion));
                document.getElementById('int-cfg-filter')?.focus();
              }}
            />
          </RsqlFilterInput>
        </div>
        <Field label="Configuration (JSON object, sent with every delivery)" id="int-cfg-Configuration" error={shown('Configuration')} hint="Sent as “configuration” in each request body." wide>
          <textarea id="int-cfg-Configuration" className="int-code" rows={5} value={form.Configuration} onChange={(e) => set('Configuration', e.target.value)} onBlur={leave('Configuration')} spellCheck={false} {...invalid('Configuration')} data-testid="int-cfg-configuration" />
        </Field>
        <Field label="Tenant ID" id="int-cfg-TenantId" error={shown('TenantId')} hint="Sent as “tenantId”.">
          <input id="int-cfg-TenantId" value={form.TenantId} onChange={(e) => set('TenantId', e.target.value)} onBlur={leave('TenantId')} spellCheck={false} autoComplete="off" {...invalid('TenantId')} data-testid="int-cfg-tenant" />
        </Field>
        <Field
          label="Signing secret"
          id="int-cfg-Secret"
          error={shown('Secret')}
          hint={isNew ? 'Required. Every delivery is signed with it (X-AssetHub-Signature); it is write-only and never shown again.' : entry?.SecretSet ? 'A secret is stored. Leave empty to keep it; type a new one to replace it.' : 'No secret is stored. Leave empty to keep it so.'}
        >
          <input id="int-cfg-Secret" type="password" value={form.Secret} onChange={(e) => set('Secret', e.target.value)} onBlur={leave('Secret')} autoComplete="new-password" placeholder={isNew ? '' : 'leave empty to keep'} {...invalid('Secret')} data-testid="int-cfg-secret" />
        </Field>
        <Field label="Batch size (assets per request)" id="int-cfg-BatchSize" error={shown('BatchSize')} hint="1 to 500.">
          <input id="int-cfg-BatchSize" inputMode="numeric" value={form.BatchSize} onChange={(e) => set('BatchSize', e.target.value)} onBlur={leave('BatchSize')} {...invalid('BatchSize')} data-testid="int-cfg-batch" />
        </Field>
        <Field label="Timeout (ms)" id="int-cfg-TimeoutMs" error={shown('TimeoutMs')} hint={Number.isFinite(Number(form.TimeoutMs)) && form.TimeoutMs.trim() !== '' ? `= ${duration(Number(form.TimeoutMs))} per request` : '100 to 300,000.'}>
          <input id="int-cfg-TimeoutMs" inputMode="numeric" value={form.TimeoutMs} onChange={(e) => set('TimeoutMs', e.target.value)} onBlur={leave('TimeoutMs')} {...invalid('TimeoutMs')} data-testid="int-cfg-timeout" />
        </Field>
        <fieldset className="int-fieldset int-field-wide">
          <legend>Retry policy</legend>
          <div className="int-retry">
            <Field label="Attempts in all" id="int-cfg-MaxAttempts" error={shown('MaxAttempts')} hint="1 to 20.">
              <input id="int-cfg-MaxAttempts" inputMode="numeric" value={form.MaxAttempts} onChange={(e) => set('MaxAttempts', e.target.value)} onBlur={leave('MaxAttempts')} {...invalid('MaxAttempts')} data-testid="int-cfg-attempts" />
            </Field>
            <Field label="First retry after (ms)" id="int-cfg-InitialDelayMs" error={shown('InitialDelayMs')} hint={Number.isFinite(Number(form.InitialDelayMs)) && form.InitialDelayMs.trim() !== '' ? `= ${duration(Number(form.InitialDelayMs))}` : '0 to 86,400,000.'}>
              <input id="int-cfg-InitialDelayMs" inputMode="numeric" value={form.InitialDelayMs} onChange={(e) => set('InitialDelayMs', e.target.value)} onBlur={leave('InitialDelayMs')} {...invalid('InitialDelayMs')} data-testid="int-cfg-delay" />
            </Field>
            <Field label="Backoff multiplier" id="int-cfg-Multiplier" error={shown('Multiplier')} hint="1 to 10.">
              <input id="int-cfg-Multiplier" inputMode="decimal" value={form.Multiplier} onChange={(e) => set('Multiplier', e.target.value)} onBlur={leave('Multiplier')} {...invalid('Multiplier')} data-testid="int-cfg-multiplier" />
            </Field>
          </div>
          <p className="int-field-hint muted" data-testid="int-cfg-retry-summary">{retry ? `${retrySummary(retry)}; then the asset is listed as Failed.` : 'Correct the fields above to see the schedule.'}</p>
        </fieldset>
        <fieldset className="int-fieldset int-field-wide" data-testid="int-cfg-repositories">
          <legend>Repositories followed</legend>
          <p className="int-field-hint muted">{allRepos ? 'None ticked: every repository, including ones created later.' : `${form.Repositories.length} ticked: only these (every branch of each).`}</p>
          <ul className="int-repos">
            {repositories.map((repo) => (
              <li key={repo}>
                <label className="check">
                  <input
                    type="checkbox"
                    checked={form.Repositories.includes(repo)}
                    onChange={(e) => set('Repositories', e.target.checked ? [...form.Repositories, repo] : form.Repositories.filter((r) => r !== repo))}
                    data-testid="int-cfg-repo"
                    data-repo={repo}
                  />
                  <RepoName name={repo} />
                </label>
              </li>
            ))}
            {unknownRepos.map((repo) => (
              <li key={repo}>
                <label className="check int-warn" title="The server does not report this repository (any more)">
                  <input type="checkbox" checked onChange={() => set('Repositories', form.Repositories.filter((r) => r !== repo))} data-testid="int-cfg-repo" data-repo={repo} />
                  {repo} (unknown to the server)
                </label>
              </li>
            ))}
          </ul>
          {repositories.length === 0 && <p className="muted">The server's repositories have not been read yet.</p>}
        </fieldset>
      </div>
      {refusal && (
        <p className="int-refusal" role="alert" data-testid="int-editor-error">
          Not saved: <code>{refusal.code}</code> {refusal.message}
        </p>
      )}
      {tried && !check.config && !refusal && <p className="int-refusal" role="alert">Correct the marked fields first ({Object.keys(check.errors).length}).</p>}
      <div className="modal-actions">
        {!online && <span className="int-warn int-actions-note">AssetHubServer is offline: nothing can be saved until it is back.</span>}
        <button type="button" onClick={onCancel} disabled={busy}>Cancel</button>
        <button type="submit" className="primary" disabled={busy || !online} data-testid="int-cfg-save">{busy ? 'Saving… (waiting for the server)' : isNew ? 'Create integration' : 'Save'}</button>
      </div>
    </Modal>
  );
}
