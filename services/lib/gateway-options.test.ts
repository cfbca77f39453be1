/** The Gateway's options as every command reads them (services, serve, the desktop app). */
import { describe, expect, it } from 'vitest';
import { parseCliOptions } from '../../main/electron/options.ts';
import { readCommandLine, formatHelp } from './command-line.ts';
import { SERVICES_COMMAND } from '../commands.ts';
import { gatewayArgsFrom } from './gateway-options.ts';

describe('gatewayArgsFrom', () => {
  it('no --gateway: none; its other options without it: an error', () => {
    expect(gatewayArgsFrom({ gateway: false })).toEqual({ ok: true, value: null });
    expect(gatewayArgsFrom({ gateway: false, 'gateway-port': '1' })).toMatchObject({ ok: false, message: expect.stringMatching(/need --gateway/) as unknown });
  });

  it('defaults to Pixotope\'s port; checks the port, the origins and the machine', () => {
    expect(gatewayArgsFrom({ gateway: true })).toEqual({ ok: true, value: { port: 16208, allowOrigins: [] } });
    expect(gatewayArgsFrom({ gateway: true, 'gateway-port': '0', 'gateway-allow-origin': ['http://a:1'], 'gateway-machine': 'STAGE-B' }))
      .toEqual({ ok: true, value: { port: 0, allowOrigins: ['http://a:1'], machine: 'STAGE-B' } });
    expect(gatewayArgsFrom({ gateway: true, 'gateway-port': '70000' }).ok).toBe(false);
    expect(gatewayArgsFrom({ gateway: true, 'gateway-allow-origin': ['http://a:1/path'] }).ok).toBe(false);
    expect(gatewayArgsFrom({ gateway: true, 'gateway-machine': 'a b' }).ok).toBe(false);
  });

  it('the services command and the desktop app take them, and --help lists them', () => {
    const line = readCommandLine(SERVICES_COMMAND, ['--data', 'd', '--gateway', '--gateway-allow-origin', 'http://a:1', '--gateway-allow-origin', 'http://b:2']);
    expect(line.kind === 'run' && gatewayArgsFrom(line.values)).toEqual({ ok: true, value: { port: 16208, allowOrigins: ['http://a:1', 'http://b:2'] } });
    expect(formatHelp(SERVICES_COMMAND)).toMatch(/--gateway-port <port>.*default: 16208/);
    expect(parseCliOptions(['electron', '--gateway', '--gateway-port', '0'])).toMatchObject({ kind: 'run', options: { gateway: { port: 0, allowOrigins: [] } } });
    expect(parseCliOptions(['electron', '--gateway-port', '0'])).toMatchObject({ kind: 'error' });
  });
});
