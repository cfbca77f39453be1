// Import boundaries between the project's folders (README "Layout"), checked on every import, export-from, dynamic
// import and require. Each folder's rule is an allow-list: the project folders its relative imports may reach, and
// whether it may import Node built-ins or electron. A file that no folder's rule covers is itself an error, so a new
// folder needs a rule (eslint.config.js). Tests (and the test helpers in `testing/` folders) may reach more, their
// folder's `tests` list, and any package; other code may not import test support unless its rule says `testSupport`.
import { builtinModules } from 'node:module';
import path from 'node:path';

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** @param {string} spec */
const isBuiltin = (spec) => spec.startsWith('node:') || BUILTINS.has(spec.split('/')[0] ?? spec);
/** @param {string} spec */
const isElectron = (spec) => spec === 'electron' || spec.startsWith('electron/');

/**
 * Tests and the helpers only tests use, wherever they sit: their rule is their folder's, widened by its `tests` list.
 * Helpers live in a `testing/` folder beside the code they help test (`services/testing/`, `scripts/testing/` and
 * those deeper, e.g. `services/server/chunks/testing/`).
 */
export const TEST_FILES = ['**/*.test.ts', '**/*.test.tsx', '**/testing/'];

/**
 * A project path pattern: `*` is one path segment, `**` any number; a pattern ending in `/` is a folder and matches
 * everything under it, any other names files.
 * @param {string} pattern
 */
function matcher(pattern) {
  const folder = pattern.endsWith('/');
  const body = pattern
    .split(/(\*\*\/|\*\*|\*)/)
    .map((part) => (part === '**/' ? '(?:.*/)?' : part === '**' ? '.*' : part === '*' ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const re = new RegExp(`^${body}${folder ? '' : '$'}`);
  return folder ? (/** @type {string} */ p) => re.test(`${p}/`) : (/** @type {string} */ p) => re.test(p);
}

/** @param {readonly string[]} patterns */
const anyOf = (patterns) => {
  const tests = patterns.map(matcher);
  return (/** @type {string} */ p) => tests.some((t) => t(p));
};

/** Test support: what only tests, test support, bench and e2e may import. */
const isTestFile = anyOf(TEST_FILES);

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep each folder of the project to the imports its rule allows' },
    schema: [
      {
        type: 'object',
        properties: {
          area: { type: 'string' },
          allow: { type: 'array', items: { type: 'string' } },
          self: { type: 'string' },
          tests: { type: 'array', items: { type: 'string' } },
          testSupport: { type: 'boolean' },
          node: { type: 'boolean' },
          electron: { type: 'boolean' },
          uncovered: { type: 'boolean' },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      node: '{{area}} must not import the Node built-in "{{spec}}"',
      electron: '{{area}} must not import electron',
      folder: '{{area}} may not import {{target}} ("{{spec}}"); it may import {{allowed}}',
      outside: '{{area}} may not import from outside the project ("{{spec}}")',
      support: '{{area}} may not import the test support {{target}} ("{{spec}}"): only tests, bench and e2e may',
      uncovered: '{{file}} is in no folder with an import boundary: give its folder a rule in eslint.config.js',
    },
  },
  create(context) {
    const { area = '?', allow = [], self, tests = [], testSupport = false, node = true, electron = true, uncovered = false } = context.options[0] ?? {};
    const root = context.cwd;
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    if (uncovered) {
      return { Program: () => context.report({ loc: { line: 1, column: 0 }, messageId: 'uncovered', data: { file } }) };
    }
    const test = isTestFile(file);
    const mayUseSupport = test || testSupport;
    /** The file's own folder when the rule has one per folder matching `self` (a view, a service). */
    const own = self ? new RegExp(`^${self.replace(/\*/g, '[^/]+')}`).exec(file)?.[0] : undefined;
    const allowed = [...allow, ...(own ? [own] : []), ...(test ? tests : [])];
    const label = own ?? area;
    const isAllowed = anyOf(allowed);
    const allowedText = allowed.join(', ');

    /** @param {import('estree').Node} at @param {unknown} source */
    function check(at, source) {
      if (typeof source !== 'string') return;
      if (!test && !node && isBuiltin(source)) return context.report({ node: at, messageId: 'node', data: { area: label, spec: source } });
      if (!test && !electron && isElectron(source)) return context.report({ node: at, messageId: 'electron', data: { area: label, spec: source } });
      if (!source.startsWith('.')) return;
      const target = path.relative(root, path.resolve(path.dirname(context.filename), source.split('?')[0] ?? source)).split(path.sep).join('/');
      const data = { area: label, spec: source, target, allowed: allowedText };
      if (target.startsWith('../') || target === '..') return context.report({ node: at, messageId: 'outside', data });
      if (!isAllowed(target)) return context.report({ node: at, messageId: 'folder', data });
      if (!mayUseSupport && isTestFile(target)) context.report({ node: at, messageId: 'support', data });
    }

    return {
      ImportDeclaration: (n) => check(n.source, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n.source, n.source.value),
      ExportAllDeclaration: (n) => check(n.source, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n.source, n.source.value),
      CallExpression: (n) => {
        if (n.callee.type === 'Identifier' && n.callee.name === 'require' && n.arguments[0]?.type === 'Literal') {
          check(n.arguments[0], n.arguments[0].value);
        }
      },
    };
  },
};

export default { rules: { boundaries: rule } };
