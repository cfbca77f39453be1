/**
 * What a service offers: Pixotope documents the four states of every Asset Hub service and four Calls of
 * AssetHubServer (docs/PROTOCOL.md §3.4); everything else is this project's extension, which a real Pixotope service
 * most likely never answers. A service says what it offers through the extension Call `GetCapabilities`; one that
 * does not answer it is taken to offer what is documented, and no more.
 */
import { z } from 'zod';
import type { ServiceKind } from './states.ts';

export const CAPABILITIES_METHOD = 'GetCapabilities';

/** The documented protocol, and what a service that does not answer GetCapabilities is taken to offer. */
export const DOCUMENTED_OFFER = {
  server: { methods: ['Health', 'GetRepositories', 'CreateRepository', 'CreateBranch'], states: ['State', 'WorkspaceInfo', 'PersistentState', 'AssetInfo'] },
  client: { methods: [], states: ['State', 'WorkspaceInfo', 'PersistentState', 'AssetInfo'] },
} as const satisfies Record<ServiceKind, { methods: readonly string[]; states: readonly string[] }>;

/** One method or state, with the version of its contract (1 until a change is not backwards compatible). */
export const Capability = z.object({ Name: z.string().min(1).max(256), Version: z.number().int().min(1) });
export type Capability = z.infer<typeof Capability>;

export const GetCapabilitiesResult = z.object({
  Methods: z.array(Capability).max(1024),
  States: z.array(Capability).max(1024),
});
export type GetCapabilitiesResult = z.infer<typeof GetCapabilitiesResult>;

/** The version of each extension whose contract changed since it was first offered (none yet: every one is 1). */
const VERSIONS: Readonly<Record<string, number>> = Object.freeze(Object.create(null) as Record<string, number>);

/** The GetCapabilities Result of a service offering these methods and states. */
export function capabilitiesOf(methods: Iterable<string>, states: Iterable<string>): GetCapabilitiesResult {
  const entry = (name: string): Capability => ({ Name: name, Version: Object.prototype.hasOwnProperty.call(VERSIONS, name) ? VERSIONS[name]! : 1 });
  return { Methods: [...methods].sort().map(entry), States: [...states].sort().map(entry) };
}

/** The panel's features that need an extension, and what each needs of AssetHubServer. */
export const EXTENSION_FEATURES = {
  catalogue: { label: 'the asset catalogue', methods: ['QueryAssets', 'CountAssets'], states: [] },
  integrations: { label: 'managed integrations', methods: ['QueryIntegrationAssets'], states: ['Integrations'] },
} as const;
export type ExtensionFeature = keyof typeof EXTENSION_FEATURES;
