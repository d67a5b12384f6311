// @ts-check
import js from '@eslint/js'
import astro from 'eslint-plugin-astro'
import globals from 'globals'
import tseslint from 'typescript-eslint'
import { defineConfig } from 'eslint/config'

export default defineConfig(
  {
    ignores: [
      'dist/',
      '.astro/',
      '.data/',
      'node_modules/',
      'coverage/',
      'bench/results/',
      // Breaks the SQL rule on purpose; test/unit/lint-sql.test.ts lints it as if it were a service.
      'test/fixtures/lint/',
      // Generated from the OpenAPI document (npm run openapi:client); checked for drift instead.
      'api/client/schema.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...astro.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // noUncheckedIndexedAccess is on; an assertion after a length check is clearer than a branch.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unnecessary-condition': [
        'error',
        { allowConstantLoopConditions: true },
      ],
    },
  },
  {
    // Routes validate and call a service verb; only services and queries touch the database.
    files: ['api/routes/**/*.ts', 'site/**/*.{ts,astro}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/db/queries/*', 'kysely', 'pg'], message: 'Call a service verb instead.' },
          ],
        },
      ],
    },
  },
  {
    // SQL lives only in db/queries/ (DESIGN.md section 3): services, workers, indexers and the
    // server call query functions; they may name Kysely's types, never build a query.
    files: ['api/services/**/*.ts', 'api/worker/**/*.ts', 'api/search/**/*.ts', 'server/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'pg', message: 'Put SQL in db/queries/ (connections: db/).' }],
          patterns: [
            {
              group: ['kysely'],
              allowTypeImports: true,
              message: 'Put SQL in db/queries/; import only types from kysely here.',
            },
          ],
        },
      ],
    },
  },
  {
    // The same, by syntax: a query built on a `db` or `trx` handed in needs no import of kysely.
    // Routes and pages keep their stricter import rule above.
    files: [
      'api/routes/**/*.ts',
      'api/services/**/*.ts',
      'api/worker/**/*.ts',
      'api/search/**/*.ts',
      'server/**/*.ts',
      'site/**/*.{ts,astro}',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'CallExpression[callee.property.name=/^(selectFrom|insertInto|updateTable|deleteFrom|mergeInto|replaceInto|selectNoFrom)$/]',
          message: 'Put SQL in db/queries/: call a query function from there.',
        },
        {
          selector: 'TaggedTemplateExpression[tag.name="sql"]',
          message: 'Put SQL in db/queries/: no sql`…` outside it.',
        },
        {
          selector: 'CallExpression[callee.object.name="sql"]',
          message: 'Put SQL in db/queries/: no sql.join, sql.raw, sql.ref… outside it.',
        },
      ],
    },
  },
  {
    // db/ imports nothing from api/ or site/ but the shared vocabulary (DESIGN.md section 3).
    files: ['db/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(api/(?!domain/)|site/)',
              message: 'db/ must not depend on api/ (but api/domain/) or site/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.astro'],
    ...tseslint.configs.disableTypeChecked,
  },
)
