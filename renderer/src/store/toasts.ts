/**
 * Toasts: failures carry the service's code and message; they and warnings (done, but with something to look at) stay
 * until dismissed. Notices fade by themselves.
 */
import { create } from 'zustand';

export interface Toast {
  id: number;
  kind: 'error' | 'warning' | 'success' | 'info';
  title: string;
  /** The service's Failure code, when the toast reports one. */
  code?: string;
  message: string;
}

interface ToastStore {
  toasts: Toast[];
  push(toast: Omit<Toast, 'id'>): void;
  dismiss(id: number): void;
}

let next = 1;
const NOTICE_MS = 6000;

export const useToasts = create<ToastStore>()((set, get) => ({
  toasts: [],
  push(toast) {
    const id = next++;
    // Keep the newest 6: a burst of failures must not cover the screen.
    set({ toasts: [...get().toasts, { ...toast, id }].slice(-6) });
    if (toast.kind === 'success' || toast.kind === 'info') setTimeout(() => get().dismiss(id), NOTICE_MS);
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
}));
