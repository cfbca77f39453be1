/** The reference Data Hub: `startHub` and what its callers need. */
export { startHub, HUB_NAME, type Hub, type HubOptions, type HubStats } from './hub.ts';
export { isLoopbackHost } from './auth.ts';
export { DEFAULT_HOST, DEFAULT_PORT } from './config.ts';
