import { expect, test } from '@playwright/test';
import { panelUrl } from './panel-host.ts';

test('the built renderer loads in Chromium under its CSP without errors, opens on the Overview and has the Connection view', async ({ page }) => {
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
  // The default view is the Overview; the service table is in the Connection view.
  await expect(page.getByTestId('nav-overview')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('overview')).toBeVisible();
  await page.getByTestId('nav-connection').click();
  await expect(page.getByTestId('nav-connection')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('table')).toBeVisible();
  await expect(page.getByTestId('service-row').first()).toBeVisible();
  expect(problems).toEqual([]);
});

test('the shell works by keyboard: Alt+1…9 switch views, Tab reaches every control in order with a visible focus', async ({ page }) => {
  await page.goto(panelUrl());
  await expect(page.getByTestId('connection-state')).toHaveText('Connected');
  const ids = ['overview', 'workspaces', 'repositories', 'assets', 'integrations', 'claims', 'conflicts', 'log', 'connection'];
  for (const [i, id] of ids.entries()) {
    await page.keyboard.press(`Alt+${i + 1}`);
    await expect(page.getByTestId(`nav-${id}`)).toHaveAttribute('aria-current', 'page');
    await expect(page.locator('main#main')).toHaveAttribute('data-view', id);
    // The focus follows to the view's navigation button, so the operator sees where they are.
    await expect(page.getByTestId(`nav-${id}`)).toBeFocused();
  }
  await page.keyboard.press('Alt+1');
  await expect(page.getByTestId('nav-overview')).toHaveAttribute('aria-current', 'page');

  // Tab order from the top: skip link, machine filter, theme switch, the navigation in order, then the view.
  await page.reload();
  await expect(page.getByTestId('connection-state')).toHaveText('Connected');
  const focused = async () => page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return { id: '', outline: 'none', text: '' };
    const style = getComputedStyle(el);
    return { id: el.dataset.testid ?? el.className, outline: style.outlineStyle === 'none' ? 'none' : `${style.outlineStyle} ${style.outlineWidth}`, text: el.textContent ?? '' };
  });
  await page.keyboard.press('Tab');
  expect((await focused()).text).toBe('Skip to content');
  await page.keyboard.press('Tab');
  expect((await focused()).id).toBe('machine-filter');
  await page.keyboard.press('Tab');
  expect((await focused()).text).toMatch(/theme/);
  for (const id of ids) {
    await page.keyboard.press('Tab');
    const f = await focused();
    expect(f.id).toBe(`nav-${id}`);
    expect(f.outline, `focus ring on nav-${id}`).not.toBe('none');
  }
  // The view itself is a tab stop (it scrolls), so the keyboard can scroll it.
  await page.keyboard.press('Tab');
  await expect(page.locator('main#main')).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  // Enter on a focused navigation button opens its view.
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('nav-log')).toHaveAttribute('aria-current', 'page');
  // The skip link moves the focus to the view without touching the URL (its hash holds the session token).
  const url = page.url();
  await page.reload();
  await expect(page.getByTestId('connection-state')).toHaveText('Connected');
  await page.keyboard.press('Tab');
  await expect(page.getByText('Skip to content')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#main')).toBeFocused();
  expect(page.url()).toBe(url);
  await page.keyboard.press('Alt+1');
});

test('the host refuses paths outside the renderer folder', async ({ request }) => {
  const outside = await request.get(new URL('/..%2f..%2fpackage.json', panelUrl()).toString());
  expect(outside.status()).toBe(400);
  const missing = await request.get(new URL('/no-such-file.js', panelUrl()).toString());
  expect(missing.status()).toBe(404);
});
