// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.workshop/', 'slides/dist/', 'test/harness/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Plain CommonJS for old engines: it must parse on any Node to say which one to install.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { 'no-var': 'off' },
  },
  {
    // Starters keep the parameters the learner will use; mutants and alternatives keep the solution's shape.
    files: ['lessons/**/*.ts', 'test/mutants/**/*.ts', 'test/alternatives/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
);
