import { BROADCAST, SERVER_NAME } from '../../shared/protocol/names.ts';

/** The shell. The panel API and the operator views arrive with the engine and operator UI issues. */
export function App() {
  return (
    <div className="shell">
      <header className="shell-header">
        <h1>Asset Hub Panel</h1>
      </header>
      <main className="shell-main">
        <section aria-labelledby="conn-title" className="card">
          <h2 id="conn-title">Connection</h2>
          <p role="status" data-testid="connection-status">
            No panel host is connected to this page.
          </p>
          <p className="muted">
            The panel talks to <code>{SERVER_NAME}</code> and every machine's client through a Data Hub, and listens
            to <code>{BROADCAST}</code> for changes.
          </p>
        </section>
      </main>
    </div>
  );
}
