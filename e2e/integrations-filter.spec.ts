/**
 * An integration's Filter checked against the catalogue in the configuration editor (AssetHubServer's CheckFilter):
 * `asset.type.name==textur` compiles but names no asset type, so the editor warns under the field with the nearest
 * one, "texture". A warning does not stop Save (the outcome says the filter has one, and the server holds the text as
 * typed); "Use texture" puts the suggestion in the filter, and the saved filter read back from the server's
 * Integrations state is `asset.type.name==texture`. The test's own integration (paused, named E2E…, so the
 * integrations spec never takes it for the demo's) is deleted at the end.
 * Screenshot: test-results/screens/integrations-filter-warning.png (1440×900); axe with the warning shown.
 */
import { mkdir } from 'node:fs/promises';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { BridgeClient } from './bridge-client.ts';
import { openPanel } from './panel-host.ts';
import { seriousViolations } from './a11y.ts';

const SERVER = 'AssetHubServer';
const SCREENS = 'test-results/screenshots';
const NAME = `E2E.Filter check ${Date.now().toString(36)}`;

let bridge: BridgeClient;

const saved = async (): Promise<{ Filter: string; Enabled: boolean } | undefined> =>
  ((await bridge.get(SERVER, ['Integrations'])) as Record<string, { Filter: string; Enabled: boolean }>)[NAME];
const rowOf = (page: Page): Locator => page.locator(`[data-testid="int-row"][data-name="${NAME}"]`);

test.beforeAll(async () => {
  await mkdir(SCREENS, { recursive: true });
  bridge = await BridgeClient.open();
});

test.afterAll(async () => {
  await bridge?.invoke('set', { service: SERVER, path: ['Integrations', NAME], value: null }).catch(() => {});
  bridge?.close();
});

test('a filter value the catalogue does not hold: warned with the nearest one, saved anyway, fixed with one click', async ({ page }) => {
  test.setTimeout(120_000);
  await openPanel(page, 'integrations');
  await page.getByTestId('int-new').click();
  const editor = page.getByTestId('int-editor');
  await editor.getByTestId('int-cfg-name').fill(NAME);
  await editor.getByTestId('int-cfg-endpoint').fill('http://127.0.0.1:9/webhook');
  await editor.getByTestId('int-cfg-secret').fill('e2e-secret');
  await editor.getByTestId('int-cfg-enabled').uncheck();
  const field = editor.getByTestId('int-cfg-filter');
  const input = field.getByTestId('rsql-input');
  await input.fill('asset.type.name==textur');

  // The warning, under the field, tied to the input; it is no error (the filter compiles).
  const warning = field.getByTestId('int-filter-warning');
  await expect(warning).toHaveCount(1, { timeout: 15_000 });
  await expect(warning).toContainText('asset.type.name: no asset type "textur"; did you mean "texture"?');
  await expect(field.getByRole('status')).toContainText('1 value not found in the catalogue');
  await expect(input).toHaveAttribute('aria-describedby', /\bint-cfg-filter-check\b/);
  await expect(input).not.toHaveAttribute('aria-invalid', 'true');
  await expect(field.getByTestId('rsql-error')).toHaveCount(0);
  const use = warning.getByRole('button', { name: 'Use texture' });
  await expect(use).toBeVisible();
  await field.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SCREENS}/integrations-filter-warning.png` });
  expect(await seriousViolations(page, 'integrations (filter warning)')).toEqual([]);

  // Saved as it is: a warning does not stop Save, and the outcome says the filter has one.
  await editor.getByTestId('int-cfg-save').click();
  await expect(editor).toHaveCount(0, { timeout: 15_000 });
  expect(await saved()).toMatchObject({ Filter: 'asset.type.name==textur', Enabled: false });
  const toast = page.getByTestId('toast').filter({ hasText: NAME });
  await expect(toast).toContainText('its filter has 1 warning');
  await expect(toast).toContainText('did you mean "texture"?');
  await page.screenshot({ path: `${SCREENS}/integrations-filter-saved.png` });

  // Edited again: the same warning; "Use texture" puts the suggestion in the text, and the warning goes.
  await rowOf(page).getByTestId('int-edit').click();
  await expect(editor.getByTestId('int-filter-warning')).toHaveCount(1, { timeout: 15_000 });
  await editor.getByTestId('int-filter-warning').getByRole('button', { name: 'Use texture' }).click();
  await expect(input).toHaveValue('asset.type.name==texture');
  await expect(input).toBeFocused();
  await expect(editor.getByTestId('int-filter-warning')).toHaveCount(0);
  await page.waitForTimeout(1000); // past the check's quiet time: still nothing to say about `texture`
  await expect(editor.getByTestId('int-filter-warning')).toHaveCount(0);
  await expect(input).not.toHaveAttribute('aria-describedby', /\bint-cfg-filter-check\b/);
  await editor.getByTestId('int-cfg-save').click();
  await expect(editor).toHaveCount(0, { timeout: 15_000 });
  await expect.poll(async () => (await saved())?.Filter).toBe('asset.type.name==texture');
  await expect(page.getByTestId('toast').filter({ hasText: `Saved ${NAME}` }).last()).not.toContainText('warning');
});
