/**
 * The main window's size and place between runs: saved while it moves or resizes (debounced) and when it closes,
 * restored at start onto a display that exists now, so that a window last seen on a monitor since unplugged (or a
 * resolution since lowered) never opens off-screen. Pure logic and a thin tracker over a typed window; no electron.
 */
import type { WindowBounds } from './settings.ts';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What the tracker needs of a display (Electron's Display has it). */
export interface DisplayArea {
  workArea: Rect;
}

function overlap(a: Rect, b: Rect): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return width > 0 && height > 0 ? width * height : 0;
}

/**
 * The saved bounds made to fit the displays there are now: on the display it overlaps most (the primary one when it
 * overlaps none), no larger than that display's work area and moved wholly inside it. Without a saved position only
 * the size is fitted (to the primary display) and the window opens centred. `maximized` is kept.
 */
export function fitToDisplays(saved: WindowBounds, displays: readonly DisplayArea[], primary: DisplayArea): WindowBounds {
  const fit = (area: Rect, x: number, y: number): WindowBounds => {
    const width = Math.min(saved.width, area.width);
    const height = Math.min(saved.height, area.height);
    return {
      x: Math.min(Math.max(x, area.x), area.x + area.width - width),
      y: Math.min(Math.max(y, area.y), area.y + area.height - height),
      width,
      height,
      ...(saved.maximized !== undefined ? { maximized: saved.maximized } : {}),
    };
  };
  if (saved.x === undefined || saved.y === undefined) {
    const { x: _x, y: _y, ...size } = fit(primary.workArea, primary.workArea.x, primary.workArea.y);
    return size;
  }
  const rect = { x: saved.x, y: saved.y, width: saved.width, height: saved.height };
  let best = primary.workArea;
  let bestOverlap = 0;
  for (const { workArea } of displays) {
    const area = overlap(rect, workArea);
    if (area > bestOverlap) [best, bestOverlap] = [workArea, area];
  }
  // Off every display: centred on the primary one rather than pushed into a corner.
  if (bestOverlap === 0) return fit(best, best.x + Math.round((best.width - saved.width) / 2), best.y + Math.round((best.height - saved.height) / 2));
  return fit(best, saved.x, saved.y);
}

/** The part of Electron's BrowserWindow the tracker uses (a parameter, so tests pass a fake). */
export interface TrackedWindow {
  on(event: 'move' | 'resize' | 'maximize' | 'unmaximize' | 'close', listener: () => void): unknown;
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  isDestroyed(): boolean;
}

/** The bounds to save: the normal (restored) ones even while maximized, and whether it is maximized. */
export function windowBounds(win: TrackedWindow): WindowBounds {
  const b = win.getNormalBounds();
  return { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height), maximized: win.isMaximized() };
}

export const SAVE_DELAY_MS = 500;

/**
 * Calls `save` with the window's bounds `delayMs` after the last move, resize, maximize or unmaximize (a drag sends
 * dozens), and at once on close. Returns a function that drops a pending save.
 */
export function trackWindowState(win: TrackedWindow, save: (bounds: WindowBounds) => void, delayMs = SAVE_DELAY_MS): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  const later = () => {
    cancel();
    timer = setTimeout(() => {
      timer = null;
      if (!win.isDestroyed()) save(windowBounds(win));
    }, delayMs);
  };
  for (const event of ['move', 'resize', 'maximize', 'unmaximize'] as const) win.on(event, later);
  win.on('close', () => {
    cancel();
    save(windowBounds(win));
  });
  return cancel;
}
