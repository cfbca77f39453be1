/** In-memory evaluation of a compiled filter: the reference semantics the server's SQL must agree with. */
import type { CompiledFilter, ParameterMatch } from './filter.ts';
import { matchesPattern } from './pattern.ts';

export interface AssetParameter { name: string; value: string; typeId?: string }

/** What a filter can see of an asset. */
export interface FilterableAsset {
  id: string;
  /** `asset.type.name`. */
  type: string;
  /**
   * `asset.name` and `asset.uri`: the system attributes `name` (last URI segment) and `uri`, not a metadata entry of
   * that name among `parameters`. An asset without them matches no clause on them.
   */
  name?: string;
  uri?: string;
  parameters: readonly AssetParameter[];
  refParameters?: readonly AssetParameter[];
}

export interface FilterableRelationship { fromAssetId: string; toAssetId: string }

function matchesEntry(entry: AssetParameter, match: ParameterMatch): boolean {
  return (match.name === undefined || entry.name === match.name)
    && (match.value === undefined || entry.value === match.value)
    && (match.typeId === undefined || entry.typeId === match.typeId);
}

const someEntry = (entries: readonly AssetParameter[] | undefined, match: ParameterMatch): boolean =>
  (entries ?? []).some((e) => matchesEntry(e, match));

/** Whether `value` is there and matches one of the patterns. */
const matchesAny = (patterns: readonly string[], value: string | undefined): boolean =>
  value !== undefined && patterns.some((p) => matchesPattern(p, value));

/** Whether an asset passes every clause (revision selectors choose the snapshot and are not tested here). */
export function matchesAsset(filter: CompiledFilter, asset: FilterableAsset): boolean {
  return filter.assetIds.every((ids) => ids.includes(asset.id))
    && filter.names.every((patterns) => matchesAny(patterns, asset.name))
    && filter.uris.every((patterns) => matchesAny(patterns, asset.uri))
    && filter.typeNames.every((t) => asset.type === t)
    && filter.parameterValues.every(({ name, value }) => someEntry(asset.parameters, { name, value }))
    && filter.parameters.every((m) => someEntry(asset.parameters, m))
    && filter.refParameters.every((m) => someEntry(asset.refParameters, m));
}

export function matchesRelationship(filter: CompiledFilter, rel: FilterableRelationship): boolean {
  return filter.fromAssetIds.every((id) => rel.fromAssetId === id) && filter.toAssetIds.every((id) => rel.toAssetId === id);
}
