/** What the operator chose to look at: the view, the machine filter, the theme. Kept for the session. */
import { create } from 'zustand';

export type ViewId = 'overview' | 'workspaces' | 'repositories' | 'assets' | 'integrations' | 'claims' | 'conflicts' | 'log' | 'connection';
export type Theme = 'dark' | 'light';

export interface UiStore {
  view: ViewId;
  /** Machine names to show; empty = all. */
  machines: string[];
  theme: Theme;
  setView(view: ViewId): void;
  setMachines(machines: string[]): void;
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

export const useUi = create<UiStore>()((set) => ({
  view: (saved('view') as ViewId | null) ?? 'overview',
  machines: [],
  theme: saved('theme') === 'light' ? 'light' : 'dark',
  setView: (view) => {
    save('view', view);
    set({ view });
  },
  setMachines: (machines) => set({ machines }),
  setTheme: (theme) => {
    save('theme', theme);
    set({ theme });
  },
}));
