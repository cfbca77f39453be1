/** The AssetHubClient's options (`--help`), apart from its entry point so that tests can read them without starting it. */
import { JOIN_HUB_OPTIONS } from '../lib/args.ts';
import { defineCommand } from '../lib/command-line.ts';

export const CLIENT_COMMAND = defineCommand({
  name: 'client',
  usage: 'npx tsx services/client/main.ts --machine <name> --data <dir> [options]',
  summary: 'Runs one AssetHubClient alone; prints `<name> ready` once it has joined the hub.',
  options: {
    machine: { type: 'string', value: '<name>', help: "the client's machine name (required)" },
    data: { type: 'string', value: '<dir>', help: 'where the client keeps its database (required)' },
    storage: { type: 'string', value: '<dir>', defaultText: '<data>/Synced Storage', help: 'its synced storage: where workspaces live' },
    ...JOIN_HUB_OPTIONS,
    'allow-root': { type: 'string', multiple: true, value: '<dir>', help: 'a folder besides the synced storage where workspaces may be made' },
  },
});
