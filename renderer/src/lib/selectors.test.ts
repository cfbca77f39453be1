import { describe, expect, it } from 'vitest';
import type { ServiceEntry } from '../../../shared/panel/api.ts';
import { dict } from '../../../shared/dict.ts';
import type { PanelData } from '../store/panel.ts';
import { clientEntries, clientNames, machines } from './selectors.ts';

const entry = (name: string, kind: ServiceEntry['kind'], lastSeen = 0): ServiceEntry => ({
  name, kind, machine: null, online: true, lastSeen, version: null, startedAt: null, error: null, offer: null,
});
const servicesOf = (entries: ServiceEntry[]) => Object.assign(dict<ServiceEntry>(), Object.fromEntries(entries.map((e) => [e.name, e])));
const dataOf = (services: Record<string, ServiceEntry>) => ({ services }) as unknown as PanelData;

describe('the clients, once per set of clients', () => {
  it('keeps the sorted names and the machines while only entries change; sorts again when a client comes or goes', () => {
    const names = ['STAGE-B-AssetHubClient', 'STAGE-A-AssetHubClient', 'STAGE-C-AssetHubClient'];
    const first = servicesOf([...names.map((n) => entry(n, 'client')), entry('AssetHubServer', 'server')]);
    const sorted = clientNames(first);
    expect(sorted).toEqual(['STAGE-A-AssetHubClient', 'STAGE-B-AssetHubClient', 'STAGE-C-AssetHubClient']);
    const m = machines(dataOf(first));
    expect(m).toEqual(['STAGE-A', 'STAGE-B', 'STAGE-C']);
    // Each heard from again: new entries, a new map, the same clients.
    const heard = servicesOf([...names.map((n) => entry(n, 'client', 5)), entry('AssetHubServer', 'server', 5)]);
    expect(clientNames(heard)).toBe(sorted);
    expect(machines(dataOf(heard))).toBe(m);
    expect(clientEntries(dataOf(heard)).map((e) => e.lastSeen)).toEqual([5, 5, 5]);
    // One client gone and another come: the same count, another set.
    const swapped = servicesOf([entry('STAGE-B-AssetHubClient', 'client'), entry('STAGE-A-AssetHubClient', 'client'), entry('STAGE-0-AssetHubClient', 'client')]);
    expect(clientNames(swapped)).toEqual(['STAGE-0-AssetHubClient', 'STAGE-A-AssetHubClient', 'STAGE-B-AssetHubClient']);
    expect(machines(dataOf(swapped))).toEqual(['STAGE-0', 'STAGE-A', 'STAGE-B']);
    // A client name that became another kind of service is no client.
    const other = servicesOf([entry('STAGE-B-AssetHubClient', 'client'), entry('STAGE-A-AssetHubClient', 'other'), entry('STAGE-0-AssetHubClient', 'client')]);
    expect(clientNames(other)).toEqual(['STAGE-0-AssetHubClient', 'STAGE-B-AssetHubClient']);
  });
});
