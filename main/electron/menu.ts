/** The application menu: File (Quit), View (Reload, zoom, DevTools only in development builds), Help (logs, About). */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuOptions {
  isPackaged: boolean;
  isMac: boolean;
  onAbout: () => void;
  onOpenLogs: () => void;
}

export function menuTemplate({ isPackaged, isMac, onAbout, onOpenLogs }: MenuOptions): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions[] = [
    { role: 'reload' },
    { role: 'forceReload' },
    ...(isPackaged ? [] : [{ role: 'toggleDevTools' } as const]),
    { type: 'separator' },
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  return [
    ...(isMac ? [{ role: 'appMenu' } as const] : []),
    { label: '&File', submenu: [isMac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    { label: '&View', submenu: view },
    { label: '&Help', submenu: [{ label: 'Open Logs Folder', click: onOpenLogs }, { type: 'separator' }, { label: 'About Asset Hub Panel', click: onAbout }] },
  ];
}
