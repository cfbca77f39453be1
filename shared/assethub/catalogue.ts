/**
 * The asset catalogue of docs/PROTOCOL.md §6: asset records shaped after the asset-sync documentation's asset response
 * object, relationships after the relationship-sync one, the export/import document after the import/export one, and
 * the Params/Result of QueryAssets, QueryRelationships, ExportAssets and ImportAssets. Field names follow the
 * documentation letter for letter; what this project adds (uri, name, size, tags, keywords) is listed in
 * docs/PROTOCOL-EXTENSIONS.md.
 */
import { z } from 'zod';
import { assetNameOf } from './uri.ts';

/** Asset kinds derived from the file (directories are `folder`); see ASSET_TYPE_BY_EXTENSION. */
export const ASSET_KINDS = ['folder', 'texture', 'mesh', 'video', 'level', 'material', 'audio', 'other'] as const;
export const AssetKind = z.enum(ASSET_KINDS);
export type TAssetKind = z.infer<typeof AssetKind>;

/** File extension (lower case, without the dot) → kind. Anything else is `other`. */
export const ASSET_TYPE_BY_EXTENSION: Readonly<Record<string, TAssetKind>> = {
  png: 'texture', jpg: 'texture', jpeg: 'texture', tga: 'texture', tif: 'texture', tiff: 'texture', exr: 'texture',
  hdr: 'texture', dds: 'texture', bmp: 'texture', psd: 'texture', webp: 'texture',
  fbx: 'mesh', obj: 'mesh', gltf: 'mesh', glb: 'mesh', usd: 'mesh', usda: 'mesh', usdc: 'mesh', usdz: 'mesh', abc: 'mesh', '3ds': 'mesh', dae: 'mesh',
  mp4: 'video', mov: 'video', mxf: 'video', avi: 'video', mkv: 'video', webm: 'video', m4v: 'video',
  umap: 'level', level: 'level', scene: 'level',
  uasset: 'material', mtl: 'material', mat: 'material', mdl: 'material', sbsar: 'material', material: 'material',
  wav: 'audio', mp3: 'audio', ogg: 'audio', flac: 'audio', aif: 'audio', aiff: 'audio', m4a: 'audio',
};

/** The documented `type` is "a combination of type name and type version": `assethub:<kind>-1.0.0`. */
export const ASSET_TYPE_VERSION = '1.0.0';
export const assetTypeString = (kind: TAssetKind): string => `assethub:${kind}-${ASSET_TYPE_VERSION}`;
/**
 * Relationship type of folder → file containment (the relationship-sync documentation uses
 * `…:relationship.containment-1.0.0`).
 */
export const CONTAINMENT_TYPE = `assethub:relationship.containment-${ASSET_TYPE_VERSION}`;

/** The kind of a URI: `folder` for directories, else by extension. */
export function assetKindOf(uri: string, isDirectory: boolean): TAssetKind {
  if (isDirectory) return 'folder';
  const name = assetNameOf(uri);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? ASSET_TYPE_BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? 'other' : 'other';
}

/**
 * `asset.type.name==` accepts the full type string (as the documentation's example does) or the bare kind; both compare
 * as the kind.
 */
export function typeNameToKind(value: string): string {
  const m = /^assethub:([a-z]+)-\d+\.\d+\.\d+$/.exec(value);
  return m?.[1] ?? value;
}

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'must be an ISO 8601 UTC timestamp');

/** Who and when (docs/PROTOCOL.md §6): userId is the machine, serviceId the service that did it. */
export const Actor = z.object({ userId: z.string(), serviceId: z.string(), date: IsoDate });

export const AttributeCategory = z.enum(['system', 'application', 'internal']);
export const Attribute = z.object({ name: z.string(), value: z.string(), category: AttributeCategory });
export type TAttribute = z.infer<typeof Attribute>;

export const Operation = z.enum(['INSERT', 'MODIFY', 'REMOVE']);

/** A reference to an entity (docs/PROTOCOL.md §6): `space`, `from.asset`, `to.asset`. */
export const EntityRef = z.object({ id: z.string(), type: z.string(), url: z.string(), data: z.record(z.string(), z.unknown()) });

/**
 * One asset as QueryAssets returns it (the asset-sync documentation's response object, docs/PROTOCOL.md §6).
 * `attributes.data` holds the system attributes (uri, name, size, hash, kind) and the metadata set through ImportAssets
 * (category `application`); `externalComponentHash` is the content's SHA-256 (null for folders).
 */
export const Asset = z.object({
  createdBy: Actor,
  lastModifiedBy: Actor,
  id: z.string(),
  revisionId: z.string(),
  type: z.string(),
  space: EntityRef,
  attributes: z.object({ id: z.string(), url: z.string(), data: z.array(Attribute) }),
  externalComponentHash: z.string().nullable(),
  uri: z.string(),
  name: z.string(),
  size: z.number().int().nonnegative(),
  tags: z.array(z.string()),
  keywords: z.array(z.string()),
  operation: Operation.optional(),
});
export type TAsset = z.infer<typeof Asset>;

/** Folder → file containment (docs/PROTOCOL.md §6). */
export const Relationship = z.object({
  createdBy: Actor,
  lastModifiedBy: Actor,
  id: z.string(),
  type: z.string(),
  from: z.object({ asset: EntityRef, snapshot: EntityRef }),
  to: z.object({ asset: EntityRef, snapshot: EntityRef }),
  category: z.enum(['Reference', 'Relationship']),
  revisionId: z.string(),
  operation: Operation.optional(),
});
export type TRelationship = z.infer<typeof Relationship>;

