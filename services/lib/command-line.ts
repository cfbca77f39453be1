/**
 * Every command line of the project, parsed and explained from ONE option table: node's util.parseArgs (strict) reads
 * the arguments with it and `formatHelp` prints `--help` from it, so the help cannot drift from the parser. `--help`
 * (-h) prints the options and exits 0; an unknown option, a missing value or a stray argument is one line on stderr
 * naming it, exit 2.
 *
 * Why here: it needs node:util, so not shared/ (no Node built-ins there), and it is no part of the hub peer (peer/).
 * services/lib is the Node folder every command may import under scripts/eslint/boundaries.js: the services'
 * commands (services/), the panel's hosts (main/web, main/electron: their rules forbid only renderer/ and each other),
 * and scripts/serve.mjs and scripts/start.mjs, which load it with tsx's tsImport (plain node cannot load .ts).
 */
import { writeSync } from 'node:fs';
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Applied by the parser when the option is absent, and shown in the help. */
  default?: string | boolean | string[];
  /** How the value reads in the help, e.g. `<dir>` or `ws|zmq` (string options; the choices or `<value>` otherwise). */
  value?: string;
  /** The only values a string option takes; any other is refused like an unknown option (one line, exit 2). */
  choices?: readonly string[];
  /** One line: what the option does. */
  help: string;
  /**
   * The default when the command applies it after parsing (it depends on another option, or on the environment);
   * written from the same constant the command uses.
   */
  defaultText?: string;
}

export type OptionTable = Record<string, OptionSpec>;

export interface CommandSpec<T extends OptionTable = OptionTable> {
  /** The command's name in error lines, e.g. `services`. */
  name: string;
  /** The usage line, e.g. `npm run services -- --data <dir> [options]`. */
  usage: string;
  /** What the command does, a sentence or two. */
  summary: string;
  options: T;
}

/** Keeps the table's literal types, so parsed values are typed from it. */
export function defineCommand<const T extends OptionTable>(spec: CommandSpec<T>): CommandSpec<T> {
  return spec;
}

const HELP: OptionSpec = { type: 'boolean', short: 'h', help: 'print these options and exit' };

/** The values util.parseArgs gives for table T (strict, no positionals). */
export type ParsedOptions<T extends OptionTable> = ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: false }>>['values'];

export type CommandLine<T extends OptionTable> =
  | { kind: 'run'; values: ParsedOptions<T>; positionals: string[]; ignored: string[] }
  | { kind: 'help'; text: string }
  | { kind: 'error'; message: string };

export interface ReadOptions {
  /**
   * Leave unknown options out (listed in `ignored`) instead of refusing them: only for Electron's host, whose argv
   * also carries Chromium's and Node's switches.
   */
  ignoreUnknown?: boolean;
  /** Accept arguments that are not options (Electron's app path). */
  allowPositionals?: boolean;
}

function optionName(name: string, spec: OptionSpec): string {
  const long = `--${name}${spec.type === 'string' ? ` ${spec.value ?? spec.choices?.join('|') ?? '<value>'}` : ''}`;
  return spec.short ? `-${spec.short}, ${long}` : `    ${long}`;
}

function optionNotes(spec: OptionSpec): string {
  const notes: string[] = [];
  const shown = spec.defaultText ?? (spec.default === undefined || spec.default === false ? undefined : String(spec.default));
  if (shown !== undefined) notes.push(`default: ${shown}`);
  if (spec.multiple) notes.push('repeatable');
  return notes.length > 0 ? ` (${notes.join('; ')})` : '';
}

/** The help text: usage, summary, then one line per option (name, value, meaning, default). */
export function formatHelp(command: CommandSpec): string {
  const rows = Object.entries({ ...command.options, help: HELP }).map(([name, spec]) => [optionName(name, spec), `${spec.help}${optionNotes(spec)}`] as const);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const lines = rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
  return `Usage: ${command.usage}\n\n${command.summary}\n\nOptions:\n${lines.join('\n')}\n`;
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();

/** Reads `args` with the command's table; never exits, never prints (the caller decides). */
export function readCommandLine<T extends OptionTable>(command: CommandSpec<T>, args: readonly string[], read: ReadOptions = {}): CommandLine<T> {
  const options = { ...command.options, help: HELP };
  const fail = (message: string): CommandLine<T> => ({ kind: 'error', message: `${command.name}: ${oneLine(message)} (--help lists the options)` });
  // A first, lenient pass finds every unknown option at once (a strict parse stops at the first) and a --help anywhere.
  const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  const unknown = tokens.filter((t) => t.kind === 'option' && !Object.hasOwn(options, t.name));
  if (tokens.some((t) => t.kind === 'option' && t.name === 'help')) return { kind: 'help', text: formatHelp(command) };
  const names = unknown.map((t) => (t.kind === 'option' ? t.rawName : ''));
  if (unknown.length > 0 && !read.ignoreUnknown) return fail(`unknown option${names.length > 1 ? 's' : ''} ${names.join(', ')}`);
  const skip = new Set(unknown.map((t) => t.index));
  try {
    const parsed = parseArgs({ args: args.filter((_, i) => !skip.has(i)), options, strict: true, allowPositionals: read.allowPositionals ?? false });
    for (const [name, spec] of Object.entries(command.options)) {
      const given = (parsed.values as Record<string, unknown>)[name];
      const wrong = spec.choices && [given ?? []].flat().find((v) => typeof v !== 'string' || !spec.choices?.includes(v));
      if (wrong !== undefined) return fail(`--${name} takes ${spec.choices?.map((c) => `"${c}"`).join(' or ')}, not "${String(wrong)}"`);
    }
    // The table's own type (parseArgs sees it widened by the added help option); `help` is absent here.
    return { kind: 'run', values: parsed.values as ParsedOptions<T>, positionals: parsed.positionals, ignored: names };
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

/** Writes straight to the descriptor: process.exit right after would cut off an asynchronous pipe write (Windows). */
function print(fd: 1 | 2, text: string): void {
  try {
    writeSync(fd, text);
  } catch {
    // No console (a GUI process): nothing to print to.
  }
}

/** Reads the process's arguments: prints the help and exits 0, or one error line and exits 2, or returns the values. */
export function parseCommandLine<T extends OptionTable>(command: CommandSpec<T>, args: readonly string[] = process.argv.slice(2)): ParsedOptions<T> {
  const line = readCommandLine(command, args);
  if (line.kind === 'run') return line.values;
  if (line.kind === 'help') {
    print(1, line.text);
    process.exit(0);
  }
  print(2, `${line.message}\n`);
  process.exit(2);
}
