/** The demo webhook receiver's options (`--help`), apart from its entry point so that tests can read them without starting it. */
import { defineCommand } from '../lib/command-line.ts';

export const RECEIVER_COMMAND = defineCommand({
  name: 'receiver',
  usage: 'npx tsx services/receiver/main.ts --secret <secret> [options]',
  summary: 'Runs the demo webhook receiver alone; prints `Demo webhook receiver on <url>` once it listens.',
  options: {
    secret: { type: 'string', value: '<secret>', defaultText: 'ASSETHUB_RECEIVER_SECRET', help: "the integration's secret, to check signatures (required)" },
    port: { type: 'string', value: '<port>', defaultText: '0 (a free port)', help: 'the port it listens on' },
    host: { type: 'string', default: '127.0.0.1', value: '<host>', help: 'the address it listens on' },
    data: { type: 'string', value: '<file.sqlite>', defaultText: 'in memory', help: 'keep what it received in this SQLite file' },
    rule: { type: 'string', value: '<json>', defaultText: 'none', help: 'how it fails, e.g. {"mode":"dropItem","failUris":"T_Sky.png"} (modes: status500, timeout, dropItem, malformed)' },
  },
});
