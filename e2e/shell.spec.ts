import { expect, test } from '@playwright/test';
import { panelUrl } from './panel-host.ts';

test('the built renderer loads in Chromium under its CSP without errors and shows the connection screen', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  const response = await page.goto(panelUrl());
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
  expect(response?.headers()['content-security-policy']).toContain("connect-src 'self'");
  await expect(page).toHaveTitle('Asset Hub Panel');
  await expect(page.getByRole('heading', { level: 1, name: 'Asset Hub Panel' })).toBeVisible();
  await expect(page.getByTestId('connection-state')).toHaveText('Connected');
  await expect(page.getByRole('table')).toBeVisible();
  expect(problems).toEqual([]);
});

test('the host refuses paths outside the renderer folder', async ({ request }) => {
  const outside = await request.get(new URL('/..%2f..%2fpackage.json', panelUrl()).toString());
  expect(outside.status()).toBe(400);
  const missing = await request.get(new URL('/no-such-file.js', panelUrl()).toString());
  expect(missing.status()).toBe(404);
});
