/**
 * Which hub the panel is on, for both hosts (Electron, the browser host): the embedded reference services, or a hub
 * the operator chose by address (this project's WebSocket hub, or a ZeroMQ Data Hub such as Pixotope's). It is the
 * host's side of the panel API's `chooseHub` command and its `host` info.
 * - At start: the command line's hub (this run only), else the remembered one, else, when a Data Hub answers on this
 *   machine's Pixotope ports, nothing yet but an offer to join it (the operator picks it or the demo), else the demo.
 * - A change of hub stops the embedded services when leaving them (their data stays in their folder) and starts them
 *   when coming back; every change is remembered for the next start through the host's settings.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isNetworkOrDevicePath } from '../../shared/assethub/paths.ts';
import { describeHub, parseHubAddress } from '../../shared/protocol/index.ts';
import type { HostInfo, HubChoice } from '../../shared/panel/api.ts';
import { hubAnswers } from '../../peer/index.ts';
import { dispatchCommand, EngineError, type PanelEngine } from '../hub/index.ts';
import type { PanelHost } from '../hub/engine.ts';
import { dataFolderBusy, dataFolderBusyIn, dataFolderLine, type DataFolder } from './data-folder.ts';
import type { FolderOpener } from './open-folder.ts';
import { ServicesSupervisor, type SupervisorOptions } from './supervisor.ts';
import { EMBEDDED_CLIENTS, type DemoReceiver } from './services.ts';

/** Folders that a desktop runs rather than shows (macOS bundles). */
const BUNDLE = /\.(?:app|bundle|framework|plugin|kext|pkg|mpkg|prefPane|appex|workflow)$/i;

/**
 * Why a workspace path is not opened before anything touches it: a relative path, or a network or device path
 * (`\\host\share`, `//host`, `\\?\…`, `\\.\…`), which merely looking at would connect to another machine.
 */
export function folderProblem(folder: string): string | null {
  if (isNetworkOrDevicePath(folder)) return `${folder} is a network or device path: the panel opens folders on this machine's disks only`;
  if (!path.isAbsolute(folder)) return `${folder} is not an absolute path`;
  return null;
}

export interface HubChoiceOptions {
  engine: PanelEngine;
  /** The embedded services when they are chosen (their token is made here: other local programs cannot join them). */
  embedded: Omit<SupervisorOptions, 'onReady' | 'onCrash' | 'onRestartFailed' | 'token' | 'demo' | 'dataDir'> & { fabric: 'ws' | 'zmq' };
  /** Where the embedded services keep their data (data-folder.ts); the host disposes of it when it stops. */
  dataFolder: DataFolder;
  /** Opens the data folder on the operator's desktop; null: this host cannot (the panel shows the path to copy). */
  openFolder: FolderOpener | null;
  /** Stores the choice for the next start (null: the embedded services); says whether it could and what to know. */
  remember(choice: { hubUrl: string | null; token: string | null }): { remembered: boolean; note: string | null };
  /** Where a Pixotope Data Hub would answer on this machine; null: do not look. */
  localHub: string | null;
  say(line: string): void;
  warn(line: string): void;
}

export interface StartChoice {
  hubUrl?: string;
  token?: string;
  /** Where `hubUrl` came from: the command line (this run only) or the remembered settings. */
  from?: 'command line' | 'settings';
  /** The operator chose the embedded services before: start them without looking for a Data Hub on this machine. */
  embeddedChosen?: boolean;
}

export class HubChooser implements PanelHost {
  private supervisor: ServicesSupervisor | null = null;
  private embeddedUrl: string | null = null;
  private readonly embeddedToken = randomBytes(24).toString('base64url');
  private state: HostInfo;

  constructor(private readonly options: HubChoiceOptions) {
    this.state = {
      canChoose: true, hub: 'none', offer: null, remembered: false, note: null, switching: null, folders: null, demoReceiver: null,
      embedded: this.embeddedInfo(false),
    };
    options.engine.attachHost(this);
  }

  info(): HostInfo {
    const receiver = this.demoReceiver();
    return { ...this.state, folders: this.folders(), demoReceiver: receiver && { url: receiver.url } };
  }

