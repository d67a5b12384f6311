import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { commitmentTextSchema } from '../../../content/commitments.schema.ts'

const defaultDir = path.resolve(import.meta.dirname, '../../../content/commitments')

/**
 * The versions of the commitment text the bureau has published (content/commitments/<version>.md,
 * the same files the site renders at /commitments/<version>/). A commitment naming any other
 * version is refused, so every signed commitment links to a text a citizen can read. Read once
 * per process with its dependencies (api/wiring), as the holiday calendar is: a new version is
 * live once deployed and the process restarted, as its page is once the site is built.
 */
export function loadCommitmentVersions(dir = defaultDir): string[] {
  const names = readdirSync(dir)
    .filter((n) => n.endsWith('.md'))
    .sort()
  const versions: string[] = []
  for (const name of names) {
    const text = readFileSync(path.join(dir, name), 'utf8')
    const match = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text)
    const parsed = commitmentTextSchema.safeParse(match ? parse(match[1] ?? '') : undefined)
    const version = name.replace(/\.md$/, '')
    // A file whose front matter does not name its own version is not published (the site build
    // refuses it too), so it cannot be signed either.
    if (parsed.success && parsed.data.version === version) versions.push(version)
  }
  return versions
}
