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
  {
    // core/ is the pure domain: it must not reach for the SDK or Slack (CONVENTIONS.md rule 1).
    files: ['functions/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@aws-sdk/*', '@slack/*', 'node:fs', 'fs', 'node:http', 'http'] },
      ],
    },
  },
  prettier,
);
