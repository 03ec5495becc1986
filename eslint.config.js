// ESLint flat config: typescript-eslint's recommended rules over every TS source.
import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const devDependencies = Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).devDependencies);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/target/**', 'proto/gen/**', 'charts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Product code (what tsconfig.build.json compiles into dist/ and the image) never imports test
    // code: *.test.ts, a testing/ folder (test-only helpers, excluded from the build) or a devDependency.
    files: ['pool/src/**/*.ts', 'operator/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/testing', '**/testing/**', '**/*.test', '**/*.test.js'],
              message: 'test-only module: product code must not import it (it is not in the build)',
            },
            {
              group: devDependencies.flatMap((name) => [name, `${name}/*`]),
              message: 'a devDependency: not installed in the image',
            },
          ],
        },
      ],
    },
  },
);
