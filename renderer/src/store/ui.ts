/** What the operator chose to look at: the view, the machine filter, the theme. Kept for the session (a reload keeps it). */
import { create } from 'zustand';

export type ViewId = 'overview' | 'workspaces' | 'repositories' | 'assets' | 'integrations' | 'claims' | 'conflicts' | 'log' | 'connection';
export type Theme = 'dark' | 'light';

export interface UiStore {
  view: ViewId;
  /** The machine filter's text (a name, or part of names: see machineMatcher); empty = all. */
  machines: string[];
  /** The one-word state the Overview and Workspaces show (machine-state.ts STATE_WORDS); empty = all. */
  machineState: string;
  theme: Theme;
  setView(view: ViewId): void;
  setMachines(machines: string[]): void;
  setMachineState(state: string): void;
  setTheme(theme: Theme): void;
}

const saved = (key: string): string | null => {
  try {
    return sessionStorage.getItem(`assethub.${key}`);
  } catch {
    return null;
  }
};
const save = (key: string, value: string) => {
  try {
    sessionStorage.setItem(`assethub.${key}`, value);
  } catch {
    // Storage may be unavailable (private mode): the choice just does not survive a reload.
  }
};

/** The saved machine filter, if it is one: a short list of names (storage is the page's, but read it as untrusted). */
export function savedMachines(text: string | null): string[] {
  try {
    const value: unknown = JSON.parse(text ?? '[]');
    return Array.isArray(value) && value.length <= 200 && value.every((m) => typeof m === 'string' && m.length > 0 && m.length <= 256) ? value : [];
  } catch {
    return [];
  }
}

export const useUi = create<UiStore>()((set) => ({
  view: (saved('view') as ViewId | null) ?? 'overview',
  machines: savedMachines(saved('machines')),
  machineState: (saved('machineState') ?? '').slice(0, 32),
  theme: saved('theme') === 'light' ? 'light' : 'dark',
  setView: (view) => {
    save('view', view);
    set({ view });
  },
  setMachines: (machines) => {
    save('machines', JSON.stringify(machines));
    set({ machines });
  },
  setMachineState: (machineState) => {
    save('machineState', machineState);
    set({ machineState });
  },
  setTheme: (theme) => {
    save('theme', theme);
    set({ theme });
  },
}));
