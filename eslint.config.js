// Flat config. The boundary rules below say, folder by folder, what each may import: they keep shared/ portable, the
// renderer sandboxed and layered, main/hub free of electron and each service apart from the others. A source file in
// no folder with a rule is an error. scripts/eslint/boundaries.test.ts proves each rule fires.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import boundaries from './scripts/eslint/boundaries.js';

const DOM_GLOBALS = ['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'location', 'HTMLElement', 'fetch', 'alert'];
/** Unit tests run in Node under Vitest: the environment rules (globals) leave them out. */
const UNIT_TESTS = ['**/*.test.ts', '**/*.test.tsx'];

/**
 * One folder's boundary: the project folders (or files) its relative imports may reach (`allow`, plus its own folder
 * when `self` names one folder per match, e.g. each service), whether it may import Node built-ins or electron, and
 * what its tests may reach besides (`tests`). See scripts/eslint/boundaries.js for the patterns.
 */
const area = (name, files, options) => ({
  files,
  plugins: { local: boundaries },
  rules: { 'local/boundaries': ['error', { area: name, ...options }] },
});

/** Tests on the Node side stand up what they test against: the services, the engine, the test harness. */
const NODE_TESTS = ['shared/', 'peer/', 'main/', 'services/', 'scripts/testing/', 'package.json'];
const RENDERER = { node: false, electron: false };
const MAIN = ['shared/', 'peer/', 'services/lib/', 'main/hub/', 'main/lib/', 'main/embedded/'];
const R = 'renderer/src/';

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
  {
    files: ['shared/**/*.ts'],
    ignores: UNIT_TESTS,
    rules: {
      'no-restricted-globals': ['error', ...[...DOM_GLOBALS, 'process', 'Buffer', '__dirname', 'require'].map((name) => ({
        name,
        message: 'shared/ runs anywhere: no DOM and no Node globals',
      }))],
    },
  },
  { files: ['renderer/**/*.{ts,tsx}'], ignores: UNIT_TESTS, languageOptions: { globals: { ...globals.browser } } },
  {
    // What views and the shell send goes through renderer/src/commands: named, typed and checked from the shared schemas.
    files: ['renderer/src/views/**/*.{ts,tsx}', 'renderer/src/shell/**/*.{ts,tsx}'],
    ignores: UNIT_TESTS,
    rules: {
      'no-restricted-syntax': ['error', {
        selector: "MemberExpression[property.name='invoke']",
        message: 'Send through renderer/src/commands (a named command), not the panel API\'s invoke',
      }],
    },
  },

  // Every source file first falls under "no rule"; the folder rules below replace it.
  { files: ['**/*.{js,mjs,cjs,ts,tsx,mts,cts}'], plugins: { local: boundaries }, rules: { 'local/boundaries': ['error', { uncovered: true }] } },

  // Libraries everything builds on.
  area('shared/', ['shared/**'], { allow: ['shared/'], node: false, electron: false, tests: ['scripts/testing/'] }),
  // The hub peer: Node, the shared protocol and the fabric libraries (ws, zeromq); both main/ and services/ use it.
  area('peer/', ['peer/**'], { allow: ['shared/', 'peer/'], electron: false, tests: NODE_TESTS }),

  // The panel's Node side: the engine, then what both hosts share, then each host.
  area('main/hub/', ['main/hub/**'], { allow: ['shared/', 'peer/', 'main/hub/', 'package.json'], electron: false, tests: NODE_TESTS }),
  area('main/lib/', ['main/lib/**'], { allow: ['shared/', 'main/lib/'], electron: false, tests: NODE_TESTS }),
  area('main/embedded/', ['main/embedded/**'], { allow: MAIN, electron: false, tests: NODE_TESTS }),
  area('main/web/', ['main/web/**'], { allow: [...MAIN, 'main/web/'], electron: false, tests: NODE_TESTS }),
  area('main/electron/', ['main/electron/**'], { allow: [...MAIN, 'main/electron/'], tests: NODE_TESTS }),

  // The reference services: each imports only the libraries and itself; the services command, the demo and the
  // test harness put them together.
  area('services/lib/', ['services/lib/**'], { allow: ['shared/', 'peer/', 'services/lib/'], electron: false, tests: NODE_TESTS }),
  area('services/*/', ['services/{server,client,datahub,receiver,gateway}/**'], {
    allow: ['shared/', 'peer/', 'services/lib/', 'package.json'], self: 'services/*/', electron: false, tests: NODE_TESTS,
  }),
  area('services/ (the services command)', ['services/*'], { allow: ['shared/', 'peer/', 'services/'], electron: false }),
  area('services/testing/', ['services/testing/**'], { allow: ['shared/', 'peer/', 'services/'], electron: false }),

  // The renderer, bottom to top: api → store → lib → commands → components → views (each its own folder) → the
  // registry → shell → the app. Views reach neither the shell nor each other; the shell reaches views only through the
  // registry. Views and the shell send through commands/ (named, typed from the shared schemas), never the raw API.
  area(`${R}api/`, [`${R}api/**`], { allow: ['shared/', `${R}api/`], ...RENDERER }),
  area(`${R}store/`, [`${R}store/**`], { allow: ['shared/', `${R}api/`, `${R}store/`], ...RENDERER }),
  area(`${R}lib/`, [`${R}lib/**`], { allow: ['shared/', `${R}api/`, `${R}store/`, `${R}lib/`], ...RENDERER }),
  area(`${R}commands/`, [`${R}commands/**`], { allow: ['shared/', `${R}store/`, `${R}lib/`, `${R}commands/`], ...RENDERER }),
  area(`${R}components/`, [`${R}components/**`], { allow: ['shared/', `${R}lib/`, `${R}components/`], ...RENDERER }),
  area(`${R}views/*/`, [`${R}views/*/**`], {
    allow: ['shared/', `${R}store/`, `${R}lib/`, `${R}commands/`, `${R}components/`], self: `${R}views/*/`, ...RENDERER,
  }),
  area(`${R}views/ (the registry)`, [`${R}views/*`], {
    allow: ['shared/', `${R}store/`, `${R}lib/`, `${R}components/`, `${R}views/*/`], ...RENDERER,
  }),
  area(`${R}shell/`, [`${R}shell/**`], {
    allow: ['shared/', `${R}store/`, `${R}lib/`, `${R}commands/`, `${R}components/`, `${R}shell/`, `${R}views/registry.ts`], ...RENDERER,
  }),
  area(`${R} (the app)`, [`${R}*`], { allow: ['shared/', `${R}api/`, `${R}store/`, `${R}shell/`, `${R}*`], ...RENDERER }),

  // Tools: they drive the product from outside.
  area('bench/', ['bench/**'], { allow: ['bench/', 'shared/', 'peer/', 'services/', 'main/hub/'], electron: false, testSupport: true }),
  area('e2e/', ['e2e/**'], { allow: ['e2e/', 'shared/', 'services/'], testSupport: true }),
  area('scripts/', ['scripts/**'], { allow: ['scripts/'], tests: NODE_TESTS }),
  area('the root configs', ['*'], { allow: ['scripts/', 'e2e/'] }),
);
