/**
 * CheckFilter (docs/PROTOCOL-EXTENSIONS.md, "Asset catalogue"): the values an asset filter compares with, looked up in
 * the catalogue at the branch heads of the given repositories (every repository when none is given, as an
 * integration with no Repositories follows them all). A value the catalogue does not hold is a warning naming the
 * nearest known value, never a refusal: assets with it may come later. A filter that does not compile is
 * INVALID_FILTER, as for QueryAssets. Selectors not looked at (revisions, refParameter values, values of the
 * unindexed attributes name, size and hash, and any selector this module does not know) give no warning.
 */
import {
  ASSET_KINDS, CHECK_FILTER_WARNINGS_MAX, CONTAINMENT_TYPE, assetTypeString, typeNameToKind, type TFilterWarning,
} from '../../../shared/assethub/catalogue.ts';
import { compileFilter } from '../../../shared/rsql/filter.ts';
import { filterComparisons } from '../../../shared/rsql/values.ts';
import { ServiceFailure } from '../../lib/failure.ts';
import type { ServerStore } from '../store.ts';
import { KnownValues } from './known.ts';
import { likeValues, nearestValue } from './nearest.ts';
import { PARENT_PARAMETER, SYSTEM_ATTRIBUTES } from './sql.ts';

export interface CheckFilterParams { Filter: string; Repositories?: readonly string[] | undefined }
export interface CheckFilterAnswer { Warnings: TFilterWarning[]; Omitted: number }

const SYSTEM_NAMES = SYSTEM_ATTRIBUTES.map((a) => a.name);
/** System attributes whose values are looked up; the others have no index to look them up by. */
const CHECKED_SYSTEM_VALUES = new Set(['uri', 'kind']);
/** How much of a value a Message repeats. */
const QUOTE_MAX = 120;

const quote = (value: string): string => JSON.stringify(value.length > QUOTE_MAX ? `${value.slice(0, QUOTE_MAX - 1)}…` : value);

/** "; did you mean …?" with a suggestion, else a few known values (or what to say when there are none). */
function tail(suggestion: string | null, value: string, known: readonly string[], none = ''): string {
  if (suggestion !== null) return `; did you mean ${quote(suggestion)}?`;
  if (known.length === 0) return none;
  const listed = likeValues(value, known, 5).sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));
  return `; ${known.length > listed.length ? 'known values include' : 'known:'} ${listed.map(quote).join(', ')}`;
}

interface Found { message: string; suggestion: string | null }

