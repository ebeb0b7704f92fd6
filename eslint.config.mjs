// Lint for the hand-written code. Generated output (generated/, fixtures' generated/) is excluded:
// it carries an eslint-disable header and is checked by tsc and golden tests instead.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'runtime/dist/**', 'generated/**', 'test/fixtures/*/generated/**', 'bench/results/**', 'node_modules/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      // Unused code is dead code; a leading underscore marks a parameter kept for a signature.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // The runtime requires each instrumentation and exporter lazily, only when the manifest and the
    // environment ask for it, so start-up loads nothing else; so does each CLI verb with the modules
    // that do its work (spanwright --help loads no ts-morph); bench loads the compiled dist/ on purpose.
    files: ['runtime/**/*.ts', 'generator/cli/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests read parsed JSON bodies as they come.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The viewer's page: a plain browser script, served as it is (no build step).
    files: ['generator/viewer/ui/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { document: 'readonly', location: 'readonly', fetch: 'readonly', performance: 'readonly', setInterval: 'readonly' },
    },
  },
);
