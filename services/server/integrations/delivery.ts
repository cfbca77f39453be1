/**
 * Delivery: one worker per integration, which in turn
 * 1. queues the changes of new commits, a page at a time (changes.ts);
 * 2. when Enabled, prepares the next batch, due work first (work-queue.ts), else the next page of a running Sync all
 *    (sync-all.ts), and sends it;
 * 3. records the outcome of the oldest batch out (record-outcome.ts);
 * 4. otherwise sleeps until the next record is due or something wakes it.
 * Up to MAX_IN_FLIGHT batches are out at once, never two with the same asset; the next one is prepared while they are
 * (pipelining), and their outcomes are recorded in sending order.
 */
import { setImmediate as immediate } from 'node:timers/promises';
import { disjoint, type Batch } from './batch.ts';
import { scanStep } from './changes.ts';
import type { PostOutcome } from './contract.ts';
import type { StatusCounts } from './db.ts';
import type { Loaded, Pipeline } from './pipeline.ts';
import { recordOutcome } from './record-outcome.ts';
import type { DeliverySender } from './sender.ts';
import { SyncAllStream } from './sync-all.ts';
import { recordBatch } from './work-queue.ts';

/**
 * Batches out at once per integration (never two with the same asset): the receiver works on one while the outcome
 * of the other is recorded and the next is prepared.
 */
const MAX_IN_FLIGHT = 2;
/** The outcome of a batch with nothing to send (every asset of a Sync all page left to its own pending work). */
const NOTHING_SENT: PostOutcome = { ok: true, httpStatus: 0, items: new Map(), response: '' };

export interface WorkerOptions {
  pipeline: Pipeline;
  sender: DeliverySender;
  /** The integration as it runs now (undefined once deleted). */
  integration: (name: string) => Loaded | undefined;
  /** Bytes of a receiver's answer read at most. */
  maxResponseBytes?: number;
}

export class Worker {
  stopped = false;
  /** Commits may have landed that are not queued yet. */
  scanNeeded = true;
  /** The integration's counts while no record changed (read for the state at most once per change). */
  counts: StatusCounts | null = null;
  readonly stream: SyncAllStream;
  /** Settled when the loop has ended (after stop()). */
  done: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;
  private readonly cancel = new AbortController();

  constructor(readonly name: string, private readonly options: WorkerOptions) {
    this.stream = new SyncAllStream(options.pipeline, options.pipeline.db.sync(name));
  }

  start(): void {
    this.done = this.run();
  }

  /** Something changed: look again now if asleep. */
  poke(): void {
    this.wake?.();
  }

  stop(): void {
    this.stopped = true;
    this.cancel.abort();
    this.wake?.();
  }

  private async run(): Promise<void> {
    const p = this.options.pipeline;
    // Batches out, oldest first; their outcomes are recorded in sending order.
    const out: Array<{ batch: Batch; outcome: Promise<PostOutcome> }> = [];
    while (!this.stopped) {
      try {
        // The server's store is being written in slices (a large commit): nothing of it may be read until it is done.
        const busy = p.store.idle();
        if (busy) {
          await busy;
          continue;
        }
        const it = this.options.integration(this.name);
        if (!it) break;
        if (this.scanNeeded) {
          if (scanStep(p, it)) {
            p.touched(it.name);
            await immediate();
            continue;
          }
          this.scanNeeded = false;
        }
        if (it.config.Enabled && out.length < MAX_IN_FLIGHT) {
          const inFlight = out.map((o) => o.batch);
          const next = recordBatch(p, it, inFlight, this.scanNeeded) ?? this.stream.next(it, inFlight);
          if (next === 'progress') {
            p.touched(it.name);
            await immediate();
            continue;
          }
          // A batch sharing an asset with one still out waits for that one's outcome (and is prepared again then).
          if (next && inFlight.every((b) => disjoint(b, next))) {
            out.push({ batch: next, outcome: next.members.length === 0 ? Promise.resolve(NOTHING_SENT) : this.post(it, next) });
            next.body = ''; // not kept while the batch is out (a ~70 KB string that would outlive the young generation)
            // Let the request go out before preparing the next batch or recording an outcome (which hold the thread).
            await immediate();
            continue;
          }
        }
        const oldest = out.shift();
        if (!oldest) {
          await this.sleep(it);
          continue;
        }
        const result = await oldest.outcome;
        if (this.stopped || result.ok === false && result.aborted) break;
        while (p.store.idle()) await p.store.idle();
        if (this.stopped) break;
        const now = this.options.integration(this.name);
        if (!now) continue;
        const epoch = p.db.epoch(this.name);
        recordOutcome(p, now, this.stream, oldest.batch, result);
        // The batches still out hold other assets: this outcome left their records as they were read.
        const after = p.db.epoch(this.name);
        for (const o of out) if (o.batch.epoch === epoch) o.batch.epoch = after;
        this.stream.keepAhead(oldest.batch, epoch, after);
      } catch (error) {
        p.logger.error({ integration: this.name, err: error instanceof Error ? error.stack : String(error) }, 'integration worker step failed; retrying in 1 s');
        out.length = 0;
        await this.pause(1000);
      }
    }
  }

  private post(it: Loaded, batch: Batch): Promise<PostOutcome> {
    return this.options.sender.post({
      url: it.config.EndpointUrl,
      secret: it.config.Secret ?? '',
      body: batch.body,
      deliveryId: batch.deliveryId,
      timeoutMs: it.config.TimeoutMs,
      cancel: this.cancel.signal,
      nowSeconds: this.options.pipeline.now() / 1000,
      maxResponseBytes: this.options.maxResponseBytes,
    });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wake = done;
    });
  }

  private sleep(it: Loaded): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const { db, now } = this.options.pipeline;
    db.flush();
    const due = it.config.Enabled ? db.nextDue(it.name) : null;
    if (due === null) {
      return new Promise((resolve) => {
        this.wake = () => {
          this.wake = null;
          resolve();
        };
      });
    }
    // A record due now that the work queue left alone waits for the commit scan: look again shortly.
    return this.pause(Math.min(60_000, Math.max(10, due - now())));
  }
}
