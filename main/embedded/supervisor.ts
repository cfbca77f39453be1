/**
 * Keeps the embedded services running: when the child dies (crash, OOM, an operator's kill), it is started again in
 * the same data folder, so the show's state survives, after a short delay that grows while it keeps dying (1 s, 2 s,
 * 5 s, 10 s, then every 30 s; back to 1 s once it stayed up for a minute). A restart first asks for the previous hub
 * port(s), so panels reconnect to the same address; if taken it takes free ones and says so through onReady.
 */
import { hubPorts, startEmbeddedServices, type EmbeddedServices, type EmbeddedServicesOptions } from './services.ts';

type Ports = Pick<EmbeddedServicesOptions, 'port' | 'subPort' | 'pubPort'>;

export const RESTART_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 30_000] as const;
const STABLE_AFTER_MS = 60_000;

export interface SupervisorOptions extends EmbeddedServicesOptions {
  /** After every start: the first (`restart` false) and each restart. */
  onReady?(services: EmbeddedServices, restart: boolean): void | Promise<void>;
  /** The services ended on their own; a restart follows in `restartInMs`. */
  onCrash?(how: string, restartInMs: number, lastOutput: string): void;
  /** A restart failed; another follows in `restartInMs`. */
  onRestartFailed?(error: Error, restartInMs: number): void;
  /** Starts the services (child_process by default; Electron's host can pass a utilityProcess starter). */
  start?(options: EmbeddedServicesOptions): Promise<EmbeddedServices>;
  /** Restart delays (tests shorten them). */
  delaysMs?: readonly number[];
}

export class ServicesSupervisor {
  private running: EmbeddedServices | null = null;
  private stopping = false;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private startedAt = 0;
  /** The ports of the hub that ran last (asked for again on a restart). */
  private ports: Ports = {};

  constructor(private readonly options: SupervisorOptions) {}

  /** The services now running, or null between a crash and the restart. */
  get current(): EmbeddedServices | null {
    return this.running;
  }

  /** The first start; rejects (with the child's last output) if the services do not come up. */
  async start(): Promise<EmbeddedServices> {
    const { port, subPort, pubPort } = this.options;
    const services = await this.launch({ port, subPort, pubPort });
    await this.options.onReady?.(services, false);
    return services;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const services = this.running;
    this.running = null;
    await services?.stop();
  }

  private async launch(ports: Ports): Promise<EmbeddedServices> {
    const start = this.options.start ?? startEmbeddedServices;
    const services = await start({ ...this.options, ...ports });
    if (this.stopping) {
      await services.stop();
      throw new Error('the supervisor was stopped while the services started');
    }
    this.running = services;
    this.startedAt = Date.now();
    this.ports = hubPorts(services.hubUrl);
    void services.exited.then((how) => this.ended(services, how));
    return services;
  }

  private delay(): number {
    const delays = this.options.delaysMs ?? RESTART_DELAYS_MS;
    return delays[Math.min(this.failures, delays.length - 1)] ?? 1_000;
  }

  private ended(services: EmbeddedServices, how: string): void {
    if (this.stopping || this.running !== services) return;
    this.running = null;
    if (Date.now() - this.startedAt >= STABLE_AFTER_MS) this.failures = 0;
    const wait = this.delay();
    this.failures++;
    this.options.onCrash?.(how, wait, services.lastOutput());
    this.schedule(wait);
  }

  private schedule(wait: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.restart();
    }, wait);
  }

  private async restart(): Promise<void> {
    if (this.stopping) return;
    let services: EmbeddedServices;
    try {
      services = await this.launch(this.ports).catch((error: unknown) => {
        // The previous ports may have been taken meanwhile: any free ones will do, the panel is told the new address.
        if (Object.values(this.ports).every((p) => !p) || this.stopping) throw error;
        return this.launch({ port: 0, subPort: 0, pubPort: 0 });
      });
    } catch (error) {
      if (this.stopping) return;
      const wait = this.delay();
      this.failures++;
      this.options.onRestartFailed?.(error instanceof Error ? error : new Error(String(error)), wait);
      this.schedule(wait);
      return;
    }
    // onReady errors are the host's to report; they must not take the supervisor down.
    await Promise.resolve(this.options.onReady?.(services, true)).catch(() => {});
  }
}
