import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

/**
 * Configuration is read once, at start (api/config.ts), and nothing changes the environment while
 * the product runs: a write to `process.env` would be a hidden input to every later reader and
 * to every child process. Children get their environment through spawn's `env` option.
 */
const root = path.resolve(import.meta.dirname, '../..')
const scanned = ['api', 'db', 'server', 'site', 'scripts']

/** `process.env`, `process.env.X`, `process.env[x]`, also reached through `globalThis`. */
function isProcessEnv(node: ts.Node): boolean {
  const text = node.getText().replace(/\s+/g, '')
  return text === 'process.env' || text === 'globalThis.process.env'
}

function touchesProcessEnv(node: ts.Node): boolean {
  if (isProcessEnv(node)) return true
  if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
    return isProcessEnv(node.expression)
  }
  if (ts.isParenthesizedExpression(node)) return touchesProcessEnv(node.expression)
  return false
}

const mutators = new Set([
  'Object.assign',
  'Object.defineProperty',
  'Object.defineProperties',
  'Reflect.set',
  'Reflect.defineProperty',
  'Reflect.deleteProperty',
])

/** Every write to the environment in `source`, as `line: text`. */
function processEnvWrites(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const found: string[] = []
  const report = (node: ts.Node) => {
    const { line } = file.getLineAndCharacterOfPosition(node.getStart())
    found.push(`${line + 1}: ${node.getText()}`)
  }
  const visit = (node: ts.Node) => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      node.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
      touchesProcessEnv(node.left)
    ) {
      report(node)
    } else if (ts.isDeleteExpression(node) && touchesProcessEnv(node.expression)) {
      report(node)
    } else if (
      ts.isCallExpression(node) &&
      mutators.has(node.expression.getText()) &&
      node.arguments[0] !== undefined &&
      isProcessEnv(node.arguments[0])
    ) {
      report(node)
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return found
}

/** The code of a file: an .astro file's frontmatter and scripts, anything else whole. */
function codeOf(file: string, text: string): string {
  if (!file.endsWith('.astro')) return text
  const parts = [/^---\n([\s\S]*?)\n---/.exec(text)?.[1] ?? '']
  for (const match of text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)) parts.push(match[1]!)
  return parts.join('\n;\n')
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { withFileTypes: true, recursive: true })
  return entries
    .filter((e) => e.isFile() && /\.(ts|mts|js|mjs|astro)$/.test(e.name))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
}

describe('the environment at run time', () => {
  it('recognises every way of writing to process.env', () => {
    const writes = [
      `process.env.ASTRO_NODE_AUTOSTART = 'disabled'`,
      `process.env['PORT'] = '1'`,
      `process.env.LOG_LEVEL ??= 'info'`,
      `globalThis.process.env.X = '1'`,
      `delete process.env.DATABASE_URL`,
      `Object.assign(process.env, { A: '1' })`,
      `Reflect.deleteProperty(process.env, 'A')`,
      `process.env = {}`,
    ]
    for (const write of writes) expect(processEnvWrites('x.ts', write), write).toHaveLength(1)
    const reads = [
      `const port = process.env.PORT`,
      `if (process.env.CI === 'true') start()`,
      `spawn('node', [], { env: { ...process.env, PORT: '1' } })`,
      `const env = { ...process.env }; env.PORT = '1'`,
    ]
    for (const read of reads) expect(processEnvWrites('x.ts', read), read).toEqual([])
  })

  it('is never written by the product, its server or its tools', async () => {
    const writes: string[] = []
    for (const dir of scanned) {
      for (const file of await sourceFiles(dir)) {
        const code = codeOf(file, await readFile(path.join(root, file), 'utf8'))
        // Parsing only what names the environment keeps the scan to a moment.
        if (!code.includes('env')) continue
        for (const write of processEnvWrites(file, code)) writes.push(`${file}:${write}`)
      }
    }
    expect(writes).toEqual([])
  })
})
