/**
 * The Connection view's "change hub" form as plain data: what the operator typed, checked field by field, and the
 * hub choice it makes. The fabric is named the way operators know it: Pixotope's ZeroMQ Data Hub (a host, its ports
 * optional) or this project's WebSocket hub (a URL and a token), or the embedded demo services.
 */
import type { HostInfo, HubChoice } from '../../../shared/panel/api.ts';
import {
  FABRIC_LABEL, PIXOTOPE_PUB_PORT, PIXOTOPE_SUB_PORT, describeHub, parseHubAddress, zmqHubUrl,
} from '../../../shared/protocol/index.ts';

export type HubKind = 'zmq' | 'ws' | 'embedded';

export interface HubForm {
  kind: HubKind;
  host: string;
  subPort: string;
  pubPort: string;
  url: string;
  token: string;
}

export type FormField = 'host' | 'subPort' | 'pubPort' | 'url' | 'token';

export type FormCheck =
  | { ok: true; choice: HubChoice; target: string }
  | { ok: false; problems: Partial<Record<FormField, string>> };

export const KIND_LABEL: Record<HubKind, string> = {
  zmq: FABRIC_LABEL.zmq,
  ws: FABRIC_LABEL.ws,
  embedded: 'Embedded demo services (on this machine)',
};

/** The form as it opens: the current hub's fields, or a Pixotope Data Hub on this machine. */
export function initialForm(hubUrl: string, host: HostInfo): HubForm {
  const form: HubForm = { kind: 'zmq', host: '127.0.0.1', subPort: '', pubPort: '', url: '', token: '' };
  if (host.hub === 'embedded') return { ...form, kind: 'embedded' };
  const address = parseHubAddress(hubUrl);
  if (!address.ok) return form;
  if (address.value.fabric === 'ws') return { ...form, kind: 'ws', url: address.value.url };
  const { host: h, subPort, pubPort } = address.value;
  return { ...form, host: h, subPort: subPort === PIXOTOPE_SUB_PORT ? '' : String(subPort), pubPort: pubPort === PIXOTOPE_PUB_PORT ? '' : String(pubPort) };
}

function portProblem(text: string): string | null {
  if (text.trim() === '') return null;
  return /^\d{1,5}$/.test(text.trim()) && Number(text) >= 1 && Number(text) <= 65535 ? null : 'a TCP port: 1 to 65535';
}

/** Checks the form; every problem is named by its field so it shows beside it. */
export function checkForm(form: HubForm): FormCheck {
  if (form.kind === 'embedded') return { ok: true, choice: { kind: 'embedded' }, target: KIND_LABEL.embedded };
  if (form.kind === 'ws') {
    const url = form.url.trim();
    if (url === '') return { ok: false, problems: { url: 'the hub URL, e.g. ws://studio-hub:16209' } };
    const address = parseHubAddress(url);
    if (!address.ok || address.value.fabric !== 'ws') return { ok: false, problems: { url: address.ok ? 'a WebSocket hub URL starts with ws:// or wss://' : address.error } };
    const token = form.token.trim();
    return { ok: true, choice: { kind: 'hub', hubUrl: address.value.url, ...(token ? { token } : {}) }, target: describeHub(address.value) };
  }
  const problems: Partial<Record<FormField, string>> = {};
  const host = form.host.trim();
  if (host === '') problems.host = 'the Data Hub machine: a host name or an IP address';
  else if (/[\s/?#@]/.test(host) || (host.includes(':') && !/^\[?[0-9A-Fa-f:.]+\]?$/.test(host))) problems.host = 'a host name or an IP address, without a port or path';
  const sub = portProblem(form.subPort);
  const pub = portProblem(form.pubPort);
  if (sub) problems.subPort = sub;
  if (pub) problems.pubPort = pub;
  if (Object.keys(problems).length > 0) return { ok: false, problems };
  const url = zmqHubUrl(host, form.subPort.trim() ? Number(form.subPort) : PIXOTOPE_SUB_PORT, form.pubPort.trim() ? Number(form.pubPort) : PIXOTOPE_PUB_PORT);
  const address = parseHubAddress(url);
  if (!address.ok) return { ok: false, problems: /sub and pub/.test(address.error) ? { pubPort: address.error } : { host: address.error } };
  return { ok: true, choice: { kind: 'hub', hubUrl: address.value.url }, target: describeHub(address.value) };
}

/** The hub as the status bar and the Connection view name it: its fabric and where it is. */
export function hubWords(hubUrl: string): { fabric: string; where: string } | null {
  const address = parseHubAddress(hubUrl);
  if (!address.ok) return null;
  if (address.value.fabric === 'ws') return { fabric: FABRIC_LABEL.ws, where: address.value.url };
  return { fabric: FABRIC_LABEL.zmq, where: `${address.value.host} · ports ${address.value.subPort}/${address.value.pubPort}` };
}

/** The hub form's element id: the shell's change-hub control takes the keyboard focus there. */
export const HUB_FORM_ID = 'hub-form';
