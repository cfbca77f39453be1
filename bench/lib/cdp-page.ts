/**
 * One Chromium page driven over the DevTools protocol's pipe, with nothing else attached. The show simulator measures
 * the page's main thread, and Playwright enables the Network domain on every page: Chromium then copies each WebSocket
 * message the panel receives into a DevTools event for Playwright before the page sees it. A 73 KB message 30 times a
 * second cost the page's renderer 2.3× the CPU under Playwright (1,010 vs 430 ms over 15 s), and in the show that copy
 * made most of the longest tasks (27–307 ms before the message reached the page). No operator's browser has it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

type Params = Record<string, unknown>;
type Listener = (params: Params) => void;
interface Reply { id?: number; method?: string; sessionId?: string; params?: Params; result?: unknown; error?: { message: string } }

/** A DevTools session on the page: its commands and events (every caller shares it; nothing else is attached). */
export interface CdpSession {
  send<T = Params>(method: string, params?: Params): Promise<T>;
  on(event: string, listener: Listener): void;
  off(event: string, listener: Listener): void;
}

/**
 * The DevTools pipe's framing: each message a text ended by a NUL, in chunks of any size. A trace comes in messages of
 * megabytes: the pieces of one are joined once, at its NUL.
 */
export function nulSeparated(onText: (text: string) => void): (chunk: string) => void {
  let parts: string[] = [];
  return (chunk) => {
    let start = 0;
    for (let end = chunk.indexOf('\0'); end >= 0; start = end + 1, end = chunk.indexOf('\0', start)) {
      parts.push(chunk.slice(start, end));
      const text = parts.join('');
      parts = [];
      onText(text);
    }
    if (start < chunk.length) parts.push(chunk.slice(start));
  };
}

export class CdpPage implements CdpSession {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private sessionId = '';

  private constructor(private readonly child: ChildProcess, private readonly out: Writable) {}

  /** Chromium with `args` on about:blank, its one page attached and sized to `viewport`. */
  static async launch(executable: string, args: string[], userDataDir: string, viewport: { width: number; height: number }): Promise<CdpPage> {
    // fd 3: commands in, fd 4: replies and events out, each a JSON text ended by a NUL.
    const child = spawn(executable, [...args, '--remote-debugging-pipe', `--user-data-dir=${userDataDir}`, `--window-size=${viewport.width},${viewport.height}`, 'about:blank'], {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
    });
    const page = new CdpPage(child, child.stdio[3] as Writable);
    page.read(child.stdio[4] as Readable);
    child.once('exit', (code, signal) => page.failAll(new Error(`Chromium exited (${code ?? signal})`)));
    try {
      const { targetInfos } = await page.browser<{ targetInfos: { targetId: string; type: string }[] }>('Target.getTargets');
      const target = targetInfos.find((t) => t.type === 'page');
      if (!target) throw new Error('Chromium opened no page');
      page.sessionId = (await page.browser<{ sessionId: string }>('Target.attachToTarget', { targetId: target.targetId, flatten: true })).sessionId;
      await page.send('Page.enable');
      await page.send('Emulation.setDeviceMetricsOverride', { width: viewport.width, height: viewport.height, deviceScaleFactor: 1, mobile: false });
      return page;
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  /** A command to the page's session. */
  send<T = Params>(method: string, params: Params = {}): Promise<T> {
    return this.command<T>(method, params, this.sessionId);
  }

  on(event: string, listener: Listener): void {
    const set = this.listeners.get(event) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(event, set);
  }

  off(event: string, listener: Listener): void {
    this.listeners.get(event)?.delete(listener);
  }

  /** Runs `script` before any of each new document's own scripts. */
  async addInitScript(script: string): Promise<void> {
    await this.send('Page.addScriptToEvaluateOnNewDocument', { source: script });
  }

  /** Navigates and resolves once the new document's load event fired. */
  async goto(url: string, timeoutMs = 60_000): Promise<void> {
    const loaded = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${url}: not loaded within ${timeoutMs} ms`)), timeoutMs);
      const onLoad = () => {
        clearTimeout(timer);
        this.off('Page.loadEventFired', onLoad);
        resolve();
      };
      this.on('Page.loadEventFired', onLoad);
    });
    const nav = await this.send<{ errorText?: string }>('Page.navigate', { url });
    if (nav.errorText) throw new Error(`${url}: ${nav.errorText}`);
    await loaded;
  }

  /** The value of `expression` in the page (awaited when a promise); the page's exception as an Error. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send<{ result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } }>('Runtime.evaluate', {
      expression, awaitPromise: true, returnByValue: true,
    });
    if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
    return r.result.value as T;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    await Promise.race([this.browser('Browser.close').catch(() => undefined), new Promise((r) => setTimeout(r, 5000))]);
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private browser<T>(method: string, params: Params = {}): Promise<T> {
    return this.command<T>(method, params, '');
  }

  private command<T>(method: string, params: Params, sessionId: string): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      this.out.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  private read(input: Readable): void {
    input.setEncoding('utf8');
    input.on('data', nulSeparated((text) => this.dispatch(JSON.parse(text) as Reply)));
  }

  private dispatch(m: Reply): void {
    if (m.id !== undefined) {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error) p?.reject(new Error(`${p.method}: ${m.error.message}`));
      else p?.resolve(m.result);
    } else if (m.method && (m.sessionId ?? '') === this.sessionId) {
      for (const l of this.listeners.get(m.method) ?? []) l(m.params ?? {});
    }
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}
