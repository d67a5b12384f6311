import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { operatorRoles } from '../../api/domain/console.ts'

/**
 * The console's pages are adapters (issue 21, acceptance 3): the session, CSRF and origin checks
 * and the input schemas live in the service verbs, once. A page file that imports one of them
 * has started its own copy again.
 */

const root = path.resolve(import.meta.dirname, '../..')
const adapterFolders = ['site/lib/admin', 'site/pages/admin']
/** The console's view pieces: they may word a decision, never take one. */
const viewFolders = ['site/components/admin']

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

/**
 * What an adapter or view file decides that a verb or api/domain owns (issue 21, the last
 * review): vocabulary taken from db/ instead of api/domain/, a role compared by name instead of
 * the area's rule, a limit written out instead of imported from the schema that enforces it.
 */
export function ownDecisions(source: string): string[] {
  const found: string[] = []
  for (const match of source.matchAll(/from\s+'((?:\.\.\/)+db\/[^']*)'/g)) {
    found.push(`import ${match[1]!.replace(/^(\.\.\/)+/, '')}`)
  }
  const roles = operatorRoles.join('|')
  for (const match of source.matchAll(new RegExp(`(['"\`])(${roles})\\1`, 'g'))) {
    found.push(`role ${match[2]!}`)
  }
  // A limit of its own: `const maxRows = 50`, or `maxLengths = { note: 2000 }`.
  const limit = /\b(?:const|let)\s+(max\w*|\w*[lL]imits?)\b[^=\n]*=\s*(\d|\{[^}]*:\s*\d)/g
  for (const match of source.matchAll(limit)) found.push(`limit ${match[1]!}`)
  // Whether an operator works city-wide is the access rule's (seesEveryCounty), not a null test.
  const nullScope = /\.countyCode\s*[!=]==?\s*null\b/g
  found.push(...Array.from(source.matchAll(nullScope), () => 'scope countyCode'))
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

  it('finds a db/ import, a role by name, a limit of its own or a null-county test', () => {
    expect(
      ownDecisions(`import { mediationResults } from '../../../db/database.ts'
import type { SessionStage } from '../../../db/schema/console.ts'
const cityAdmin = operator.role === 'city_admin'
{operator.role !== "viewer" && <form />}
{operator.countyCode === null && <select />}
/** The schema's limit. */
export const maxRows = 50
const maxLengths: Partial<Record<CaseField, number>> = {
  note: 2000,
}`),
    ).toEqual([
      'import db/database.ts',
      'import db/schema/console.ts',
      'role city_admin',
      'role viewer',
      'limit maxRows',
      'limit maxLengths',
      'scope countyCode',
    ])
    // Words about a role, the area's rule, and limits taken from a schema are not decisions.
    expect(
      ownDecisions(`import { maxInstruments } from '../../../api/services/admin/visits/schemas.ts'
import { complaintChannels } from '../../../api/domain/complaints.ts'
// The hotline failures page (city_admin only).
const mayEdit = passesAccess(penaltyWriters, operator)
const maxLengths = { ...caseTextLimits, name: maxNameLength }
const shown = Math.min(maxInstruments, rows)`),
    ).toEqual([])
  })

  it('take vocabulary from api/domain, roles and scope from the area rule, limits from the schema', () => {
    const files = [...adapterFolders, ...viewFolders].flatMap(filesUnder)
    expect(files.length).toBeGreaterThan(40)
    const offenders = files
      .map((file) => ({ file, found: ownDecisions(readFileSync(path.join(root, file), 'utf8')) }))
      .filter((f) => f.found.length > 0)
    expect(offenders).toEqual([])
  })
})
