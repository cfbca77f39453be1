/**
 * RSQL filters (docs/PROTOCOL.md §6), parsed by @rsql/parser and compiled to a flat conjunction that
 * both the in-memory evaluator here and the server's SQL can use. Supported: `==` everywhere, `=in=` on assetId,
 * clauses joined by `;` or `and`. Anything else fails with an error that names it.
 */
import { parse } from '@rsql/parser';
import type { ExpressionNode } from '@rsql/ast';
import { err, ok, type Result } from '../result.ts';
import { normalizeRsql } from './normalize.ts';
import { PATTERN_MAX, uriPattern } from './pattern.ts';

export type FilterTarget = 'assets' | 'relationships';

export interface RsqlError {
  code: 'INVALID_FILTER';
  message: string;
  /** The selector, operator or text the error is about. */
  part: string;
}

/** Constraints that must all hold on one parameter entry (`name==… and value==…` pair on the same parameter). */
export type ParameterMatch = Partial<Record<'name' | 'value' | 'typeId', string>>;

export interface CompiledFilter {
  target: FilterTarget;
  /** Each entry is one `assetId` clause (a set of allowed ids); all must hold. */
  assetIds: string[][];
  /** Each entry is one `asset.name` clause: the asset's name matches one of its patterns (./pattern.ts); all must hold. */
  names: string[][];
  /** The same for `asset.uri`, each pattern over the whole URI (`FileSystem:/` put in front: `uriPattern`). */
  uris: string[][];
  typeNames: string[];
  /** `asset.parameter.category==X` and the like: the asset's parameter `category` has value X. */
  parameterValues: Array<{ name: string; value: string }>;
  /** `asset.parameter.name==N [and asset.parameter.value==V]` pairs. */
  parameters: ParameterMatch[];
  /** `asset.refParameter.(name|typeId)==… [and asset.refParameter.value==…]` pairs. */
  refParameters: ParameterMatch[];
  fromAssetIds: string[];
  toAssetIds: string[];
  fromRevision: string | null;
  toRevision: string | null;
}

const SELECTORS: Record<FilterTarget, readonly string[]> = {
  assets: [
    'assetId', 'asset.name', 'asset.uri', 'asset.type.name', 'asset.parameter.name', 'asset.parameter.value',
    'asset.parameter.category', 'asset.parameter.family', 'asset.parameter.type', 'asset.parameter.typeId',
    'asset.refParameter.name', 'asset.refParameter.value', 'asset.refParameter.typeId', 'exchange.snapshot.fromRevision',
    'exchange.snapshot.toRevision',
  ],
  relationships: ['from.asset.id', 'to.asset.id', 'exchange.snapshot.fromRevision', 'exchange.snapshot.toRevision'],
};

/** Half of a UTF-16 surrogate pair without the other: SQLite would see U+FFFD there, the reference the half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Selectors that take `=in=` (any of the listed values). */
const LISTS: readonly string[] = ['assetId', 'asset.name', 'asset.uri'];

const invalid = (message: string, part: string): { ok: false; error: RsqlError } => err({ code: 'INVALID_FILTER', message, part });

function flatten(node: ExpressionNode, out: Array<Extract<ExpressionNode, { type: 'COMPARISON' }>>): RsqlError | null {
  if (node.type === 'LOGIC') {
    if (node.operator !== ';' && node.operator !== 'and') {
      return { code: 'INVALID_FILTER', message: `logical operator "${node.operator}" (or) is not supported: join clauses with ";" or "and"`, part: node.operator };
    }
    return flatten(node.left, out) ?? flatten(node.right, out);
  }
  out.push(node);
  return null;
}

export function emptyFilter(target: FilterTarget): CompiledFilter {
  return {
    target, assetIds: [], names: [], uris: [], typeNames: [], parameterValues: [], parameters: [], refParameters: [],
    fromAssetIds: [], toAssetIds: [], fromRevision: null, toRevision: null,
  };
}