export function checkFilter(store: ServerStore, params: CheckFilterParams): CheckFilterAnswer {
  const compiled = compileFilter(params.Filter, 'assets');
  if (!compiled.ok) throw new ServiceFailure('INVALID_FILTER', `Filter: ${compiled.error.message} (at "${compiled.error.part}")`);
  const named = params.Repositories ?? [];
  const repositories = store.repositories();
  const unknown = named.filter((name) => !repositories.some((r) => r.name === name));
  if (unknown.length > 0) throw new ServiceFailure('UNKNOWN_REPOSITORY', `Repositories: no repository ${unknown.map((r) => `"${r}"`).join(', ')}`);
  const followed = named.length === 0 ? repositories : repositories.filter((r) => named.includes(r.name));
  const branchIds = followed.flatMap((r) => store.branches(r.id).map((b) => b.id));
  const known = new KnownValues(store.database, branchIds, named.length === 0);

  const comparisons = filterComparisons(params.Filter);
  const presentIds = known.presentAssetIds(comparisons.filter((c) => c.selector === 'assetId').flatMap((c) => c.values.flatMap((v) => [v, v.toUpperCase()])));

  const typeName = (value: string): Found | null => {
    if ((ASSET_KINDS as readonly string[]).includes(typeNameToKind(value))) return null;
    const full = value.toLowerCase().startsWith('assethub:');
    const forms = full ? ASSET_KINDS.map(assetTypeString) : [...ASSET_KINDS];
    const suggestion = nearestValue(value, forms) ?? nearestValue(value, full ? ASSET_KINDS : ASSET_KINDS.map(assetTypeString));
    const kinds = `; the types are ${ASSET_KINDS.join(', ')} (or assethub:<type>-1.0.0)`;
    return { message: `no asset type ${quote(value)}${suggestion === null ? kinds : tail(suggestion, value, [])}`, suggestion };
  };
  const parameterName = (name: string): Found | null => {
    if (SYSTEM_NAMES.includes(name) || known.hasMetadataName(name)) return null;
    const candidates = [...known.metadataNamesAround(name), ...SYSTEM_NAMES];
    const suggestion = nearestValue(name, candidates);
    return { message: `no asset has an attribute ${quote(name)}${tail(suggestion, name, candidates)}`, suggestion };
  };
  /** A value of attribute `name` (system or metadata); `what` says which in the message. */
  const parameterValue = (name: string, value: string, what: string): Found | null => {
    if (SYSTEM_NAMES.includes(name)) {
      if (!CHECKED_SYSTEM_VALUES.has(name)) return null;
      if (name === 'kind' ? (ASSET_KINDS as readonly string[]).includes(value) : known.hasUri(value)) return null;
      const candidates = name === 'kind' ? [...ASSET_KINDS] : known.urisAround(value);
      const suggestion = nearestValue(value, candidates);
      return { message: `no asset has ${what} ${quote(value)}${tail(suggestion, value, candidates)}`, suggestion };
    }
    if (!known.hasMetadataName(name)) return { message: `no asset has a ${quote(name)} attribute`, suggestion: null };
    if (known.hasMetadataValue(name, value)) return null;
    const candidates = known.metadataValuesAround(name, value);
    const suggestion = nearestValue(value, candidates);
    return { message: `no asset has ${what} ${quote(value)}${tail(suggestion, value, candidates)}`, suggestion };
  };
  const only = (value: string, valid: string, what: string): Found | null => {
    if (value === valid) return null;
    const suggestion = nearestValue(value, [valid]);
    return { message: `no ${what} ${quote(value)}${suggestion === null ? `; the only one is ${quote(valid)}` : tail(suggestion, value, [])}`, suggestion };
  };
  const assetId = (id: string): Found | null => {
    if (presentIds.has(id)) return null;
    const upper = id.toUpperCase();
    const suggestion = upper !== id && presentIds.has(upper) ? upper : null;
    return { message: `no asset with id ${quote(id)}${tail(suggestion, id, [])}`, suggestion };
  };

  const warnings: TFilterWarning[] = [];
  const seen = new Set<string>();
  let omitted = 0;
  const add = (selector: string, value: string, found: Found | null) => {
    const key = JSON.stringify([selector, value]);
    if (found === null || seen.has(key)) return;
    seen.add(key);
    if (warnings.length >= CHECK_FILTER_WARNINGS_MAX) omitted++;
    else warnings.push({ Selector: selector, Value: value, Message: `${selector}: ${found.message}`, Suggestion: found.suggestion });
  };
  /** The name of the open `asset.parameter.name` clause, null once its name was found unknown. */
  let openName: string | null = null;
  for (const { selector, values } of comparisons) {
    const value = values[0] ?? '';
    switch (selector) {
      case 'assetId':
        for (const id of values) add(selector, id, assetId(id));
        break;
      case 'asset.type.name':
        add(selector, value, typeName(value));
        break;
      case 'asset.parameter.name': {
        const found = parameterName(value);
        add(selector, value, found);
        openName = found === null ? value : null;
        break;
      }
      case 'asset.parameter.value':
        if (openName !== null) add(selector, value, parameterValue(openName, value, `${quote(openName)} =`));
        openName = null;
        break;
      case 'asset.parameter.category':
      case 'asset.parameter.family':
      case 'asset.parameter.type':
      case 'asset.parameter.typeId': {
        const name = selector.slice('asset.parameter.'.length);
        add(selector, value, parameterValue(name, value, name));
        break;
      }
      case 'asset.refParameter.name':
        add(selector, value, only(value, PARENT_PARAMETER, 'reference parameter'));
        break;
      case 'asset.refParameter.typeId':
        add(selector, value, only(value, CONTAINMENT_TYPE, 'reference parameter type'));
        break;
      default:
        break; // revisions, refParameter values, and selectors this check does not know
    }
  }
  return { Warnings: warnings, Omitted: omitted };
}
