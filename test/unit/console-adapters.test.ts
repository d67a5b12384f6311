import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The console's pages are adapters (issue 21, acceptance 3): the session, CSRF and origin checks
 * and the input schemas live in the service verbs, once. A page file that imports one of them
 * has started its own copy again.
 */

const root = path.resolve(import.meta.dirname, '../..')
const adapterFolders = ['site/lib/admin', 'site/pages/admin']

/** Names whose import into a page means a check or a schema of its own. */
const forbiddenNames = ['csrfTokenMatches', 'loadSession', 'originMatchesHost']

function filesUnder(folder: string): string[] {
  return readdirSync(path.join(root, folder), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|astro)$/.test(e.name))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
}

/** What a source file imports that it should not: check functions, schemas, zod itself. */
export function duplicatedChecks(source: string): string[] {
  const found: string[] = []
  for (const match of source.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)) {
    const [, typeOnly, names = '', from = ''] = match
    if (from === 'zod' || from === '@hono/zod-openapi') found.push(from)
    for (const raw of names.split(',')) {
      const name = raw
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)[0]!
      if (!name) continue
      if (forbiddenNames.includes(name)) found.push(name)
      // A schema value (not a type) means the page parses input itself.
      if (!typeOnly && !raw.trim().startsWith('type ') && /Schema$/.test(name)) found.push(name)
    }
  }
  for (const match of source.matchAll(/import\s+(?:\*\s+as\s+\w+|\w+)\s+from\s+'([^']+)'/g)) {
    if (match[1] === 'zod' || match[1] === '@hono/zod-openapi') found.push(match[1])
  }
  return found
}

describe('console page adapters', () => {
  it('finds a session, CSRF, origin or schema import when one is there', () => {
    expect(
      duplicatedChecks(`import {
  csrfTokenMatches,
  loadSession,
} from '../../../api/services/admin/sessions.ts'
import { originMatchesHost } from '../../../api/services/admin/origin.ts'
import { caseQueueQuerySchema, type CaseQueue } from '../../../api/services/admin/cases/schemas.ts'
import { z } from 'zod'`),
    ).toEqual([
      'csrfTokenMatches',
      'loadSession',
      'originMatchesHost',
      'caseQueueQuerySchema',
      'zod',
    ])
    expect(duplicatedChecks(`import type { CaseDetail } from './schemas.ts'`)).toEqual([])
  })

  it('import no session, CSRF or origin check and no input schema of their own', () => {
    const files = adapterFolders.flatMap(filesUnder)
    expect(files.length).toBeGreaterThan(20)
    const offenders = files
      .map((file) => ({
        file,
        found: duplicatedChecks(readFileSync(path.join(root, file), 'utf8')),
      }))
      .filter((f) => f.found.length > 0)
    expect(offenders).toEqual([])
  })

  it('declare no roles of their own: a page passes the rule of its area, as its verbs do', () => {
    const inline = filesUnder('site/pages/admin').filter((file) =>
      /consoleSession\(\s*Astro\s*,\s*\{[^}]*\broles\b/.test(
        readFileSync(path.join(root, file), 'utf8'),
      ),
    )
    expect(inline).toEqual([])
  })
})
