import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'helm/**', 'coverage/**']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{js,mjs}'],
    languageOptions: {globals: {process: 'readonly', console: 'readonly', URL: 'readonly'}},
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_'}],
      'no-console': 'off',
    },
  },
  {
    // Commands stay thin: no child processes, sockets or YAML in src/commands.
    files: ['src/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:child_process', 'execa', 'node:net', 'yaml'],
              message: 'Commands call services; I/O belongs in adapters.',
            },
            {group: ['**/adapters/*'], message: 'Commands call services, not adapters.'},
          ],
        },
      ],
      // The same for a lazy import(), which no-restricted-imports does not see.
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'ImportExpression[source.value=/(^node:(child_process|net)$|^(execa|yaml)$|\\/adapters\\/)/]',
          message: 'Commands call services; I/O belongs in adapters (lazy imports included).',
        },
        {
          // One way out for a result: this.outputResult(result, render), render* in src/cli.
          selector:
            "CallExpression[callee.object.type='ThisExpression'][callee.property.name='log']",
          message:
            'End with this.outputResult(result, render); lines beside it go to this.outputInfo.',
        },
      ],
    },
  },
  {
    // The core is pure: no I/O of any kind.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'execa', 'get-port', 'listr2', '**/adapters/*', '**/services/*'],
              message: 'src/core is pure logic without I/O.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'ImportExpression[source.value=/(^node:|^(execa|get-port|listr2)$|\\/(adapters|services)\\/)/]',
          message: 'src/core is pure logic without I/O (lazy imports included).',
        },
      ],
    },
  },
)
