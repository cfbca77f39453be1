/** The two IPC channels of the panel API (imported by both the main process and the preload). */
export const INVOKE_CHANNEL = 'panel:invoke';
export const EVENT_CHANNEL = 'panel:event';
