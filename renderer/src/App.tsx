import { useEffect, useState } from 'react';
import { tokenFromHash } from './api/bridge.ts';
import { pickHost } from './api/host.ts';
import { usePanel } from './store/panel.ts';
import { Shell } from './shell/Shell.tsx';

/**
 * The panel page: picks the host (Electron preload, else the browser bridge from the URL's token, else none), attaches
 * the store to it and shows the shell with the operator's views.
 */
export function App() {
  const [host] = useState(() => pickHost(window));
  const start = usePanel((s) => s.start);
  useEffect(() => start(host), [host, start]);
  useEffect(() => {
    if (host.kind === 'electron') return;
    // Pasting a new URL that differs only after # does not load the page again: a new token must.
    const token = tokenFromHash(window.location.hash);
    const onHashChange = () => {
      if (tokenFromHash(window.location.hash) !== token) window.location.reload();
    };
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, [host]);
  return <Shell />;
}
