/** "Open data folder" in the desktop app: the operating system's file manager, through Electron's shell. */
import type { Shell } from 'electron';
import type { FolderOpener } from '../embedded/open-folder.ts';

export function electronOpener(shell: Pick<Shell, 'openPath'>): FolderOpener {
  return {
    description: 'the file manager',
    async open(dir) {
      // openPath resolves with an error message, or '' when the folder was opened.
      const problem = await shell.openPath(dir);
      if (problem) throw new Error(`could not open ${dir}: ${problem}`);
    },
  };
}
