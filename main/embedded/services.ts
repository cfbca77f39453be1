/**
 * The embedded services: the reference Data Hub, AssetHubServer and clients, run as a child process by the panel's
 * hosts so that the panel works out of the box. Node-only and electron-free.
 *
 * Three separate parts, so that Electron's host can reuse the last two with `utilityProcess.fork`:
 *  - how to spawn: `servicesCommand` + `servicesArgs` say what to run; `spawnServices` runs it with child_process;
 *  - readiness: `watchServicesOutput` splits the child's output into lines, keeps the last ones for error messages
 *    and resolves with the hub URL from the `Asset Hub services ready on ws://…` line (`parseReadyLine`), noting the
 *    demo receiver (`parseReceiverLine`) and the Pixotope Gateway (`parseGatewayLine`) they report before it;
 *  - stopping: `stopProcess` sends SIGTERM, then SIGKILL after a grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseHubAddress } from '../../shared/protocol/index.ts';
import type { GatewayChoice } from '../../services/lib/gateway-options.ts';

export const READY_TIMEOUT_MS = 60_000;
export const STOP_GRACE_MS = 5_000;

export interface EmbeddedServicesOptions {
  /** Where the services keep their databases and files (kept between runs). */
  dataDir: string;
  /** Build the demo show (two clients, three repositories…) on the first start in this folder. */
  demo: boolean;
  /**
   * Answer only what Pixotope documents (`--compat pixotope-docs`, docs/PROTOCOL-EXTENSIONS.md): the demo's two
   * clients are started on what the folder holds, and the demo is not built (the services refuse both at once). No
   * host offers it yet.
   */
  compat?: 'pixotope-docs';
  /** Hub token for the services and every peer; passed in the environment (ASSETHUB_TOKEN), never on the command line. */
  token?: string;
  /** Which hub the services run: this project's WebSocket hub (default) or a ZeroMQ Data Hub. */
  fabric?: 'ws' | 'zmq';
  /** Hub port (ws); 0 (the default) picks a free one. A supervisor passes the previous port on a restart. */
  port?: number;
  /** Hub ports (zmq): where peers' SUB and PUB sockets connect; 0 (the default) picks free ones. */
  subPort?: number;
  pubPort?: number;
  /** Also run the Pixotope Gateway (`--gateway`): its port (default 16208), allowed web origins, the machine of ~LOCAL~. */
  gateway?: GatewayChoice;
  /** How long to wait for the ready line. */
  timeoutMs?: number;
  /** Every line the services print (JSON log lines and the ready line), e.g. to forward to the host's log. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** The project root (where `app/dist/` and `services/` are); found from this module's location by default. */
  root?: string;
}

