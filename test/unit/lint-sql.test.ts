import { readFile } from 'node:fs/promises'
import { ESLint } from 'eslint'
import tseslint from 'typescript-eslint'
import { beforeAll, describe, expect, it } from 'vitest'

// The fixture builds a query and uses the sql tag. It is linted with the project's own config, as
// if it were a file at each of these places (same depth, so its relative import resolves). The
// type-aware rules are left out: the project service only knows files on disk, and the rules under
// test read syntax alone.
const fixture = 'test/fixtures/lint/sql-outside-queries.ts'
const asService = 'api/services/lint/sql-outside-queries.ts'
const asWorker = 'api/worker/lint/sql-outside-queries.ts'
const asQuery = 'db/queries/lint/sql-outside-queries.ts'

let eslint: ESLint
let text: string

beforeAll(async () => {
  eslint = new ESLint({ cwd: process.cwd(), overrideConfig: tseslint.configs.disableTypeChecked })
  text = await readFile(fixture, 'utf8')
})

async function problems(filePath: string) {
  const [result] = await eslint.lintText(text, { filePath })
  return result!.messages.map((m) => ({ rule: m.ruleId, line: m.line, message: m.message }))
}

describe('SQL lives only in db/queries/', () => {
  it('fails a service that imports the sql tag, builds a query or writes sql`…`', async () => {
    const found = await problems(asService)
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          rule: '@typescript-eslint/no-restricted-imports',
          line: lineOf("from 'kysely'"),
        }),
        expect.objectContaining({ rule: 'no-restricted-syntax', line: lineOf('.selectFrom(') - 1 }),
        expect.objectContaining({ rule: 'no-restricted-syntax', line: lineOf('sql`SELECT 1`') }),
      ]),
    )
    for (const problem of found) expect(problem.message).toContain('Put SQL in db/queries/')
  }, 60_000)

  it('fails a worker the same way', async () => {
    const rules = new Set((await problems(asWorker)).map((p) => p.rule))
    expect(rules).toEqual(
      new Set(['@typescript-eslint/no-restricted-imports', 'no-restricted-syntax']),
    )
  }, 60_000)

  it.each([
    'api/search/lint/sql-outside-queries.ts',
    'site/lib/lint/sql-outside-queries.ts',
    'server/lint/sql-outside-queries.ts',
  ])(
    'fails a query built on a handle passed in, in %s',
    async (filePath) => {
      const handedIn = [
        "import type { Kysely } from 'kysely'",
        "import type { Database } from '../../../db/database.ts'",
        '',
        "export const removeAll = (db: Kysely<Database>) => db.deleteFrom('outbox').execute()",
        '',
      ].join('\n')
      const [result] = await eslint.lintText(handedIn, { filePath })
      const rules = result!.messages.map((m) => m.ruleId)
      expect(rules).toContain('no-restricted-syntax')
    },
    60_000,
  )

  it('fails a service that opens its own connection with pg', async () => {
    const [result] = await eslint.lintText(
      "import pg from 'pg'\n\nexport const Client = pg.Client\n",
      {
        filePath: asService,
      },
    )
    expect(result!.messages.map((m) => m.ruleId)).toEqual([
      '@typescript-eslint/no-restricted-imports',
    ])
  }, 60_000)

  it('passes the same text in db/queries/', async () => {
    expect(await problems(asQuery)).toEqual([])
  }, 60_000)

  it('lets a service import kysely’s types', async () => {
    const typesOnly = [
      "import type { Kysely, Transaction } from 'kysely'",
      "import type { Database } from '../../../db/database.ts'",
      '',
      'export type Handle = Kysely<Database> | Transaction<Database>',
      '',
    ].join('\n')
    const [result] = await eslint.lintText(typesOnly, { filePath: asService })
    expect(result!.messages).toEqual([])
  }, 60_000)
})
