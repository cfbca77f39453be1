/**
 * `npm run serve`: serves the built renderer on 127.0.0.1. The panel API bridge, the session token and the embedded
 * services join it with the browser-host issue; this is the part the first e2e test proves.
 */
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serveStatic } from './static-files.ts';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, root: { type: 'string' } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a TCP port number, got "${values.port}"`);
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(values.root ?? path.join(here, '../renderer'));

const server = createServer((req, res) => {
  serveStatic(root, req, res).then(
    (handled) => {
      if (!handled) res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    },
    () => res.destroy(),
  );
});
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log(`Asset Hub Panel: http://127.0.0.1:${address.port}/`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)));
