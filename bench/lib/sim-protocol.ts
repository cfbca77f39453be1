/** The messages between the show simulator and its child processes (./sim-process.ts, ./real-process.ts). */
import type { SimMachineSpec } from './sim-client.ts';

export type SimRequest =
  | { type: 'start'; hubUrl: string; machines: SimMachineSpec[]; seed: number }
  | { type: 'traffic'; syncing: number }
  | { type: 'stop' }
  | { type: 'close' };

export type SimReply =
  | { type: 'started'; count: number }
  | { type: 'traffic' }
  | { type: 'stopped'; sent: Record<string, number>; pulls: number; sets: number; lagP99Ms: number; lagMaxMs: number; connected: number }
  | { type: 'error'; message: string };

export type RealRequest =
  | { type: 'start'; hubUrl: string; dir: string; machines: string[] }
  | { type: 'close' };

export type RealReply =
  | { type: 'started'; storage: Record<string, string> }
  | { type: 'error'; message: string };
