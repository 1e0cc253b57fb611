// One linter config for the whole repository; formatting is prettier's job (eslint-config-prettier turns off the overlap).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** Bundle size: `import { z } from 'zod'` pulls in all of zod's locales (issue #18). */
const ZOD_NAMED_IMPORT = {
  selector: "ImportDeclaration[source.value=/^zod/] > ImportSpecifier[imported.name='z']",
  message: "Use `import * as z from 'zod'` (or 'zod/mini'): the `z` re-export keeps every locale in the bundle.",
};

/**
 * The browser globals the sandbox page's modules use (the `globals` package is not a dependency);
 * a global missing here fails `no-undef`, which keeps the list honest.
 */
const BROWSER_GLOBALS = Object.fromEntries(
  ['document', 'fetch', 'alert', 'setTimeout', 'clearTimeout', 'setInterval', 'Node', 'HTMLElement'].map((name) => [
    name,
    'readonly',
  ]),
);

/**
 * Import boundaries (issue 19; CONVENTIONS.md rule 11; docs/architecture.md): what each folder may
 * import, so dependencies point one way — core ← ports ← services ← handlers; adapters → core, ports;
 * the composition roots (handlers, slack-app, infra, local-runner, sandbox, serve, cli) wire them
 * and never import a root that imports them. Enforced with `no-restricted-imports` on relative
 * specifiers: a specifier is matched by the folder names it walks through, so every folder below
 * forbids the names of the folders it may not reach. Tests and benchmarks may import anything.
 */
const LAYERS = ['core', 'ports', 'services', 'adapters', 'handlers'];
const ADAPTERS = ['aws', 'local', 'sim', 'slack'];
const ROOTS = ['slack-app', 'infra', 'local-runner', 'sandbox', 'serve', 'cli', 'bench', 'test', 'bin'];
/** A relative specifier that passes through a folder named one of `names`. */
const through = (names) => `^\\.{1,2}/(?:.*/)?(?:${names.join('|')})(?:/|$)`;
const PURE = {
  group: ['@aws-sdk/*', '@slack/*', 'node:fs', 'fs', 'node:http', 'http'],
  message: 'core/ is pure: no SDK, Slack, file or network I/O (CONVENTIONS.md rule 1).',
};

function boundary(folder, may, { forbid = [], extra = [] } = {}) {
  const forbidden = [...LAYERS, ...ROOTS, ...forbid].filter((name) => !may.includes(name));
  const files = [`${folder}/**/*.ts`];
  const message = `${folder}/ may import only from ${may.join(', ')} (dependencies point one way: docs/architecture.md).`;
  return {
    files,
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: through(forbidden), message }, ...extra] }] },
  };
}

const ALL_FUNCTIONS = LAYERS;
const IMPORT_BOUNDARIES = [
  boundary('functions/core', ['core'], { extra: [PURE] }),
  boundary('functions/ports', ['core', 'ports']),
  boundary('functions/services', ['core', 'ports', 'services']),
  ...ADAPTERS.map((adapter) =>
    boundary(`functions/adapters/${adapter}`, ['core', 'ports', adapter], { forbid: ADAPTERS }),
  ),
  boundary('functions/handlers', [...ALL_FUNCTIONS]),
  boundary('infra', ['core', 'handlers', 'infra'], {
    extra: [
      {
        regex: '^\\.{1,2}/(?:.*/)?handlers/(?!task-ids$)',
        message:
          'infra/ takes only the task ids from functions/handlers; shared names are in functions/core/shared-names.ts (loading a handler loads its SDK clients).',
      },
      { group: ['@aws-sdk/*'], message: 'infra/ synthesizes templates; it never calls AWS.' },
    ],
  }),
  boundary('slack-app', ['core', 'ports', 'services', 'adapters', 'slack-app']),
  boundary('local-runner', [...ALL_FUNCTIONS, 'infra', 'local-runner']),
  boundary('sandbox', [...ALL_FUNCTIONS, 'slack-app', 'local-runner', 'sandbox']),
  boundary('serve', [...ALL_FUNCTIONS, 'slack-app', 'local-runner', 'sandbox', 'serve']),
  boundary('cli', [...ALL_FUNCTIONS, 'local-runner', 'sandbox', 'serve', 'cli']),
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'cdk.out/',
      '.rootkey/',
      'coverage/',
      'bench/results/',
      '**/*.js',
      '**/*.mjs',
      // The sandbox page's browser modules are source, linted below.
      '!sandbox/web/**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: 'error',
      'no-restricted-syntax': ['error', ZOD_NAMED_IMPORT],
    },
  },
  {
    // The sandbox page: browser ES modules with JSDoc types, type-aware through their own tsconfig
    // (browser globals only, checked by `tsc -p sandbox/web/tsconfig.json` in `npm run lint`).
    files: ['sandbox/web/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: BROWSER_GLOBALS,
      parserOptions: { project: './sandbox/web/tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: 'error',
      // Elements are built as nodes (dom.js), never parsed from strings a message could inject into.
      'no-restricted-properties': [
        'error',
        { property: 'outerHTML', message: 'Build nodes with el() instead.' },
        { property: 'insertAdjacentHTML', message: 'Build nodes with el() instead.' },
      ],
    },
  },
  ...IMPORT_BOUNDARIES,
  prettier,
);
