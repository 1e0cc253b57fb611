// One linter config for the whole repository; formatting is prettier's job (eslint-config-prettier turns off the overlap).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** Bundle size: `import { z } from 'zod'` pulls in all of zod's locales (issue #18). */
const ZOD_NAMED_IMPORT = {
  selector: "ImportDeclaration[source.value=/^zod/] > ImportSpecifier[imported.name='z']",
  message: "Use `import * as z from 'zod'` (or 'zod/mini'): the `z` re-export keeps every locale in the bundle.",
};

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'cdk.out/', '.rootkey/', 'coverage/', 'bench/results/', '**/*.js', '**/*.mjs'],
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
