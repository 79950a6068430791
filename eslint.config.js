import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'web/dist/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' },
      ],
    },
  },
  {
    // The domain is pure: no store, http, carriers or Node I/O.
    files: ['src/domain/**/*.ts'],
    ignores: ['src/domain/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../store/*', '../http/*', '../carriers/*', '../app/*', '../workers/*'], message: 'src/domain is pure.' },
            { group: ['node:*', 'fs', 'net', 'http', 'pg', 'better-sqlite3', 'kysely'], message: 'src/domain does no I/O.' },
          ],
        },
      ],
    },
  },
  {
    // Kysely only inside src/store.
    files: ['src/**/*.ts'],
    ignores: ['src/store/**', 'src/domain/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'kysely', message: 'Kysely lives in src/store only.' }] }],
    },
  },
  {
    // Tool configuration files are loaded by their tools as default exports.
    files: ['*.config.ts', '*.config.js', 'web/*.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // The web app runs in the browser: DOM globals, no Node.
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly' } },
  },
  {
    files: ['bin/*', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