export interface EmbeddedServices {
  /** The hub's address, e.g. `ws://127.0.0.1:41234` or `zmq://127.0.0.1?sub=41234&pub=41235`. */
  hubUrl: string;
  child: ChildProcess;
  /** Resolves when the child has ended, with how it ended ("exit code 1", "signal SIGKILL"). */
  exited: Promise<string>;
  /** The demo webhook receiver the services started (`--demo`), from the line they print about it; null: none. */
  demoReceiver: DemoReceiver | null;
  /** The Pixotope Gateway's publish URL, from the line the services print about it; null: none runs. */
  gatewayUrl: string | null;
  /** The child's last lines of output. */
  lastOutput(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the child is gone. */
  stop(): Promise<void>;
}

// ---- how to spawn ----

/** What runs the services command: a module for `node` plus the node options it needs. */
export interface ServicesCommand {
  /** The entry module: the bundle `app/dist/services/cli.mjs`, or `services/cli.ts` when not built. */
  modulePath: string;
  /** Node options: `--import tsx` for the sources. */
  execArgv: string[];
}

/** The nearest folder above `from` holding a package.json: the project root, from the sources or from app/dist. */
export function findProjectRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}: cannot find the services command`);
  }
}

export function servicesCommand(root = findProjectRoot()): ServicesCommand {
  const bundle = path.join(root, 'app/dist/services/cli.mjs');
  if (existsSync(bundle)) return { modulePath: bundle, execArgv: [] };
  const source = path.join(root, 'services/cli.ts');
  if (existsSync(source)) return { modulePath: source, execArgv: ['--import', 'tsx'] };
  throw new Error(`the services command is missing: neither ${bundle} (run "npm run build") nor ${source} exists`);
}

/** The machines of the embedded services' clients (the demo show's two stages): their workspaces are on this disk. */
export const EMBEDDED_CLIENTS: readonly string[] = ['STAGE-A', 'STAGE-B'];

export function servicesArgs(options: Pick<EmbeddedServicesOptions, 'dataDir' | 'demo' | 'compat' | 'fabric' | 'port' | 'subPort' | 'pubPort' | 'gateway'>): string[] {
  const hub = options.fabric === 'zmq'
    ? ['--fabric', 'zmq', '--sub-port', String(options.subPort ?? 0), '--pub-port', String(options.pubPort ?? 0)]
    : ['--port', String(options.port ?? 0)];
  const clients = ['--clients', EMBEDDED_CLIENTS.join(',')];
  const show = options.compat ? [...clients, '--compat', options.compat] : options.demo ? ['--demo', ...clients] : [];
  const gateway = options.gateway;
  const gatewayArgs = gateway
    ? ['--gateway', '--gateway-port', String(gateway.port), ...gateway.allowOrigins.flatMap((o) => ['--gateway-allow-origin', o]), ...(gateway.machine ? ['--gateway-machine', gateway.machine] : [])]
    : [];
  return ['--data', path.resolve(options.dataDir), ...hub, '--storage-port', '0', ...show, ...gatewayArgs];
}

/** The ports of a hub address, as the services command takes them again (a restart keeps the panel's address). */
export function hubPorts(hubUrl: string): Pick<EmbeddedServicesOptions, 'port' | 'subPort' | 'pubPort'> {
  const address = parseHubAddress(hubUrl);
  if (!address.ok) return {};
  if (address.value.fabric === 'zmq') return { subPort: address.value.subPort, pubPort: address.value.pubPort };
  return { port: Number(new URL(address.value.url).port) || 0 };
}

export function servicesEnv(token: string | undefined): NodeJS.ProcessEnv {
  return token === undefined ? { ...process.env } : { ...process.env, ASSETHUB_TOKEN: token };
}

/**
 * Loaded into the child before the services: when the parent dies (even by SIGKILL) the child's stdin pipe ends, and
 * the child stops itself cleanly, so no orphaned hub keeps the port and the data folder.
 */
const STOP_WITH_PARENT = "data:text/javascript,process.stdin.on('end',()=>process.kill(process.pid,'SIGTERM')).resume()";

export function spawnServices(command: ServicesCommand, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [...command.execArgv, '--import', STOP_WITH_PARENT, command.modulePath, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env,
    windowsHide: true,
  });
}

// ---- readiness: line parsing ----

const READY_LINE = /^Asset Hub services ready on ((?:wss?|zmq):\/\/\S+)\s*$/;

/** The hub URL from the services' ready line, or null for any other line. */
export function parseReadyLine(line: string): string | null {
  return READY_LINE.exec(line)?.[1] ?? null;
}

/** The embedded services' demo webhook receiver: its webhook URL, and the base of its admin API (loopback only). */
export interface DemoReceiver {
  url: string;
  adminBase: string;
}

const RECEIVER_LINE = /^Demo webhook receiver on (http:\/\/\S+) \(admin: GET\/PUT (http:\/\/\S+)\/admin\/rule, /;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * The demo receiver from the line services/cli.ts prints before its ready line (`Demo webhook receiver on <url>
 * (admin: GET/PUT <base>/admin/rule, …)`), or null for any other line. Only a loopback http address of one origin is
 * taken: the engine calls it, and the receiver's admin API answers loopback only anyway.
 */
export function parseReceiverLine(line: string): DemoReceiver | null {
  const match = RECEIVER_LINE.exec(line);
  if (!match) return null;
  try {
    const url = new URL(match[1] as string);
    const admin = new URL(match[2] as string);
    if (url.origin !== admin.origin || !LOOPBACK_HOSTS.has(admin.hostname) || admin.search || admin.hash) return null;
    return { url: url.href, adminBase: admin.href.replace(/\/$/, '') };
  } catch {
    return null;
  }
}

const GATEWAY_LINE = /^Pixotope Gateway on (http:\/\/\S+) /;

/** The Gateway's publish URL from the line services/cli.ts prints before its ready line, or null for any other line. */
export function parseGatewayLine(line: string): string | null {
  return GATEWAY_LINE.exec(line)?.[1] ?? null;
}

/** Keeps the last `max` lines. */
export class OutputTail {
  private readonly lines: string[] = [];
  constructor(private readonly max = 40) {}
  push(line: string): void {
    this.lines.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
    if (this.lines.length > this.max) this.lines.shift();
  }
  toString(): string {
    return this.lines.join('\n');
  }
}

/** Calls `onLine` for every complete line of `stream`, for as long as it flows (the pipe is always drained). */
export function splitLines(stream: Readable, onLine: (line: string) => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    partial += chunk;
    let newline: number;
    while ((newline = partial.indexOf('\n')) >= 0) {
      onLine(partial.slice(0, newline).replace(/\r$/, ''));
      partial = partial.slice(newline + 1);
    }
    if (partial.length > 1_000_000) {
      onLine(partial);
      partial = '';
    }
  });
  stream.on('end', () => {
    if (partial) onLine(partial);
    partial = '';
  });
}

/** What the readiness watcher needs from a process: its output streams and its end (child_process or utilityProcess). */
export interface WatchedProcess {
  stdout: Readable | null;
  stderr: Readable | null;
  /** Resolves with how the process ended. */
  exited: Promise<string>;
}

export class ServicesStartError extends Error {
  constructor(message: string, readonly output: string) {
    super(output ? `${message}; last output:\n${output}` : message);
  }
}

/**
 * Watches the services' output: every line goes to `onLine` and into the tail; resolves with the hub URL when the ready
 * line arrives, rejects when the process ends first or after `timeoutMs`. `demoReceiver()` is the receiver they
 * reported (before their ready line), if any.
 */
export function watchServicesOutput(
  proc: WatchedProcess,
  options: { timeoutMs: number; onLine?: EmbeddedServicesOptions['onLine'] },
): { ready: Promise<string>; tail: OutputTail; demoReceiver(): DemoReceiver | null; gatewayUrl(): string | null } {
  const tail = new OutputTail();
  let receiver: DemoReceiver | null = null;
  let gateway: string | null = null;
  let resolveReady!: (url: string) => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<string>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  let settled = false;
  const settle = (action: () => void) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    action();
  };
  const timer = setTimeout(
    () => settle(() => rejectReady(new ServicesStartError(`the services printed no ready line within ${options.timeoutMs} ms`, tail.toString()))),
    options.timeoutMs,
  );
  const take = (stream: 'stdout' | 'stderr') => (line: string) => {
    tail.push(line);
    options.onLine?.(line, stream);
    const url = stream === 'stdout' ? parseReadyLine(line) : null;
    if (url) settle(() => resolveReady(url));
    else if (stream === 'stdout' && !settled) {
      receiver = parseReceiverLine(line) ?? receiver;
      gateway = parseGatewayLine(line) ?? gateway;
    }
  };
  if (proc.stdout) splitLines(proc.stdout, take('stdout'));
  if (proc.stderr) splitLines(proc.stderr, take('stderr'));
  void proc.exited.then((how) => settle(() => rejectReady(new ServicesStartError(`the services ended (${how}) before they were ready`, tail.toString()))));
  return { ready, tail, demoReceiver: () => receiver, gatewayUrl: () => gateway };
}

// ---- stopping ----

export function childExited(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    const describe = (code: number | null, signal: NodeJS.Signals | null) => (signal ? `signal ${signal}` : `exit code ${code}`);
    if (child.exitCode !== null || child.signalCode !== null) return resolve(describe(child.exitCode, child.signalCode));
    child.once('exit', (code, signal) => resolve(describe(code, signal)));
    child.once('error', (error) => resolve(`could not start: ${error.message}`));
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has ended. */
export async function stopProcess(proc: { kill(signal?: NodeJS.Signals): boolean }, exited: Promise<string>, graceMs = STOP_GRACE_MS): Promise<void> {
  let ended = false;
  void exited.then(() => (ended = true));
  proc.kill('SIGTERM'); // a no-op for a process that has already ended
  const timer = setTimeout(() => {
    if (!ended) proc.kill('SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

// ---- together ----

export async function startEmbeddedServices(options: EmbeddedServicesOptions): Promise<EmbeddedServices> {
  const command = servicesCommand(options.root);
  const child = spawnServices(command, servicesArgs(options), servicesEnv(options.token));
  const exited = childExited(child);
  const { ready, tail, demoReceiver, gatewayUrl } = watchServicesOutput(
    { stdout: child.stdout, stderr: child.stderr, exited },
    { timeoutMs: options.timeoutMs ?? READY_TIMEOUT_MS, onLine: options.onLine },
  );
  // Writing to the stdin of a child that died must not crash the host.
  child.stdin?.on('error', () => {});
  const stop = () => stopProcess(child, exited);
  try {
    const hubUrl = await ready;
    return { hubUrl, child, exited, demoReceiver: demoReceiver(), gatewayUrl: gatewayUrl(), lastOutput: () => tail.toString(), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
