/**
 * The Integrations view's note on the embedded demo receiver, driven as an operator does and checked against the
 * receiver's own rule (`GET /admin/rule`, read by the test from Node: the page never calls the receiver).
 */
import { expect, type Locator, type Page } from '@playwright/test';
import { seriousViolations } from './a11y.ts';

/** The receiver's rule now, as its admin API answers it. */
export type ReadRule = () => Promise<unknown>;

/**
 * On the demo integration's detail: the note names what the receiver's rule drops (the failed asset `uri` among them),
 * "Heal the demo receiver" leaves the receiver with no rule, and the note says a Re-sync delivers it now. Screenshots
 * `<shots>-demo-receiver.png` and `<shots>-demo-healed.png`. Returns the note and the rule as it was.
 */
export async function healFromNote(page: Page, readRule: ReadRule, uri: string, shots: string): Promise<{ note: Locator; rule: unknown }> {
  const rule = (await readRule()) as { failUris?: string } | null;
  const drops = rule?.failUris ?? '';
  expect(drops, 'the demo receiver\'s rule names the assets it drops').not.toBe('');
  expect(uri).toContain(drops);
  const note = page.getByTestId('int-demo-receiver');
  await expect(note).toContainText('This integration posts to the demo webhook receiver');
  const ruleText = note.getByTestId('int-demo-rule');
  await expect(ruleText).toHaveAttribute('data-phase', 'read');
  expect(JSON.parse((await ruleText.getAttribute('data-rule')) ?? 'null')).toEqual(rule);
  await expect(ruleText).toContainText(`fails assets on purpose, so the Failed list has something to show: it leaves every asset whose URI contains “${drops}” out of its answer`);
  await note.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${shots}-demo-receiver.png` });

  await note.getByRole('button', { name: 'Heal the demo receiver' }).click();
  await expect(note.getByTestId('int-demo-outcome')).toHaveText('Healed.');
  expect(await readRule(), 'the receiver itself has no rule').toBeNull();
  await expect(ruleText).toHaveAttribute('data-rule', 'null');
  await expect(ruleText).toContainText('It has no rule now: it answers every asset. A Re-sync of the failed asset');
  await expect(note.getByRole('button', { name: 'Break it again' })).toBeVisible();
  await page.screenshot({ path: `${shots}-demo-healed.png` });
  expect(await seriousViolations(page, 'integrations (demo receiver healed)')).toEqual([]);
  return { note, rule };
}

/** "Break it again": the receiver has `rule` back, and the note offers to heal it again. */
export async function breakAgainFromNote(note: Locator, readRule: ReadRule, rule: unknown): Promise<void> {
  await note.getByRole('button', { name: 'Break it again' }).click();
  await expect(note.getByTestId('int-demo-outcome')).toHaveText('Broken again: the demo rule is back.');
  expect(await readRule()).toEqual(rule);
  await expect(note.getByRole('button', { name: 'Heal the demo receiver' })).toBeVisible();
}
