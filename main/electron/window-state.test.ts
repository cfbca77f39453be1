// The window's remembered place: fitted to the displays there are now, saved debounced while it moves and at close.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WindowBounds } from './settings.ts';
import { fitToDisplays, trackWindowState, type Rect } from './window-state.ts';

const display = (x: number, y: number, width: number, height: number) => ({ workArea: { x, y, width, height } });
const laptop = display(0, 0, 1440, 875); // the primary one, a menu bar and a dock taken off
const monitor = display(1440, -200, 2560, 1400); // to its right, higher up

describe('fitToDisplays', () => {
  it('keeps a window that fits where it was', () => {
    const saved = { x: 1600, y: 0, width: 1400, height: 900, maximized: false };
    expect(fitToDisplays(saved, [laptop, monitor], laptop)).toEqual(saved);
  });

  it('moves a window last seen on a monitor since unplugged onto the primary display, centred and shrunk to fit', () => {
    const saved = { x: 1600, y: 0, width: 1400, height: 900, maximized: true };
    expect(fitToDisplays(saved, [laptop], laptop)).toEqual({ x: 20, y: 0, width: 1400, height: 875, maximized: true });
  });

  it('pulls a window hanging off an edge wholly onto the display it overlaps most', () => {
    expect(fitToDisplays({ x: 3800, y: 1000, width: 800, height: 600 }, [laptop, monitor], laptop)).toEqual({ x: 3200, y: 600, width: 800, height: 600 });
    expect(fitToDisplays({ x: -300, y: -50, width: 800, height: 600 }, [laptop, monitor], laptop)).toEqual({ x: 0, y: 0, width: 800, height: 600 });
  });

  it('never leaves any part of the window off its display', () => {
    const areas = [laptop, monitor];
    for (const x of [-5000, -800, 0, 700, 1439, 2000, 3999, 9000]) {
      for (const y of [-3000, -201, 0, 500, 874, 5000]) {
        const fitted = fitToDisplays({ x, y, width: 1600, height: 1000 }, areas, laptop);
        const inside = areas.some(({ workArea: a }) =>
          (fitted.x ?? NaN) >= a.x && (fitted.y ?? NaN) >= a.y && (fitted.x ?? 0) + fitted.width <= a.x + a.width && (fitted.y ?? 0) + fitted.height <= a.y + a.height);
        expect(inside, `from ${x},${y}`).toBe(true);
      }
    }
  });

  it('without a saved position fits only the size (the window opens centred)', () => {
    expect(fitToDisplays({ width: 3000, height: 500 }, [laptop, monitor], laptop)).toEqual({ width: 1440, height: 500 });
  });
});

describe('trackWindowState', () => {
  class FakeWindow extends EventEmitter {
    bounds: Rect = { x: 10, y: 20, width: 1200, height: 800 };
    maximized = false;
    destroyed = false;
    getNormalBounds = () => this.bounds;
    isMaximized = () => this.maximized;
    isDestroyed = () => this.destroyed;
  }
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('saves once after a burst of moves and resizes settles', () => {
    const win = new FakeWindow();
    const saved: WindowBounds[] = [];
    trackWindowState(win, (b) => saved.push(b), 500);
    for (let i = 0; i < 30; i++) {
      win.bounds = { ...win.bounds, x: 10 + i };
      win.emit(i % 2 ? 'move' : 'resize');
      vi.advanceTimersByTime(100);
    }
    expect(saved).toEqual([]);
    vi.advanceTimersByTime(500);
    expect(saved).toEqual([{ x: 39, y: 20, width: 1200, height: 800, maximized: false }]);
  });

  it('saves the normal bounds and the maximized state when maximized', () => {
    const win = new FakeWindow();
    const saved: WindowBounds[] = [];
    trackWindowState(win, (b) => saved.push(b), 500);
    win.maximized = true;
    win.emit('maximize');
    vi.advanceTimersByTime(500);
    expect(saved).toEqual([{ x: 10, y: 20, width: 1200, height: 800, maximized: true }]);
  });

  it('saves at once on close and drops the pending save', () => {
    const win = new FakeWindow();
    const saved: WindowBounds[] = [];
    trackWindowState(win, (b) => saved.push(b), 500);
    win.emit('move');
    win.emit('close');
    expect(saved).toHaveLength(1);
    win.destroyed = true;
    vi.advanceTimersByTime(1_000);
    expect(saved).toHaveLength(1);
  });
});
