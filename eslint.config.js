// ESLint (flat config) with typescript-eslint's recommended rules; formatting is Prettier's job
// (eslint-config-prettier turns off the rules that would fight it). `npm run lint` runs both checks and
// `npm test` runs it first.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'reports/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      // TIGER_STYLE asks for functions that fit on a screen: a warning past about 70 lines.
      'max-lines-per-function': ['warn', { max: 70, skipBlankLines: true, skipComments: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests are long describe blocks by nature.
    files: ['test/**/*.ts'],
    rules: { 'max-lines-per-function': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
