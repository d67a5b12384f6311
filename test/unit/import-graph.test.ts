import { existsSync } from 'node:fs'
import path from 'node:path'
import { cruise, type IModule } from 'dependency-cruiser'
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config'
import { describe, expect, it } from 'vitest'

// Issue 21: imports run one way between folders (DESIGN.md section 3), and api/domain/ imports
// nothing of ours. Each directory is a node; a file in `a` importing a file in `b` is an edge
// a → b, type-only imports included (they tie the folders together just the same).
// Astro components are not read (dependency-cruiser does not parse .astro); their logic lives in
// the .ts files beside them, which are.

const root = path.resolve(import.meta.dirname, '../..')
const tsConfig = extractTSConfig(path.join(root, 'tsconfig.json'))

/** Every import between two files of ours (not node built-ins, not node_modules). */
async function fileEdges(dirs: string[]): Promise<[from: string, to: string][]> {
  const result = await cruise(
    dirs,
    {
      baseDir: root,
      tsPreCompilationDeps: true,
      tsConfig: { fileName: path.join(root, 'tsconfig.json') },
      doNotFollow: { path: 'node_modules' },
      exclude: { path: 'node_modules' },
    },
    undefined,
    { tsConfig },
  )
  if (typeof result.output === 'string') throw new Error('expected the cruise result as an object')
  const ours = (file: string) => !file.startsWith('node_modules/') && !path.isAbsolute(file)
  return result.output.modules.flatMap((module: IModule) =>
    module.coreModule || !ours(module.source)
      ? []
      : module.dependencies
          .filter((d) => !d.coreModule && !d.couldNotResolve && ours(d.resolved))
          .map((d): [string, string] => [module.source, d.resolved]),
  )
}

/**
 * The loops of the folder graph, each printed as its folders and one file import per step, e.g.
 * `api → api/services/x (api/deps.ts → api/services/x/y.ts) → api (…)`.
 */
function folderCycles(edges: [string, string][]): string[] {
  const example = new Map<string, Map<string, string>>()
  for (const [from, to] of edges) {
    const a = path.dirname(from)
    const b = path.dirname(to)
    if (a === b) continue
    const out = example.get(a) ?? new Map<string, string>()
    if (!out.has(b)) out.set(b, `${from} → ${to}`)
    example.set(a, out)
    if (!example.has(b)) example.set(b, new Map())
  }
  const next = (folder: string) => [...(example.get(folder)?.keys() ?? [])]

  // Tarjan's strongly connected components: a component of two or more folders holds a loop.
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const components: string[][] = []
  const visit = (folder: string) => {
    index.set(folder, index.size)
    low.set(folder, index.get(folder)!)
    stack.push(folder)
    onStack.add(folder)
    for (const to of next(folder)) {
      if (!index.has(to)) {
        visit(to)
        low.set(folder, Math.min(low.get(folder)!, low.get(to)!))
      } else if (onStack.has(to)) {
        low.set(folder, Math.min(low.get(folder)!, index.get(to)!))
      }
    }
    if (low.get(folder) === index.get(folder)) {
      const component: string[] = []
      let top: string
      do {
        top = stack.pop()!
        onStack.delete(top)
        component.push(top)
      } while (top !== folder)
      if (component.length > 1) components.push(component.sort())
    }
  }
  for (const folder of [...example.keys()].sort()) if (!index.has(folder)) visit(folder)

  // One shortest loop per component, through its first folder, found breadth-first.
  return components.map((component) => {
    const inside = new Set(component)
    const start = component[0]!
    const cameFrom = new Map<string, string>()
    const queue = [start]
    while (queue.length > 0 && !cameFrom.has(start)) {
      const folder = queue.shift()!
      for (const to of next(folder)) {
        if (!inside.has(to) || cameFrom.has(to)) continue
        cameFrom.set(to, folder)
        queue.push(to)
      }
    }
    const loop = [start]
    for (let at = cameFrom.get(start)!; at !== start; at = cameFrom.get(at)!) loop.unshift(at)
    loop.unshift(start)
    const steps = loop
      .slice(1)
      .map((to, i) => `→ ${to} (${example.get(loop[i]!)!.get(to)!})`)
      .join('\n    ')
    return `${component.length} folders in one loop: ${component.join(', ')}\n  ${start}\n    ${steps}`
  })
}

// Reading the whole graph takes a few seconds, more on a busy machine.
describe('the import graph', { timeout: 30_000 }, () => {
  it('has no loop between folders of the application', async () => {
    const dirs = ['api', 'db', 'site', 'scripts', 'server'].filter((dir) =>
      existsSync(path.join(root, dir)),
    )
    const cycles = folderCycles(await fileEdges(dirs))
    expect(cycles.join('\n\n')).toBe('')
  })

  it('lets api/domain import nothing of ours outside api/domain', async () => {
    const outside = (await fileEdges(['api/domain']))
      .filter(([from, to]) => from.startsWith('api/domain/') && !to.startsWith('api/domain/'))
      .map(([from, to]) => `${from} → ${to}`)
    expect(outside).toEqual([])
  })

  it('finds a loop between two folders that import each other', async () => {
    const fixture = 'test/fixtures/import-graph'
    const cycles = folderCycles(await fileEdges([fixture]))
    expect(cycles).toEqual([
      `2 folders in one loop: ${fixture}/left, ${fixture}/right\n` +
        `  ${fixture}/left\n` +
        `    → ${fixture}/right (${fixture}/left/one.ts → ${fixture}/right/two.ts)\n` +
        `    → ${fixture}/left (${fixture}/right/two.ts → ${fixture}/left/one.ts)`,
    ])
  })
})
