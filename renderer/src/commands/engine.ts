/**
 * The panel engine's own commands that views send: the host's folders, the hub choice, the message log's controls
 * and the embedded demo receiver's rule. Failures are CommandErrors like every other command's.
 */
import type { CommandArgs, HubChoice } from '../../../shared/panel/api.ts';
import { engine } from './send.ts';

export const chooseHub = (choice: HubChoice) => engine('chooseHub', { choice });
export const openDataFolder = () => engine('openDataFolder', {}).then(() => undefined);
export const openWorkspaceFolder = (service: string, workspace: string) => engine('openWorkspaceFolder', { service, workspace }).then(() => undefined);
export const logControl = (args: CommandArgs<'logControl'>) => engine('logControl', args);
export const demoReceiverRule = () => engine('demoReceiverRule', {}).then((r) => r.rule);
export const setDemoReceiverRule = (rule: CommandArgs<'setDemoReceiverRule'>['rule']) => engine('setDemoReceiverRule', { rule }).then((r) => r.rule);
