// The one option-table helper every command uses: the help written from the table, strict parsing with one-line
// errors, and the lenient mode of Electron's host (whose argv also carries Chromium's switches).
import { describe, expect, it } from 'vitest';
import { defineCommand, formatHelp, readCommandLine } from './command-line.ts';

const command = defineCommand({
  name: 'demo',
  usage: 'demo [options]',
  summary: 'A command for the tests.',
  options: {
    data: { type: 'string', value: '<dir>', help: 'where the data goes' },
    port: { type: 'string', value: '<port>', defaultText: '16209', help: 'the port' },
    fabric: { type: 'string', default: 'ws', value: 'ws|zmq', help: 'the fabric' },
    root: { type: 'string', multiple: true, value: '<dir>', help: 'a root' },
    demo: { type: 'boolean', default: false, help: 'the demo' },
    compat: { type: 'string', choices: ['pixotope-docs', 'other'], help: 'the compatibility mode' },
  },
});

describe('formatHelp', () => {
  it('writes one line per option with its value, meaning and default, and --help', () => {
    const lines = formatHelp(command).split('\n');
    expect(lines[0]).toBe('Usage: demo [options]');
    expect(lines).toContain('A command for the tests.');
    const line = (name: string) => lines.find((l) => l.includes(`--${name}`)) ?? '';
    expect(line('data')).toMatch(/--data <dir>\s+where the data goes$/);
    expect(line('port')).toMatch(/--port <port>\s+the port \(default: 16209\)$/);
    expect(line('fabric')).toMatch(/--fabric ws\|zmq\s+the fabric \(default: ws\)$/);
    expect(line('root')).toMatch(/\(repeatable\)$/);
    expect(line('demo')).toMatch(/--demo\s+the demo$/);
    expect(line('compat')).toMatch(/--compat pixotope-docs\|other\s+the compatibility mode$/);
    expect(line('help')).toMatch(/-h, --help\s+print these options and exit$/);
  });
});

describe('readCommandLine', () => {
  it('returns the typed values, defaults applied', () => {
    const line = readCommandLine(command, ['--data', '/d', '--root', 'a', '--root=b', '--demo']);
    expect(line).toEqual({ kind: 'run', values: { data: '/d', root: ['a', 'b'], demo: true, fabric: 'ws' }, positionals: [], ignored: [] });
  });

  it('answers help for --help or -h anywhere, even next to a wrong option', () => {
    expect(readCommandLine(command, ['--bogus', '-h']).kind).toBe('help');
    expect(readCommandLine(command, ['--data', '/d', '--help'])).toEqual({ kind: 'help', text: formatHelp(command) });
  });

  it('names every unknown option in one line', () => {
    expect(readCommandLine(command, ['--bogus', '--data', '/d', '--other=1', '-z'])).toEqual({
      kind: 'error',
      message: 'demo: unknown options --bogus, --other, -z (--help lists the options)',
    });
  });

  it('makes one line of any parse error (a missing value, a stray argument, a value given to a flag)', () => {
    for (const args of [['--data'], ['--data', '--demo'], ['extra'], ['--demo=yes']]) {
      const line = readCommandLine(command, args);
      expect(line.kind, args.join(' ')).toBe('error');
      if (line.kind === 'error') expect(line.message).toMatch(/^demo: [^\n]+ \(--help lists the options\)$/);
    }
  });

  it('takes only the listed choices of an option that has them, naming them in one line', () => {
    expect(readCommandLine(command, ['--compat', 'pixotope-docs'])).toMatchObject({ kind: 'run', values: { compat: 'pixotope-docs' } });
    expect(readCommandLine(command, ['--compat=other'])).toMatchObject({ kind: 'run', values: { compat: 'other' } });
    expect(readCommandLine(command, ['--compat', 'pixotope'])).toEqual({
      kind: 'error',
      message: 'demo: --compat takes "pixotope-docs" or "other", not "pixotope" (--help lists the options)',
    });
  });

  it('in the lenient mode, leaves unknown options out and lists them, and accepts positionals', () => {
    const line = readCommandLine(command, ['--inspect=0', '.', '--data', '/d', '--no-sandbox'], { ignoreUnknown: true, allowPositionals: true });
    expect(line).toEqual({ kind: 'run', values: { data: '/d', fabric: 'ws', demo: false }, positionals: ['.'], ignored: ['--inspect', '--no-sandbox'] });
  });
});
