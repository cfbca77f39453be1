// The Assets view against the real demo services (the browser host's embedded AssetHubServer): what the page shows is
// checked against what the server answers through the test's own bridge line (QueryAssets, ExportAssets,
// ImportAssets). The test makes its own branch of Common with enough assets to page (empty files need no chunk
// upload), so the demo's Main branches stay as they are.
import { mkdir, readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { BridgeClient } from './bridge-client.ts';
import { openPanel } from './panel-host.ts';
import { seriousViolations } from './a11y.ts';

const SERVER = 'AssetHubServer';
const ALPHA = '%SYNCED_STORAGE%\\Projects\\Project Alpha';
const COMMON = '%SYNCED_STORAGE%\\Common';
const SHOTS = 'test-results/screenshots';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** Files the test commits: more than two pages of 200. */
const MANY = 450;
const BRANCH = `assets-e2e-${Date.now().toString(36)}`;

interface Asset { id: string; uri: string; name: string; type: string; tags: string[]; keywords: string[]; operation?: string; attributes: { data: Array<{ name: string; value: string; category: string }> } }
interface Commit { ID: string; Comment: string }

let bridge: BridgeClient;

/** Every asset the server answers for a query, paged with its own cursors. */
const serverQuery = (repository: string, branch: string, filters: string): Promise<Asset[]> =>
  bridge.allPages<Asset>(SERVER, 'QueryAssets', { Repository: repository, Branch: branch, Filters: filters });

async function commitsOf(repository: string, branch: string): Promise<Commit[]> {
  const state = (await bridge.get(SERVER, ['PersistentState'])) as { Repositories: Record<string, { Name: string; Branches: Array<{ Name: string; Commits: Commit[] }> }> };
  const entry = Object.values(state.Repositories).find((r) => r.Name === repository) ?? state.Repositories[repository];
  return entry?.Branches.find((b) => b.Name === branch)?.Commits ?? [];
}

const emptyFile = (uri: string) => ({ Type: 'PutFile', URI: uri, Size: 0, Hash: EMPTY_SHA256, Chunks: [] as string[] });

/** The test's branch of Common: one commit with MANY textures and two props, then one that removes and adds a prop. */
async function makeBranch(): Promise<void> {
  const head = (await commitsOf(COMMON, 'Main')).at(-1)?.ID;
  if (!head) throw new Error('Common has no Main head');
  await bridge.call(SERVER, 'CreateBranch', { Repository: COMMON, Name: BRANCH, From: head });
  const changes = [
    { Type: 'PutDirectory', URI: 'FileSystem:/Paging' },
    { Type: 'PutDirectory', URI: 'FileSystem:/Props' },
    ...Array.from({ length: MANY }, (_, i) => emptyFile(`FileSystem:/Paging/T_${String(i).padStart(4, '0')}.png`)),
    emptyFile('FileSystem:/Props/Crate.fbx'),
    emptyFile('FileSystem:/Props/Barrel.fbx'),
  ];
  const first = (await bridge.call(SERVER, 'CreateCommit', { Repository: COMMON, Branch: BRANCH, Parent: head, Author: 'E2E', Comment: 'Textures for paging', Changes: changes })) as { Commit: string };
  await bridge.call(SERVER, 'CreateCommit', {
    Repository: COMMON, Branch: BRANCH, Parent: first.Commit, Author: 'E2E', Comment: 'Swap the barrel for a lamp',
    Changes: [{ Type: 'Delete', URI: 'FileSystem:/Props/Barrel.fbx' }, emptyFile('FileSystem:/Props/Lamp.fbx')],
  });
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  await mkdir(SHOTS, { recursive: true });
  bridge = await BridgeClient.open();
  await makeBranch();
});
test.afterAll(() => bridge?.close());

// ---- the page ----

const openAssets = (page: Page): Promise<void> => openPanel(page, 'assets');