  /** The demo receiver of the embedded services, as they reported it, while they run and the panel is on them. */
  private demoReceiver(): DemoReceiver | null {
    return this.supervisor && this.state.hub === 'embedded' ? (this.supervisor.current?.demoReceiver ?? null) : null;
  }

  demoReceiverAdmin(): string | null {
    return this.demoReceiver()?.adminBase ?? null;
  }

  /** This machine's workspace folders, and the embedded clients' while they run (their folders are on this disk). */
  private folders(): HostInfo['folders'] {
    const opener = this.options.openFolder;
    if (!opener) return null;
    const machines = [os.hostname(), ...(this.supervisor && this.state.hub === 'embedded' ? EMBEDDED_CLIENTS : [])];
    return { opensWith: opener.description, machines };
  }

  async openWorkspaceFolder(machine: string, folder: string): Promise<void> {
    const folders = this.folders();
    if (!folders) throw new EngineError('NOT_SUPPORTED', 'this panel host cannot open folders on your desktop: copy the path instead');
    // Machine names are compared as Windows compares computer names: without case.
    if (!folders.machines.some((m) => m.toLowerCase() === machine.toLowerCase())) {
      throw new EngineError('NOT_SUPPORTED', `${machine} is another machine: its folders are on its own disk, copy the path instead`);
    }
    const problem = folderProblem(folder);
    if (problem) throw new EngineError('INVALID_ARGS', problem);
    // Only a folder, where it really is: the desktop would run a file (or an app bundle) it is asked to open.
    const real = await realpath(folder).catch(() => null);
    const kind = real === null ? 'missing' : await stat(real).then((s) => (s.isDirectory() ? 'folder' : 'not a folder'), () => 'missing');
    if (kind !== 'folder' || real === null) throw new EngineError('NOT_FOUND', kind === 'missing' ? `${folder} is not on this disk` : `${folder} is not a folder`);
    if (BUNDLE.test(real)) throw new EngineError('INVALID_ARGS', `${folder} is an application bundle: opening it would run it`);
    await this.options.openFolder?.open(real).catch((error: unknown) => {
      throw new EngineError('OPEN_FAILED', error instanceof Error ? error.message : String(error));
    });
  }

  /** The embedded services' hub address while they run. */
  get embeddedHubUrl(): string | null {
    return this.embeddedUrl;
  }

  /** The embedded services now running (their pid), if any. */
  get services(): ServicesSupervisor | null {
    return this.supervisor;
  }

  /** The hub the panel starts on; resolves once it is chosen (and the embedded services are up, when they are). */
  async start(initial: StartChoice): Promise<void> {
    if (initial.hubUrl) {
      this.update({ hub: 'chosen', remembered: initial.from === 'settings', note: initial.from === 'command line' ? 'given on the command line: this run only' : null });
      await this.connect(initial.hubUrl, initial.token);
      return;
    }
    const local = this.options.localHub;
    if (initial.embeddedChosen) this.update({ remembered: true });
    else if (local !== null && (await hubAnswers(local))) {
      const parsed = parseHubAddress(local);
      const description = parsed.ok ? describeHub(parsed.value) : local;
      this.options.say(`a Data Hub answers on this machine (${description}): the panel offers to join it instead of starting the demo`);
      this.update({ offer: { hubUrl: local, description } });
      return;
    }
    await this.startEmbedded();
  }

  async choose(choice: HubChoice): Promise<void> {
    if (choice.kind === 'embedded') {
      this.update({ offer: null, switching: { to: 'the embedded services', error: null } });
      try {
        await this.startEmbedded();
      } catch (error) {
        this.update({ switching: { to: 'the embedded services', error: error instanceof Error ? error.message : String(error) } });
        throw error;
      }
      this.update({ switching: null, ...this.options.remember({ hubUrl: null, token: null }) });
      return;
    }
    const address = parseHubAddress(choice.hubUrl);
    if (!address.ok) throw new EngineError('INVALID_ARGS', address.error);
    const url = address.value.url;
    this.update({ offer: null, switching: { to: url, error: null } });
    await this.stopEmbedded();
    await this.connect(url, choice.token);
    this.update({ hub: 'chosen', switching: null, ...this.options.remember({ hubUrl: url, token: choice.token ?? null }) });
  }

  async stop(): Promise<void> {
    await this.stopEmbedded();
  }

