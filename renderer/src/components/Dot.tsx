/** A status dot in a tone's colour, beside the words that say the same (it is hidden from screen readers). */
import type { Tone } from '../lib/format.ts';

export function Dot({ tone }: { tone: Tone }) {
  return <span className={`dot dot-${tone}`} aria-hidden="true" />;
}