/** Whether an asset filter tests anything of an asset beyond its id (every other clause list; revisions aside). */
export function testsAssetContent(f: CompiledFilter): boolean {
  return [f.names, f.uris, f.typeNames, f.parameterValues, f.parameters, f.refParameters].some((clauses) => clauses.length > 0);
}

/** Parses and compiles a filter. An empty or blank filter matches everything. */
export function compileFilter(text: string, target: FilterTarget = 'assets'): Result<CompiledFilter, RsqlError> {
  const filter = emptyFilter(target);
  if (text.trim() === '') return ok(filter);
  let ast: ExpressionNode;
  try {
    ast = parse(normalizeRsql(text)) as ExpressionNode;
  } catch (e) {
    return invalid(`filter is not valid RSQL: ${e instanceof Error ? e.message : String(e)}`, text);
  }
  const clauses: Array<Extract<ExpressionNode, { type: 'COMPARISON' }>> = [];
  const logicError = flatten(ast, clauses);
  if (logicError) return err(logicError);

  for (const clause of clauses) {
    const selector = clause.left.selector;
    const operator = clause.operator;
    const value = clause.right.value;
    if (!SELECTORS[target].includes(selector)) {
      return invalid(`selector "${selector}" is not supported for ${target}; use one of ${SELECTORS[target].join(', ')}`, selector);
    }
    const allowed = LISTS.includes(selector) ? ['==', '=in='] : ['=='];
    if (!allowed.includes(operator)) {
      return invalid(`operator "${operator}" is not supported on ${selector}; it supports ${allowed.join(' and ')}`, operator);
    }
    const values = Array.isArray(value) ? value : [value];
    const single = values[0] ?? '';
    switch (selector) {
      case 'assetId':
        filter.assetIds.push(values);
        break;
      case 'asset.name':
      case 'asset.uri': {
        const long = values.find((v) => v.length > PATTERN_MAX);
        if (long !== undefined) return invalid(`a pattern of ${selector} is ${long.length} characters long (at most ${PATTERN_MAX})`, selector);
        if (values.some((v) => LONE_SURROGATE.test(v))) return invalid(`a pattern of ${selector} is not valid Unicode (a lone surrogate)`, selector);
        if (selector === 'asset.name') filter.names.push(values);
        else filter.uris.push(values.map(uriPattern));
        break;
      }
      case 'asset.type.name':
        filter.typeNames.push(single);
        break;
      case 'asset.parameter.name':
        filter.parameters.push({ name: single });
        break;
      case 'asset.parameter.value': {
        const open = filter.parameters.at(-1);
        if (!open || open.value !== undefined) {
          return invalid('asset.parameter.value must follow an asset.parameter.name clause', selector);
        }
        open.value = single;
        break;
      }
      case 'asset.parameter.category':
      case 'asset.parameter.family':
      case 'asset.parameter.type':
      case 'asset.parameter.typeId':
        filter.parameterValues.push({ name: selector.slice('asset.parameter.'.length), value: single });
        break;
      case 'asset.refParameter.name':
        filter.refParameters.push({ name: single });
        break;
      case 'asset.refParameter.typeId':
        filter.refParameters.push({ typeId: single });
        break;
      case 'asset.refParameter.value': {
        const open = filter.refParameters.at(-1);
        if (!open || open.value !== undefined) {
          return invalid('asset.refParameter.value must follow an asset.refParameter.name or .typeId clause', selector);
        }
        open.value = single;
        break;
      }
      case 'from.asset.id':
        filter.fromAssetIds.push(single);
        break;
      case 'to.asset.id':
        filter.toAssetIds.push(single);
        break;
      case 'exchange.snapshot.fromRevision':
      case 'exchange.snapshot.toRevision': {
        const key = selector === 'exchange.snapshot.fromRevision' ? 'fromRevision' : 'toRevision';
        if (filter[key] !== null) return invalid(`${selector} is given twice`, selector);
        filter[key] = single;
        break;
      }
    }
  }
  return ok(filter);
}
