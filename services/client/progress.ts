/** A workspace's Status (docs/PROTOCOL.md §4) while it works: what the operator sees move. */
import type { TWorkspaceStatus } from '../../shared/assethub/states.ts';

export type Activity = TWorkspaceStatus['Activity'];

export const idleStatus = (message = ''): Omit<TWorkspaceStatus, 'Attached' | 'Incoming' | 'Outcoming'> => ({
  Activity: 'Idle',
  Stage: 'Finalizing',
  Auto: false,
  Current: 0,
  Total: 0,
  Progress: 1,
  Message: message,
});

/**
 * Mutable progress of the running operation, read by the state builder; `changed` asks for an Update: throttled while
 * it moves, at once when it begins or ends (`transition`), so that no operation's start or outcome is merged away.
 */
export class Progress {
  status = idleStatus();

  constructor(private readonly changed: (transition: boolean) => void) {}

  begin(activity: Activity, auto: boolean, message: string): void {
    this.status = { Activity: activity, Stage: 'Initiating', Auto: auto, Current: 0, Total: 0, Progress: 0, Message: message };
    this.changed(true);
  }

  stage(stage: 'InProgress' | 'Finalizing', total: number, message: string): void {
    this.status = { ...this.status, Stage: stage, Current: 0, Total: total, Progress: total === 0 ? 1 : 0, Message: message };
    this.changed(false);
  }

  advance(by: number, message?: string): void {
    const Current = Math.min(this.status.Total, this.status.Current + by);
    this.status = { ...this.status, Current, Progress: this.status.Total ? Current / this.status.Total : 1, ...(message ? { Message: message } : {}) };
    this.changed(false);
  }

  end(message: string): void {
    this.status = idleStatus(message);
    this.changed(true);
  }
}