/** Chooses a repository and branch (waiting for the server's PersistentState to list them). */
async function choose(page: Page, repository: string, branch: string): Promise<void> {
  await expect(page.getByTestId('as-repo').locator('option', { hasText: repository })).toHaveCount(1, { timeout: 15_000 });
  await page.getByTestId('as-repo').selectOption(repository);
  await expect(page.getByTestId('as-branch').locator(`option[value="${branch}"]`)).toHaveCount(1, { timeout: 15_000 });
  await page.getByTestId('as-branch').selectOption(branch);
}

/** Waits until the table answers exactly this query; returns what it shows. */
async function answered(page: Page, repository: string, branch: string, filters: string): Promise<void> {
  const results = page.getByTestId('as-results');
  await expect(results).toHaveAttribute('data-filters', filters, { timeout: 15_000 });
  await expect(results).toHaveAttribute('data-repository', repository);
  await expect(results).toHaveAttribute('data-branch', branch);
  await expect(results).toHaveAttribute('data-state', 'ready', { timeout: 15_000 });
}

async function shownRows(page: Page): Promise<Array<{ uri: string; operation: string }>> {
  return page.getByTestId('as-row').evaluateAll((rows) => rows.map((r) => ({ uri: r.getAttribute('data-uri') ?? '', operation: r.getAttribute('data-operation') ?? '' })));
}


const byUri = (a: { uri: string }, b: { uri: string }) => a.uri.localeCompare(b.uri);

// ---- tests ----

