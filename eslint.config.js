// Flat config. The boundary rules below are what keeps shared/ portable, the renderer sandboxed and main/hub free of
// electron; scripts/eslint/boundaries.test.ts proves each one fires.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import boundaries from './scripts/eslint/boundaries.js';

const DOM_GLOBALS = ['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'location', 'HTMLElement', 'fetch', 'alert'];

/** Product code of one area; its tests run in Node under Vitest and are exempt. */
const area = (files, options, { globals: areaGlobals, rules = {} } = {}) => ({
  files,
  ignores: ['**/*.test.ts', '**/*.test.tsx'],
  plugins: { local: boundaries },
  ...(areaGlobals ? { languageOptions: { globals: areaGlobals } } : {}),
  rules: { 'local/boundaries': ['error', options], ...rules },
});

export default tseslint.config(
  { ignores: ['node_modules/', 'app/dist/', 'test-results/', 'playwright-report/', 'scripts/eslint/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  area(['shared/**/*.ts'], { area: 'shared/', node: false, electron: false, folders: ['peer', 'main', 'renderer', 'services', 'e2e', 'bench'] }, {
    rules: {
      'no-restricted-globals': ['error', ...[...DOM_GLOBALS, 'process', 'Buffer', '__dirname', 'require'].map((name) => ({
        name,
        message: 'shared/ runs anywhere: no DOM and no Node globals',
      }))],
    },
  }),
  // The hub peer: Node, the shared protocol and the fabric libraries (ws, zeromq); both main/ and services/ use it.
  area(['peer/**/*.ts'], { area: 'peer/', electron: false, folders: ['main', 'renderer', 'services', 'e2e', 'bench', 'scripts'] }),
  area(['renderer/**/*.{ts,tsx}'], { area: 'renderer/', node: false, electron: false, folders: ['peer', 'main', 'services'] }, {
    globals: { ...globals.browser },
  }),
  area(['main/hub/**/*.ts'], { area: 'main/hub/', electron: false, folders: ['renderer', 'main/electron', 'main/web'] }),
  area(['main/web/**/*.ts'], { area: 'main/web/', electron: false, folders: ['renderer', 'main/electron'] }),
  area(['main/electron/**/*.ts'], { area: 'main/electron/', folders: ['renderer'] }),
  area(['services/**/*.ts'], { area: 'services/', electron: false, folders: ['main', 'renderer'] }),
);
