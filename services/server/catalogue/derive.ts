/**
 * What the catalogue derives from a repository, a branch and a URI, in one place so the store (which writes it into
 * every `files` row), the migration and the catalogue's queries agree: the stable asset id, the space id, the parent
 * folder's id and the asset's name and kind.
 */
import { createHash } from 'node:crypto';
import { assetKindOf, type TAssetKind } from '../../../shared/assethub/catalogue.ts';
import { assetNameOf, parentUri } from '../../../shared/assethub/uri.ts';

const sha1 = (text: string): string => createHash('sha1').update(text, 'utf8').digest('hex').toUpperCase();

/** The stable id of an asset: uppercase hex SHA-1 of `repository \0 branch \0 uri` (40 characters). */
export function assetIdOf(repository: string, branch: string, uri: string): string {
  return sha1(`${repository}\0${branch}\0${uri}`);
}

/** The id of a branch as a catalogue space: uppercase hex SHA-1 of `repository \0 branch`. */
export function spaceIdOf(repository: string, branch: string): string {
  return sha1(`${repository}\0${branch}`);
}

/** The id of a containment relationship: uppercase hex SHA-1 of the parent's id followed by the child's. */
export function relationshipIdOf(fromAssetId: string, toAssetId: string): string {
  return sha1(fromAssetId + toAssetId);
}

/** The id of the folder that contains `uri` on the same branch, or null at the workspace root. */
export function parentIdOf(repository: string, branch: string, uri: string): string | null {
  const parent = parentUri(uri);
  return parent === null ? null : assetIdOf(repository, branch, parent);
}

/** The catalogue columns of a `files` row. */
export interface AssetColumns { assetId: string; assetKind: TAssetKind; name: string; parentId: string | null }

export function assetColumns(repository: string, branch: string, uri: string, isDirectory: boolean): AssetColumns {
  return {
    assetId: assetIdOf(repository, branch, uri),
    assetKind: assetKindOf(uri, isDirectory),
    name: assetNameOf(uri),
    parentId: parentIdOf(repository, branch, uri),
  };
}
