/**
 * Tolerances applied before the RSQL parser, because the source documents' own examples need them:
 * - typographic quotes (“ ” ‘ ’) are read as plain quotes (the documentation's example
 *   `asset.parameter.name==”Cross-Section”`);
 * - an unquoted value with spaces runs to the next `;`, `,`, `)` or ` and ` / ` or ` and is read as one quoted value
 *   (its example `asset.parameter.family==Basic Wall`; both in scripts/testing/fixtures/asset-filters.json).
 * Anything already valid RSQL is left as it is.
 */

const OPERATOR = /^(==|!=|<=|>=|<|>|=[a-z]*=)/i;

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Index where an unquoted value that starts at `from` ends. */
function valueEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ';' || c === ',' || c === ')') return i;
    if (/\s/.test(c)) {
      const rest = text.slice(i).match(/^\s+(and|or)\s/i);
      if (rest) return i;
    }
    i++;
  }
  return i;
}

export function normalizeRsql(input: string): string {
  const text = input.replace(/[“”„‟]/g, '"').replace(/[‘’‚‛]/g, "'");
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const op = text.slice(i).match(OPERATOR);
    if (!op) {
      out += c;
      i++;
      continue;
    }
    out += op[0];
    i += op[0].length;
    const next = text[i];
    if (next === undefined || next === '(' || next === '"' || next === "'" || /\s/.test(next)) continue;
    const end = valueEnd(text, i);
    const raw = text.slice(i, end);
    const value = raw.trimEnd();
    out += (/\s/.test(value) ? quote(value) : value) + raw.slice(value.length);
    i = end;
  }
  return out;
}
