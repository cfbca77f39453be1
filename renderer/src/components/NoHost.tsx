/** What the page shows when no panel host is connected to it: where the URL with the session key comes from. */
import { Dot } from './Dot.tsx';

export function NoHost() {
  return (
    <section className="card card-narrow" aria-labelledby="nohost-title">
      <h2 id="nohost-title">No panel host</h2>
      <p data-testid="connection-detail" className="state-line">
        <Dot tone="idle" />
        <span>No panel host is connected to this page.</span>
      </p>
      <p>
        Open the URL printed by <code>npm run serve</code>. It looks like <code>http://127.0.0.1:&lt;port&gt;/#token=…</code>: the
        part after <code>#token=</code> is this session&apos;s key, and without it the page gets no data.
      </p>
      <p className="muted">In the desktop app the panel connects by itself.</p>
    </section>
  );
}
