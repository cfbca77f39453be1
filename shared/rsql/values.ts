/**
 * The values a filter's clauses compare with, for checking them against the catalogue (the server's CheckFilter) and
 * for putting a suggested value in place of one in the operator's text (the panel's "Use …").
 * - `filterComparisons` reads the clauses as the parser does (after the same tolerances), in text order, whatever the
 *   selector: deciding which selectors it knows is its caller's business.
 * - `valueSpans` finds where each value sits in the text as typed (quoted or not, typographic quotes, `=in=` lists,
 *   an unquoted value with spaces), so `replaceFilterValue` can change one value and leave every other character alone.
 */
import { parse } from '@rsql/parser';
import type { ExpressionNode } from '@rsql/ast';
import { normalizeRsql } from './normalize.ts';

export interface FilterComparison { selector: string; operator: string; values: string[] }

/** Every comparison of a filter in text order; empty for a blank filter or one that does not parse. */
export function filterComparisons(text: string): FilterComparison[] {
  if (text.trim() === '') return [];
  let ast: ExpressionNode;
  try {
    ast = parse(normalizeRsql(text)) as ExpressionNode;
  } catch {
    return [];
  }
  const out: FilterComparison[] = [];
  const walk = (node: ExpressionNode): void => {
    if (node.type === 'LOGIC') {
      walk(node.left);
      walk(node.right);
      return;
    }
    const value = node.right.value;
    out.push({ selector: node.left.selector, operator: node.operator, values: Array.isArray(value) ? [...value] : [value] });
  };
  walk(ast);
  return out;
}

export interface ValueSpan {
  selector: string;
  /** The value as the parser reads it (quotes removed, escapes undone). */
  value: string;
  /** Where it sits in the text, quotes included: text.slice(start, end). */
  start: number;
  end: number;
  quoted: boolean;
}

const OPEN_QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '"', '”': '"', '„': '"', '‟': '"', '‘': "'", '’': "'", '‚': "'", '‛': "'" };
const OPERATOR = /^(==|!=|<=|>=|<|>|=[a-z]*=)/i;
/** Characters that end a selector (RSQL's reserved ones, quotes and white space). */
const SELECTOR_END = /[\s"'“”„‟‘’‚‛=!<>~;,()]/;

/** A quoted value from `from` (at its opening quote): its content and where it ends (after the closing quote). */
function quotedAt(text: string, from: number): { value: string; end: number } {
  const kind = OPEN_QUOTES[text[from] as string];
  let value = '';
  let i = from + 1;
  while (i < text.length && OPEN_QUOTES[text[i] as string] !== kind) {
    if (text[i] === '\\' && i + 1 < text.length) i++;
    value += text[i];
    i++;
  }
  return { value, end: Math.min(i + 1, text.length) };
}

/** An unquoted value from `from`: up to `;`, `,`, `)` or ` and ` / ` or `, trailing spaces left out (normalize.ts). */
function bareAt(text: string, from: number, inList: boolean): { value: string; end: number } {
  let i = from;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ';' || c === ',' || c === ')') break;
    if (c === '(' && !inList) break;
    if (/\s/.test(c) && /^\s+(and|or)\s/i.test(text.slice(i))) break;
    i++;
  }
  const value = text.slice(from, i).trimEnd();
  return { value, end: from + value.length };
}

function valueAt(text: string, at: number, inList: boolean): { value: string; end: number; quoted: boolean } {
  if (OPEN_QUOTES[text[at] as string] !== undefined) return { ...quotedAt(text, at), quoted: true };
  return { ...bareAt(text, at, inList), quoted: false };
}

const skipSpace = (text: string, i: number): number => {
  while (i < text.length && /\s/.test(text[i] as string)) i++;
  return i;
};

/** Where every value of every comparison sits in the text, in text order. */
export function valueSpans(text: string): ValueSpan[] {
  const out: ValueSpan[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (OPEN_QUOTES[c] !== undefined) {
      i = quotedAt(text, i).end;
      continue;
    }
    if (SELECTOR_END.test(c)) {
      i++;
      continue;
    }
    let end = i;
    while (end < text.length && !SELECTOR_END.test(text[end] as string)) end++;
    const selector = text.slice(i, end);
    let j = skipSpace(text, end);
    const op = OPERATOR.exec(text.slice(j));
    if (!op) {
      i = end; // `and`, `or`, or text the parser refuses anyway
      continue;
    }
    j = skipSpace(text, j + op[0].length);
    if (text[j] === '(') {
      j++;
      for (;;) {
        j = skipSpace(text, j);
        if (j >= text.length || text[j] === ')') break;
        const v = valueAt(text, j, true);
        if (v.end === j) break;
        out.push({ selector, value: v.value, start: j, end: v.end, quoted: v.quoted });
        j = skipSpace(text, v.end);
        if (text[j] === ',') j++;
        else break;
      }
      i = j;
      continue;
    }
    const v = valueAt(text, j, false);
    if (v.end > j) out.push({ selector, value: v.value, start: j, end: v.end, quoted: v.quoted });
    i = Math.max(v.end, j);
  }
  return out;
}

/** A value as RSQL text: bare when it can be, otherwise double-quoted with `"` and `\` escaped. */
export function rsqlValue(value: string, forceQuotes = false): string {
  const bare = value !== '' && !/[\s"'“”„‟‘’‚‛()=!<>~;,\\]/.test(value) && !/^(and|or)$/i.test(value);
  return bare && !forceQuotes ? value : `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The text with every value `value` of a `selector` clause replaced by `replacement` (quoted when it was, or when it
 * has to be); the text unchanged when there is none.
 */
export function replaceFilterValue(text: string, selector: string, value: string, replacement: string): string {
  const spans = valueSpans(text).filter((s) => s.selector === selector && s.value === value);
  let out = text;
  for (const s of spans.reverse()) out = out.slice(0, s.start) + rsqlValue(replacement, s.quoted) + out.slice(s.end);
  return out;
}
