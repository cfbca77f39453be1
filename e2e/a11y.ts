/** Accessibility checks the specs share (axe-core in the page as it is). */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/** axe's serious and critical violations on the page, one line each (logged, with the minor ones for reference). */
export async function seriousViolations(page: Page, name: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const lines = bad.map((v) => `${name}: [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} nodes: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')})`);
  if (lines.length) console.log(lines.join('\n'));
  const minor = results.violations.filter((v) => v.impact !== 'serious' && v.impact !== 'critical');
  if (minor.length) console.log(`${name}: minor/moderate: ${minor.map((v) => `${v.id} (${v.impact})`).join(', ')}`);
  return lines;
}
