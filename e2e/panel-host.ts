/**
 * Where the browser host started by global-setup.ts for the running test's fabric is: the Playwright project `zmq`
 * uses the host whose embedded services run a ZeroMQ Data Hub, every other project the WebSocket one.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';

export type Fabric = 'ws' | 'zmq';

/** The fabric of the running test's project. */
export function fabric(): Fabric {
  return test.info().project.name === 'zmq' ? 'zmq' : 'ws';
}

function hostEnv(key: string): string | undefined {
  return process.env[`${key}_${fabric().toUpperCase()}`];
}

export function panelUrl(): string {
  const url = hostEnv('PANEL_URL');
  if (!url) throw new Error(`PANEL_URL_${fabric().toUpperCase()} is not set: the global setup did not start the browser host`);
  return url;
}

/** How the Connection view shows the embedded hub's address on this fabric. */
export const embeddedHubPattern = (): RegExp => (fabric() === 'zmq' ? /^zmq:\/\/127\.0\.0\.1\?sub=\d+&pub=\d+$/ : /^ws:\/\/127\.0\.0\.1:\d+$/);

/** The page URL without the token fragment. */
export function panelBaseUrl(): string {
  const url = new URL(panelUrl());
  url.hash = '';
  return url.toString();
}

export function sessionToken(): string {
  const token = /#token=([A-Za-z0-9_-]+)/.exec(panelUrl())?.[1];
  if (!token) throw new Error(`no #token= in PANEL_URL (${panelUrl()})`);
  return token;
}

export function panelPort(): number {
  return Number(new URL(panelUrl()).port);
}

/** The host's child processes (Linux /proc): the embedded services, restarted by the host's supervisor. */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** The embedded services' current pid: the host's child, or the pid it printed at start. */
export function servicesPid(): number {
  const host = Number(hostEnv('PANEL_HOST_PID'));
  const children = Number.isInteger(host) && host > 0 ? childrenOf(host) : [];
  if (children.length === 1 && children[0]) return children[0];
  const printed = Number(hostEnv('PANEL_SERVICES_PID'));
  if (!Number.isInteger(printed) || printed <= 0) throw new Error('PANEL_SERVICES_PID is not set: the global setup did not start the browser host');
  return printed;
}

/** Opens the panel at 1440×900, waits for the hub connection and, given a view id, goes to that view. */
export async function openPanel(page: Page, view?: string): Promise<void> {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(panelUrl());
  await expect(page.getByTestId('connection-state')).toHaveText('Connected', { timeout: 15_000 });
  if (view === undefined) return;
  await page.getByTestId(`nav-${view}`).click();
  await expect(page.locator('main#main')).toHaveAttribute('data-view', view);
}
