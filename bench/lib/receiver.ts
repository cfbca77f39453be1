/**
 * A webhook receiver in its own process for the benches: reads each delivery and answers an Item for every action at
 * once, so what is measured is the server's side.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const RECEIVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const Items = body.actions.map((a) => ({ AssetId: a.assetId, IntegrationState: JSON.stringify({ externalId: 'x-' + a.assetId, version: 1 }) }));
    const text = JSON.stringify({ Items });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  });
});
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
process.stdin.on('end', () => process.exit(0)).resume();
`;

export interface BareReceiver {
  url: string;
  process: ChildProcess;
  close(): void;
}

export async function startBareReceiver(): Promise<BareReceiver> {
  const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      const m = /port (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the receiver exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}/webhook`, process: child, close: () => child.stdin?.end() };
}
