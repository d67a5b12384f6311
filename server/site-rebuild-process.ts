import { spawn } from 'node:child_process'
import path from 'node:path'
import type { Config } from '../api/config.ts'
import { lowerPriority } from '../api/worker/priority.ts'

const root = path.resolve(import.meta.dirname, '..')
const childScript = path.join(root, 'server', 'site-rebuild-child.ts')
/** What is kept of a build's output for the log when it fails. */
const outputTailBytes = 8_000

/** The services a build reads (the embedded ones' addresses are known only once started). */
export interface BuildServices {
  databaseUrl: string
  meiliUrl: string
  meiliKey: string | undefined
}

export interface BuildChild {
  /** Resolves when the build is complete; rejects with its output's tail when it failed. */
  done: Promise<{ seconds: number }>
  /** Ends a build still running (the product is stopping). */
  stop: () => Promise<void>
}

/** The configuration as environment variables: parsing them again gives the same Config. */
function configEnv(config: Config): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([name, value]) => [name, value === undefined ? '' : String(value)]),
  )
}

/**
 * Builds the site into `dir` in a child process (server/site-rebuild-child.ts) at a lower CPU
 * priority, so that requests keep the upper hand while pages are prerendered.
 */
export function startBuildChild(options: {
  config: Config
  services: BuildServices
  dir: string
}): BuildChild {
  const { config, services, dir } = options
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, dir], {
    cwd: root,
    env: {
      ...process.env,
      ...configEnv(config),
      DATABASE_URL: services.databaseUrl,
      MEILI_URL: services.meiliUrl,
      MEILI_MASTER_KEY: services.meiliKey ?? '',
      // Prerendering reads one query at a time.
      DATABASE_POOL_SIZE: '2',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (child.pid) lowerPriority(child.pid)
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-outputTailBytes)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code))
    child.once('error', () => resolve(null))
  })

  const done = exited.then((code) => {
    if (code !== 0) {
      throw new Error(`site build exited with code ${code}:\n${output.trim()}`)
    }
    const report = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { seconds?: number }
    return { seconds: report.seconds ?? 0 }
  })
  // A failure is reported through `done`; stop() must not leave it unhandled.
  done.catch(() => undefined)

  return {
    done,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    },
  }
}