test('a snapshot of Project Alpha: the rows are the server’s, the detail pane shows the asset; screenshot and axe', async ({ page }) => {
  await openAssets(page);
  await choose(page, ALPHA, 'Main');
  const filters = 'exchange.snapshot.toRevision==latest';
  await answered(page, ALPHA, 'Main', filters);
  await expect(page.getByTestId('as-sent-filter')).toHaveText(filters);
  const server = await serverQuery(ALPHA, 'Main', filters);
  expect(server.length).toBeGreaterThan(0);
  expect((await shownRows(page)).map((r) => r.uri).sort()).toEqual(server.map((a) => a.uri).sort());
  await expect(page.getByTestId('as-count')).toHaveAttribute('data-loaded', String(server.length));
  await expect(page.getByTestId('as-count')).toHaveAttribute('data-more', 'false');

  // The detail pane of the sky texture: its fields and its folder.
  const sky = server.find((a) => a.uri.endsWith('/T_Sky.png'));
  expect(sky, 'the demo has T_Sky.png').toBeTruthy();
  await page.locator(`[data-testid="as-row"][data-uri="${sky?.uri}"]`).getByTestId('as-row-name').click();
  const detail = page.getByTestId('as-detail');
  await expect(detail).toHaveAttribute('data-asset', sky?.id ?? '');
  await expect(detail.getByTestId('as-detail-id')).toHaveText(sky?.id ?? '');
  const folder = server.find((a) => a.uri === sky?.uri.slice(0, sky.uri.lastIndexOf('/')));
  if (folder) await expect(detail.getByTestId('as-relationships').getByTestId('as-related')).toHaveAttribute('data-asset', folder.id, { timeout: 15_000 });
  else await expect(detail.getByTestId('as-relationships')).toContainText('the repository root');
  await expect(detail.getByTestId('as-integrations')).not.toHaveAttribute('aria-busy', 'true', { timeout: 15_000 });
  // Which integrations track it: one line per integration the server has, or says there are none.
  const integrations = await bridge.get(SERVER, ['Integrations']).catch(() => null);
  const names = integrations && typeof integrations === 'object' ? Object.keys(integrations) : [];
  if (names.length === 0) await expect(detail.getByTestId('as-integrations')).toContainText('No integrations');
  else await expect(detail.getByTestId('as-integration')).toHaveCount(names.length);

  // Keyboard: ↓ moves the selection to the next row.
  const rows = await shownRows(page);
  const at = rows.findIndex((r) => r.uri === sky?.uri);
  if (at >= 0 && at < rows.length - 1) {
    await page.locator(`[data-testid="as-row"][data-uri="${sky?.uri}"]`).getByTestId('as-row-name').press('ArrowDown');
    await expect(detail).toHaveAttribute('data-asset', server.find((a) => a.uri === rows[at + 1]?.uri)?.id ?? '');
  }
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${SHOTS}/assets-snapshot.png` });
  expect(await seriousViolations(page, 'assets')).toEqual([]);
  await detail.evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await page.screenshot({ path: `${SHOTS}/assets-detail-end.png` });

  // The folder's own details list what it contains: the server's assets below it.
  if (folder) {
    await detail.getByTestId('as-relationships').getByTestId('as-related').click();
    await expect(detail).toHaveAttribute('data-asset', folder.id);
    const children = server.filter((a) => a.uri.startsWith(`${folder.uri}/`) && !a.uri.slice(folder.uri.length + 1).includes('/'));
    await expect(detail.getByTestId('as-relationships').getByTestId('as-related')).toHaveCount(children.length + 1, { timeout: 15_000 });
    for (const c of children) await expect(detail.locator(`[data-testid="as-related"][data-asset="${c.id}"]`)).toHaveCount(1);
  }
});

test('the filter: a valid one narrows to what the server answers, an invalid one is refused inline', async ({ page }) => {
  await openAssets(page);
  await choose(page, ALPHA, 'Main');
  await answered(page, ALPHA, 'Main', 'exchange.snapshot.toRevision==latest');
  const box = page.getByTestId('as-filter');
  const input = box.getByTestId('rsql-input');

  // Valid: textures only, as the server has them.
  await input.fill('asset.type.name==texture');
  await expect(input).not.toHaveAttribute('aria-invalid', 'true');
  await input.press('Enter');
  const textures = 'asset.type.name==texture;exchange.snapshot.toRevision==latest';
  await answered(page, ALPHA, 'Main', textures);
  const server = await serverQuery(ALPHA, 'Main', textures);
  expect(server.length).toBeGreaterThan(0);
  expect((await shownRows(page)).map((r) => r.uri).sort()).toEqual(server.map((a) => a.uri).sort());
  for (const kind of await page.locator('[data-testid="as-row"] .as-kind').allInnerTexts()) expect(kind).toBe('texture');

  // Invalid: an unknown selector is named inline; nothing is sent.
  await input.fill('asset.colour==red');
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  const error = box.getByTestId('rsql-error');
  await expect(error).toBeVisible();
  await expect(error).toHaveAttribute('data-part', 'asset.colour');
  await expect(error).toContainText('asset.colour');
  expect(await input.getAttribute('aria-describedby')).toContain(await error.getAttribute('id'));
  await expect(page.getByTestId('as-apply')).toBeDisabled();
  await input.press('Enter');
  await expect(page.getByTestId('as-sent-filter')).toHaveText(textures);
  await page.screenshot({ path: `${SHOTS}/assets-filter-error.png` });

  // An example from the menu replaces an empty filter.
  await input.fill('');
  await box.getByTestId('rsql-examples').click();
  await box.locator('[data-testid="rsql-example"][data-example="asset.type.name==texture"]').click();
  await expect(input).toHaveValue('asset.type.name==texture');
  await expect(input).toBeFocused();

  // Valid RSQL the server refuses (no such commit): its INVALID_FILTER is shown at the filter.
  await input.fill('exchange.snapshot.toRevision==nosuchcommit');
  await expect(input).not.toHaveAttribute('aria-invalid', 'true');
  await input.press('Enter');
  await expect(page.getByTestId('as-own-revisions')).toBeVisible();
  await expect(page.getByTestId('as-error')).toHaveAttribute('data-code', 'INVALID_FILTER', { timeout: 15_000 });
  await expect(box.getByTestId('rsql-error')).toContainText('nosuchcommit');
  await expect(input).toHaveAttribute('aria-invalid', 'true');
});

test('a delta between latest-1 and latest: the badges are the operations the server returns', async ({ page }) => {
  await openAssets(page);
  for (const [repository, branch] of [[ALPHA, 'Main'], [COMMON, BRANCH]] as const) {
    await choose(page, repository, branch);
    await page.getByTestId('as-compare').selectOption('latest-1');
    await page.getByTestId('as-snapshot').selectOption('latest');
    const filters = 'exchange.snapshot.fromRevision==latest-1;exchange.snapshot.toRevision==latest';
    await answered(page, repository, branch, filters);
    const server = await serverQuery(repository, branch, filters);
    expect(server.length, `${branch}: the last commit changed something`).toBeGreaterThan(0);
    const shown = await shownRows(page);
    expect(shown.sort(byUri)).toEqual(server.map((a) => ({ uri: a.uri, operation: a.operation ?? '' })).sort(byUri));
    // Every badge says in words what happened.
    const words = { INSERT: 'Added', MODIFY: 'Modified', REMOVE: 'Removed' } as Record<string, string>;
    for (const a of server) {
      const badge = page.locator(`[data-testid="as-row"][data-uri="${a.uri}"]`).getByTestId('as-op');
      await expect(badge).toHaveAttribute('data-operation', a.operation ?? 'none');
      await expect(badge).toHaveText(new RegExp(words[a.operation ?? ''] ?? '^$'));
    }
    if (branch === BRANCH) {
      expect(server.map((a) => `${a.operation} ${a.uri}`).sort()).toEqual(['INSERT FileSystem:/Props/Lamp.fbx', 'REMOVE FileSystem:/Props/Barrel.fbx']);
    } else {
      expect(server.some((a) => a.operation === 'MODIFY')).toBe(true);
    }
    await page.screenshot({ path: `${SHOTS}/assets-delta-${branch === 'Main' ? 'alpha' : 'branch'}.png` });
  }
  expect(await seriousViolations(page, 'assets delta')).toEqual([]);
});

test('opens on the repository with the most assets (as the server\'s own pages count them), then where the operator last was', async ({ page }) => {
  test.setTimeout(90_000);
  const state = (await bridge.get(SERVER, ['PersistentState'])) as { Repositories: Record<string, { Name: string; Branches: Array<{ Name: string }> }> };
  const sizes: Array<[string, number]> = [];
  for (const r of Object.values(state.Repositories)) {
    const first = r.Branches[0];
    if (first) sizes.push([r.Name, (await serverQuery(r.Name, first.Name, '')).length]);
  }
  sizes.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const [most, count] = sizes[0] ?? ['', 0];
  expect(sizes.length).toBeGreaterThan(1);
  await openAssets(page);
  await expect(page.getByTestId('as-results')).toHaveAttribute('data-repository', most, { timeout: 15_000 });
  await expect(page.getByTestId('as-repo')).toHaveValue(most);
  await expect(page.getByTestId('as-repo').locator(`option[value="${most.replace(/\\/g, '\\\\')}"]`)).toHaveAttribute('data-count', String(count));
  await page.screenshot({ path: `${SHOTS}/assets-opens-where-the-assets-are.png` });

  // Another repository chosen, a reload opens there (and on the branch chosen).
  await choose(page, COMMON, BRANCH);
  await answered(page, COMMON, BRANCH, 'exchange.snapshot.toRevision==latest');
  await page.reload();
  await answered(page, COMMON, BRANCH, 'exchange.snapshot.toRevision==latest');
  await expect(page.getByTestId('as-repo')).toHaveValue(COMMON);
});

test('Find by name or by path: the rows are what the server answers for asset.name== / asset.uri== patterns', async ({ page }) => {
  test.setTimeout(90_000);
  await openAssets(page);
  await choose(page, COMMON, BRANCH);
  const find = page.getByTestId('as-find');
  for (const [typed, clause, expected] of [
    ['t_004', 'asset.name=="*t_004*"', 10],
    ['Props/', 'asset.uri=="*Props/*"', 2],
    ['T_*9.PNG', 'asset.name=="T_*9.PNG"', MANY / 10],
  ] as const) {
    await find.fill(typed);
    const filters = `${clause};exchange.snapshot.toRevision==latest`;
    await answered(page, COMMON, BRANCH, filters);
    const server = await serverQuery(COMMON, BRANCH, filters);
    expect(server.length, `the server's answer to ${clause}`).toBe(expected);
    await expect(page.getByTestId('as-count')).toHaveAttribute('data-loaded', String(server.length));
    expect((await shownRows(page)).map((r) => r.uri)).toEqual(server.slice(0, (await shownRows(page)).length).map((a) => a.uri));
    if (typed === 't_004') await page.screenshot({ path: `${SHOTS}/assets-find-by-name.png` });
  }
  await find.fill('');
  await answered(page, COMMON, BRANCH, 'exchange.snapshot.toRevision==latest');
});

