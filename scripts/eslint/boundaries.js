// Import boundaries between the project's areas (docs/ARCHITECTURE.md "Layout"), checked on every import, export-from,
// dynamic import and require. Each area names what it may not reach: Node built-ins, electron, or other folders.
import { builtinModules } from 'node:module';
import path from 'node:path';

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** @param {string} spec */
const isBuiltin = (spec) => spec.startsWith('node:') || BUILTINS.has(spec.split('/')[0] ?? spec);
/** @param {string} spec */
const isElectron = (spec) => spec === 'electron' || spec.startsWith('electron/');

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep each area of the project inside its boundary' },
    schema: [
      {
        type: 'object',
        properties: {
          area: { type: 'string' },
          node: { type: 'boolean' },
          electron: { type: 'boolean' },
          folders: { type: 'array', items: { type: 'string' } },
        },
        required: ['area'],
        additionalProperties: false,
      },
    ],
    messages: {
      node: '{{area}} must not import the Node built-in "{{spec}}"',
      electron: '{{area}} must not import electron',
      folder: '{{area}} must not import from {{folder}} ("{{spec}}")',
    },
  },
  create(context) {
    const { area, node = true, electron = true, folders = [] } = context.options[0] ?? {};
    const root = context.cwd;
    const dir = path.dirname(context.filename);

    /** @param {import('estree').Node} node @param {unknown} source */
    function check(at, source) {
      if (typeof source !== 'string') return;
      if (!node && isBuiltin(source)) return context.report({ node: at, messageId: 'node', data: { area, spec: source } });
      if (!electron && isElectron(source)) return context.report({ node: at, messageId: 'electron', data: { area, spec: source } });
      if (!source.startsWith('.')) return;
      const target = path.relative(root, path.resolve(dir, source)).split(path.sep).join('/') + '/';
      const folder = folders.find((f) => target.startsWith(f.endsWith('/') ? f : `${f}/`));
      if (folder) context.report({ node: at, messageId: 'folder', data: { area, folder, spec: source } });
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
