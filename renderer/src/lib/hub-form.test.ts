import { describe, expect, it } from 'vitest';
import { NO_HOST_INFO } from '../../../shared/panel/api.ts';
import { checkForm, hubWords, initialForm, type HubForm } from './hub-form.ts';

const base: HubForm = { kind: 'zmq', host: '127.0.0.1', subPort: '', pubPort: '', url: '', token: '' };

describe('the change-hub form', () => {
  it('makes a Pixotope Data Hub choice from a host, with Pixotope ports unless given', () => {
    expect(checkForm({ ...base, host: ' STAGE-A ' })).toEqual({ ok: true, choice: { kind: 'hub', hubUrl: 'zmq://STAGE-A' }, target: 'Pixotope Data Hub (ZeroMQ) STAGE-A (ports 16201/16202)' });
    expect(checkForm({ ...base, subPort: '5001', pubPort: '5002' })).toMatchObject({ ok: true, choice: { hubUrl: 'zmq://127.0.0.1?sub=5001&pub=5002' } });
  });

  it('names each bad field', () => {
    expect(checkForm({ ...base, host: '' })).toEqual({ ok: false, problems: { host: expect.stringMatching(/host name/) } });
    expect(checkForm({ ...base, host: 'h:16201' })).toMatchObject({ ok: false, problems: { host: expect.stringMatching(/without a port/) } });
    expect(checkForm({ ...base, subPort: '70000', pubPort: 'x' })).toMatchObject({ ok: false, problems: { subPort: expect.any(String), pubPort: expect.any(String) } });
    expect(checkForm({ ...base, subPort: '16202' })).toMatchObject({ ok: false, problems: { pubPort: expect.stringMatching(/two different ports/) } });
    expect(checkForm({ ...base, kind: 'ws', url: 'zmq://h' })).toMatchObject({ ok: false, problems: { url: expect.stringMatching(/ws:\/\//) } });
    expect(checkForm({ ...base, kind: 'ws', url: '' })).toMatchObject({ ok: false, problems: { url: expect.any(String) } });
  });

  it('makes a WebSocket hub choice with its token, and the embedded choice', () => {
    expect(checkForm({ ...base, kind: 'ws', url: 'ws://hub:16209', token: ' t ' })).toMatchObject({ ok: true, choice: { kind: 'hub', hubUrl: 'ws://hub:16209', token: 't' } });
    expect(checkForm({ ...base, kind: 'embedded' })).toMatchObject({ ok: true, choice: { kind: 'embedded' } });
  });

  it('opens on the current hub', () => {
    expect(initialForm('zmq://h?sub=1&pub=2', NO_HOST_INFO)).toMatchObject({ kind: 'zmq', host: 'h', subPort: '1', pubPort: '2' });
    expect(initialForm('zmq://h', NO_HOST_INFO)).toMatchObject({ kind: 'zmq', host: 'h', subPort: '', pubPort: '' });
    expect(initialForm('ws://h:1', NO_HOST_INFO)).toMatchObject({ kind: 'ws', url: 'ws://h:1' });
    expect(initialForm('ws://h:1', { ...NO_HOST_INFO, hub: 'embedded' })).toMatchObject({ kind: 'embedded' });
  });

  it('names the hub for the status bar', () => {
    expect(hubWords('zmq://h')).toEqual({ fabric: 'Pixotope Data Hub (ZeroMQ)', where: 'h · ports 16201/16202' });
    expect(hubWords('ws://h:1')).toEqual({ fabric: 'Asset Hub hub (WebSocket)', where: 'ws://h:1' });
    expect(hubWords('')).toBeNull();
  });
});