  async openDataFolder(): Promise<void> {
    const opener = this.options.openFolder;
    if (!opener) throw new EngineError('NOT_SUPPORTED', 'this panel host cannot open folders on your desktop: copy the path instead');
    const { dir } = this.options.dataFolder;
    // Before the services' first start the folder may not exist yet.
    await mkdir(dir, { recursive: true });
    await opener.open(dir).catch((error: unknown) => {
      throw new EngineError('OPEN_FAILED', error instanceof Error ? error.message : String(error));
    });
  }

  private embeddedInfo(running: boolean): NonNullable<HostInfo['embedded']> {
    const { dir, ephemeral } = this.options.dataFolder;
    return { fabric: this.options.embedded.fabric, running, dataDir: dir, ephemeral, opensWith: this.options.openFolder?.description ?? null };
  }

  private update(fields: Partial<HostInfo>): void {
    this.state = { ...this.state, ...fields };
    this.options.engine.hostChanged();
  }

  /** The `connect` command, validated like one from the renderer; a refusal is an error with the engine's code. */
  private async connect(hubUrl: string, token?: string): Promise<void> {
    this.options.say(`connecting to ${hubUrl}`);
    const response = await dispatchCommand(this.options.engine, 0, 'connect', { hubUrl, ...(token ? { token } : {}) });
    if (!response.ok) throw new EngineError(response.error.code, response.error.message);
  }

  private async startEmbedded(): Promise<void> {
    if (this.supervisor && this.embeddedUrl) {
      this.update({ hub: 'embedded' });
      await this.connect(this.embeddedUrl, this.embeddedToken);
      return;
    }
    const folder = this.options.dataFolder;
    const busy = dataFolderBusy(folder);
    if (busy) throw new Error(busy);
    this.options.say(dataFolderLine(folder));
    const supervisor = new ServicesSupervisor({
      ...this.options.embedded,
      dataDir: folder.dir,
      demo: true,
      token: this.embeddedToken,
      onReady: async (services, restart) => {
        this.embeddedUrl = services.hubUrl;
        this.update({ embedded: this.embeddedInfo(true) });
        const pid = services.child.pid ?? 0;
        this.options.say(restart ? `Asset Hub services restarted (pid ${pid}) on ${services.hubUrl}` : `Asset Hub services (pid ${pid}) ready on ${services.hubUrl}`);
        if (services.gatewayUrl && !restart) this.options.say(`Pixotope Gateway on ${services.gatewayUrl} (any version)`);
        // After a restart on the same address the engine reconnects by itself; a new address needs a new connect.
        if (this.supervisor === supervisor && (!restart || services.hubUrl !== this.options.engine.snapshot().connection.hubUrl)) {
          await this.connect(services.hubUrl, this.embeddedToken).catch((error: unknown) => {
            this.options.warn(`could not connect the panel to ${services.hubUrl}: ${error instanceof Error ? error.message : String(error)}`);
          });
        }
      },
      onCrash: (how, wait, lastOutput) => {
        this.update({ embedded: this.embeddedInfo(false) });
        this.options.warn(`Asset Hub services ended (${how}); restarting in ${wait / 1000} s. Last output:\n${lastOutput.split('\n').slice(-10).join('\n')}`);
      },
      onRestartFailed: (error, wait) => this.options.warn(`Asset Hub services did not restart (${error.message}); next try in ${wait / 1000} s`),
    });
    this.supervisor = supervisor;
    this.update({ hub: 'embedded' });
    try {
      await supervisor.start();
    } catch (error) {
      if (this.supervisor === supervisor) this.supervisor = null;
      const busyNow = dataFolderBusyIn(error, folder);
      throw busyNow ? new Error(busyNow) : error;
    }
  }

  private async stopEmbedded(): Promise<void> {
    const supervisor = this.supervisor;
    if (!supervisor) return;
    this.supervisor = null;
    this.embeddedUrl = null;
    const { dir, ephemeral } = this.options.dataFolder;
    this.options.say(`stopping the embedded services (${ephemeral ? 'their temporary folder goes when the panel stops' : `their data stays in ${dir}`})`);
    await supervisor.stop();
    this.update({ embedded: this.embeddedInfo(false) });
  }
}
