import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { openApiDocument } from '../api/http/openapi.ts'
import { loadConfigOrExit } from './cli.ts'

/**
 * `node --import tsx scripts/openapi-export.ts [FILE]`: writes the API's OpenAPI document, as
 * /api/openapi.json serves it, to FILE (or stdout), without starting a database or a server.
 * `npm run check` lints it (redocly.yaml) and generates the typed client from it.
 */
const document = openApiDocument(loadConfigOrExit().SITE_URL)
const text = `${JSON.stringify(document, null, 2)}\n`
const file = process.argv[2]
if (file) {
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, text)
} else {
  process.stdout.write(text)
}
