/**
 * The demo webhook receiver as its own process: `npx tsx services/receiver/main.ts --secret <secret> [options]`
 * (`--help` lists them: RECEIVER_COMMAND). Prints `Demo webhook receiver on <url>` when it listens.
 */
import { createLogger } from '../lib/log.ts';
import { onShutdown, portOption } from '../lib/args.ts';
import { parseCommandLine } from '../lib/command-line.ts';
import { RECEIVER_COMMAND } from './command.ts';
import { FailureRule, startReceiver } from './receiver.ts';
import { startFailed } from '../lib/startup.ts';

const args = parseCommandLine(RECEIVER_COMMAND);
const secret = args.secret === undefined ? process.env.ASSETHUB_RECEIVER_SECRET : String(args.secret);
if (!secret) {
  console.error('--secret <secret> (or ASSETHUB_RECEIVER_SECRET) is required: the integration\'s Secret, to check signatures');
  process.exit(2);
}
let rule = null;
if (args.rule !== undefined) {
  let parsed;
  try {
    parsed = FailureRule.safeParse(JSON.parse(String(args.rule)));
  } catch {
    parsed = null;
  }
  if (!parsed?.success) {
    console.error('--rule must be JSON like {"mode":"dropItem","failUris":"T_Sky.png","rate":0.5} (modes: status500, timeout, dropItem, malformed)');
    process.exit(2);
  }
  rule = parsed.data;
}
const logger = createLogger('DemoReceiver');
const receiver = await startReceiver({
  port: portOption(args.port, 'port', 0),
  host: String(args.host),
  secret,
  ...(args.data === undefined ? {} : { dataFile: String(args.data) }),
  rule,
  logger,
}).catch(startFailed);
console.log(`Demo webhook receiver on ${receiver.url}`);
onShutdown(() => receiver.close(), logger);