test('paging: Load more until everything is loaded; the count is the server’s total', async ({ page }) => {
  test.setTimeout(90_000);
  await openAssets(page);
  await choose(page, COMMON, BRANCH);
  const filters = 'exchange.snapshot.toRevision==latest';
  await answered(page, COMMON, BRANCH, filters);
  const total = (await serverQuery(COMMON, BRANCH, filters)).length;
  expect(total).toBeGreaterThan(2 * 200);
  const count = page.getByTestId('as-count');
  await expect(count).toHaveAttribute('data-loaded', '200');
  await expect(count).toHaveAttribute('data-more', 'true');
  await expect(count).toContainText('more exist');
  await expect(count).toHaveAttribute('data-total', String(total));
  await expect(count).toContainText(`200 of ${total.toLocaleString('en-US')} assets loaded`);
  const more = page.getByTestId('as-load-more');
  let clicks = 0;
  while ((await count.getAttribute('data-more')) === 'true') {
    await expect(more).toBeEnabled({ timeout: 15_000 });
    const before = Number(await count.getAttribute('data-loaded'));
    await more.click();
    clicks++;
    await expect.poll(async () => Number(await count.getAttribute('data-loaded')), { timeout: 15_000 }).toBeGreaterThan(before);
    expect(clicks).toBeLessThan(10);
  }
  await expect(count).toHaveAttribute('data-loaded', String(total));
  await expect(count).toContainText('all loaded');
  await expect(page.getByTestId('as-table')).toHaveAttribute('data-count', String(total));
  await expect(more).toBeDisabled();
  // The table is virtual: far fewer rows in the DOM than loaded, and the last one reachable by scrolling.
  expect(await page.getByTestId('as-row').count()).toBeLessThan(100);
  await page.locator('.as-tbody').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(page.locator(`[data-testid="as-row"][data-index="${total - 1}"]`)).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/assets-paging.png` });
});

test('export: the downloaded file is the server’s document, for the branch and for one asset', async ({ page }) => {
  await openAssets(page);
  await choose(page, COMMON, BRANCH);
  await answered(page, COMMON, BRANCH, 'exchange.snapshot.toRevision==latest');

  await page.getByTestId('as-export').click();
  const dialog = page.getByTestId('as-export-dialog');
  await expect(dialog).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export to file' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^assets-Common-assets-e2e-[a-z0-9]+-\d{8}-\d{6}\.json$/);
  const file = JSON.parse(await readFile((await download.path()) as string, 'utf8')) as { format: string; repository: string; branch: string; assets: Array<{ assetId: string; uri: string }> };
  const server = (await bridge.call(SERVER, 'ExportAssets', { Repository: COMMON, Branch: BRANCH })) as { Document: typeof file };
  expect(file.format).toBe('assethub.assets');
  expect(file.repository).toBe(COMMON);
  expect(file.branch).toBe(BRANCH);
  expect(file.assets.map((a) => a.uri)).toEqual(server.Document.assets.map((a) => a.uri));
  expect(file.assets.map((a) => a.uri)).toContain('FileSystem:/Props/Crate.fbx');
  await expect(dialog).toHaveCount(0);

  // One asset: select the crate, export from its detail pane.
  await page.getByTestId('rsql-input').fill('asset.type.name==mesh');
  await page.getByTestId('rsql-input').press('Enter');
  await answered(page, COMMON, BRANCH, 'asset.type.name==mesh;exchange.snapshot.toRevision==latest');
  await page.locator('[data-testid="as-row"][data-uri="FileSystem:/Props/Crate.fbx"]').getByTestId('as-row-name').click();
  const crateId = await page.getByTestId('as-detail').getAttribute('data-asset');
  await page.getByTestId('as-detail-export').click();
  await expect(dialog.getByTestId('as-export-only')).toBeChecked();
  const [one] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export to file' }).click()]);
  const single = JSON.parse(await readFile((await one.path()) as string, 'utf8')) as typeof file;
  expect(single.assets.map((a) => a.assetId)).toEqual([crateId]);
});

test('import: a file with bad entries lists every problem and changes nothing; a valid one is applied and shown', async ({ page }) => {
  await openAssets(page);
  await choose(page, COMMON, BRANCH);
  await answered(page, COMMON, BRANCH, 'exchange.snapshot.toRevision==latest');
  const exportNow = async () => JSON.stringify(((await bridge.call(SERVER, 'ExportAssets', { Repository: COMMON, Branch: BRANCH })) as { Document: { assets: unknown[] } }).Document.assets);
  const before = await exportNow();
  const fileInput = page.getByTestId('as-import-file');

  // Not JSON: said so, nothing sent.
  await fileInput.setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "assethub.assets",') });
  const dialog = page.getByTestId('as-import-dialog');
  await expect(dialog.getByTestId('as-import-error')).toContainText('not valid JSON');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toHaveCount(0);

  // Bad entries: every problem the server reports is listed, with its entry and field.
  const bad = {
    format: 'assethub.assets', version: 1, repository: COMMON, branch: BRANCH,
    assets: [
      { uri: 'FileSystem:/Props/Crate.fbx', tags: ['fine'] },
      { uri: 'FileSystem:/Props/Nope.fbx', tags: ['x'] },
      { uri: 'FileSystem:/Props/Lamp.fbx', tags: ['dup', 'dup'] },
      { tags: ['no-name'] },
      { uri: 'FileSystem:/Props/Lamp.fbx', metadata: [{ name: '', defaultValue: 'v' }] },
    ],
  };
  const refusal = await bridge.call(SERVER, 'ImportAssets', { Document: bad }).then(
    () => 'the server accepted a document with bad entries',
    (error: unknown) => (error as Error).message,
  );
  expect(refusal).toMatch(/^UNPROCESSABLE: /);
  const expected = refusal.split('\n').slice(1).filter((l) => /^#-?\d+ /.test(l));
  expect(expected.length).toBeGreaterThanOrEqual(4);
  expect(await exportNow()).toBe(before);

  await fileInput.setInputFiles({ name: 'bad-entries.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad, null, 2)) });
  await expect(dialog).toContainText('bad-entries.json');
  await dialog.getByTestId('as-import-confirm').click();
  await expect(dialog.getByTestId('as-import-refused')).toBeVisible({ timeout: 15_000 });
  const listed = dialog.getByTestId('as-import-problem');
  await expect(listed).toHaveCount(expected.length);
  const shown = await listed.evaluateAll((rows) => rows.map((r) => `#${r.getAttribute('data-index')} ${r.getAttribute('data-field')}: ${r.querySelector('.as-problem-msg')?.textContent ?? ''}`));
  expect(shown).toEqual(expected);
  for (const index of [1, 2, 3, 4]) await expect(dialog.locator(`[data-testid="as-import-problem"][data-index="${index}"]`).first()).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/assets-import-problems.png` });
  expect(await seriousViolations(page, 'assets import problems')).toEqual([]);
  await dialog.getByRole('button', { name: 'Close' }).click();
  expect(await exportNow()).toBe(before);

  // Valid: the crate gets tags, keywords and metadata; the summary says so and the detail pane shows them.
  const tag = `hero-${Date.now().toString(36)}`;
  const good = {
    format: 'assethub.assets', version: 1, repository: COMMON, branch: BRANCH,
    assets: [{ uri: 'FileSystem:/Props/Crate.fbx', tags: [tag, 'props'], keywords: ['wooden'], metadata: [{ name: 'category', defaultValue: 'Hero' }] }],
  };
  await fileInput.setInputFiles({ name: 'good.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(good)) });
  await dialog.getByTestId('as-import-confirm').click();
  const done = dialog.getByTestId('as-import-done');
  await expect(done).toBeVisible({ timeout: 15_000 });
  await expect(done).toHaveAttribute('data-imported', '1');
  await expect(done).toHaveAttribute('data-unchanged', '0');
  await dialog.getByRole('button', { name: 'Close' }).click();
  const crate = (await serverQuery(COMMON, BRANCH, 'exchange.snapshot.toRevision==latest')).find((a) => a.uri === 'FileSystem:/Props/Crate.fbx');
  expect(crate?.tags).toEqual([tag, 'props']);

  await page.getByTestId('rsql-input').fill('asset.parameter.name==category and asset.parameter.value==Hero');
  await page.getByTestId('rsql-input').press('Enter');
  await answered(page, COMMON, BRANCH, 'asset.parameter.name==category and asset.parameter.value==Hero;exchange.snapshot.toRevision==latest');
  expect((await shownRows(page)).map((r) => r.uri)).toEqual(['FileSystem:/Props/Crate.fbx']);
  await page.locator('[data-testid="as-row"][data-uri="FileSystem:/Props/Crate.fbx"]').getByTestId('as-row-name').click();
  const detail = page.getByTestId('as-detail');
  await expect(detail.getByTestId('as-detail-tag')).toHaveText([tag, 'props']);
  await expect(detail.getByTestId('as-detail-keyword')).toHaveText(['wooden']);
  await expect(detail.locator('[data-testid="as-metadata-row"][data-name="category"]')).toContainText('Hero');
  await expect(detail.getByTestId('as-relationships').getByTestId('as-related')).toContainText('Props', { timeout: 15_000 });
  await page.screenshot({ path: `${SHOTS}/assets-import-detail.png` });

  // The same import again changes nothing.
  await fileInput.setInputFiles({ name: 'good.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(good)) });
  await dialog.getByTestId('as-import-confirm').click();
  await expect(done).toHaveAttribute('data-unchanged', '1', { timeout: 15_000 });
  await expect(done).toHaveAttribute('data-imported', '0');
  await dialog.getByRole('button', { name: 'Close' }).click();
});

test('light theme: the view with a delta and the detail pane; screenshot and axe', async ({ page }) => {
  await openAssets(page);
  await page.getByRole('button', { name: /Switch to the light theme/ }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await choose(page, COMMON, BRANCH);
  await page.getByTestId('as-compare').selectOption('latest-1');
  await answered(page, COMMON, BRANCH, 'exchange.snapshot.fromRevision==latest-1;exchange.snapshot.toRevision==latest');
  await page.locator('[data-testid="as-row"][data-uri="FileSystem:/Props/Lamp.fbx"]').getByTestId('as-row-name').click();
  await expect(page.getByTestId('as-detail')).toBeVisible();
  await expect(page.getByTestId('as-relationships')).toBeVisible({ timeout: 15_000 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${SHOTS}/assets-light.png` });
  expect(await seriousViolations(page, 'assets (light)')).toEqual([]);
  await page.getByRole('button', { name: /Switch to the dark theme/ }).click();
});