export const QUERY_LIMIT_MAX = 500;
export const QUERY_LIMIT_DEFAULT = 100;
/**
 * A cursor is honoured for this long after the page that returned it (docs/PROTOCOL.md §6: it expires after 10
 * minutes).
 */
export const CURSOR_TTL_MS = 10 * 60 * 1000;

export const Pagination = z.object({ limit: z.number().int(), cursor: z.string().nullable(), nextCursor: z.string().nullable() });

const QueryParams = z.object({
  Repository: z.string().min(1),
  Branch: z.string().min(1),
  Filters: z.string().optional(),
  Cursor: z.string().min(1).optional(),
  Limit: z.number().int().min(1).max(QUERY_LIMIT_MAX).optional(),
});

export const QueryAssetsParams = QueryParams;
export const QueryAssetsResult = z.object({ pagination: Pagination, results: z.array(Asset), errors: z.array(z.string()) });
/**
 * CountAssets (this project's extension; Pixotope documents no count): how many assets QueryAssets would return over
 * all its pages for the same Repository, Branch and Filters.
 */
export const CountAssetsParams = QueryParams.pick({ Repository: true, Branch: true, Filters: true });
export const CountAssetsResult = z.object({ Count: z.number().int().nonnegative() });
export const QueryRelationshipsParams = QueryParams;
export const QueryRelationshipsResult = z.object({ pagination: Pagination, results: z.array(Relationship), errors: z.array(z.string()) });

/**
 * A metadata entry of the export/import document (the documented `attribute`: name, defaultValue, type;
 * docs/PROTOCOL.md §6).
 */
export const MetadataEntry = z.object({ name: z.string().min(1), defaultValue: z.string(), type: z.string().optional() });

/** One asset of the export/import document. Import matches it by `assetId`, else by `uri`. */
export const DocumentAsset = z.object({
  assetId: z.string().min(1).optional(),
  uri: z.string().min(1).optional(),
  name: z.string().optional(),
  type: z.string().optional(),
  tags: z.array(z.string().min(1)).optional(),
  keywords: z.array(z.string().min(1)).optional(),
  metadata: z.array(MetadataEntry).optional(),
});
export type TDocumentAsset = z.infer<typeof DocumentAsset>;

export const ASSET_DOCUMENT_FORMAT = 'assethub.assets';
/**
 * A document's entries, as compact JSON, hold at most this many bytes, in an export and in an import: the document
 * crosses the hub in one message, and decoding a message of this size holds the server's thread ~50 ms.
 */
export const ASSET_DOCUMENT_MAX_BYTES = 8 * 1024 * 1024;
/** An ImportAssets Call at most: a document (its entries and its own fields) and the Call around it. */
export const IMPORT_CALL_MAX_BYTES = ASSET_DOCUMENT_MAX_BYTES + 64 * 1024;
/** What the topic and `{"Params":{"Document":…}}` around a document take at most. */
export const IMPORT_CALL_OVERHEAD_BYTES = 4 * 1024;
export const AssetDocument = z.object({
  format: z.literal(ASSET_DOCUMENT_FORMAT),
  version: z.literal(1),
  repository: z.string().min(1),
  branch: z.string().min(1),
  exportedAt: IsoDate.optional(),
  assets: z.array(z.unknown()),
});
export type TAssetDocument = z.infer<typeof AssetDocument>;

export const ExportAssetsParams = z.object({
  Repository: z.string().min(1),
  Branch: z.string().min(1),
  Tags: z.array(z.string().min(1)).optional(),
  Keywords: z.array(z.string().min(1)).optional(),
  AssetId: z.string().min(1).optional(),
});
export const ExportAssetsResult = z.object({ Document: AssetDocument });

export const ImportAssetsParams = z.object({ Document: z.unknown() });
export const ImportAssetsResult = z.object({ Imported: z.number().int().nonnegative(), Unchanged: z.number().int().nonnegative() });

/** One problem of a rejected import: which entry (-1 = the document itself), which field, what is wrong. */
export const ImportProblem = z.object({ Index: z.number().int(), Field: z.string(), Message: z.string() });
export type TImportProblem = z.infer<typeof ImportProblem>;

/**
 * CheckFilter (this project's, docs/PROTOCOL-EXTENSIONS.md): the values of an asset filter looked up in the catalogue
 * at the branch heads of the given repositories (all when none), each one it does not hold a warning with the nearest
 * known value. A warning is no refusal: assets with that value may come later.
 */
export const CHECK_FILTER_WARNINGS_MAX = 20;
export const CheckFilterParams = z.object({ Filter: z.string(), Repositories: z.array(z.string().min(1)).optional() });
export const FilterWarning = z.object({ Selector: z.string(), Value: z.string(), Message: z.string(), Suggestion: z.string().nullable() });
export type TFilterWarning = z.infer<typeof FilterWarning>;
/** `Omitted`: warnings left out past the first CHECK_FILTER_WARNINGS_MAX. */
export const CheckFilterResult = z.object({
  Warnings: z.array(FilterWarning).max(CHECK_FILTER_WARNINGS_MAX),
  Omitted: z.number().int().nonnegative(),
});
