import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../api/config.ts'
import type { Deps } from '../../api/deps.ts'
import { createLogger } from '../../api/logger.ts'
import { SessionCache } from '../../api/session-cache.ts'
import { installDeps, installedDeps, uninstallDeps } from '../../server/deps.ts'

/**
 * The deps a process installs are complete at install: nothing is added or replaced afterwards
 * (issue 21), so every page sees from its first request what the server built.
 */
function someDeps(): Deps {
  // Only the object's shape matters here; no service behind it is called.
  return {
    config: parseConfig({}),
    logger: createLogger('silent'),
  } as unknown as Deps
}

afterEach(() => uninstallDeps())

describe('installed deps', () => {
  it('are what pages read, complete as installed', () => {
    const sessionCache = new SessionCache()
    const installed = installDeps({ ...someDeps(), sessionCache })
    expect(installedDeps()).toBe(installed)
    expect(installedDeps().sessionCache).toBe(sessionCache)
  })

  it('refuse a change after install', () => {
    const installed = installDeps(someDeps()) as Deps
    expect(Object.isFrozen(installed)).toBe(true)
    expect(() => {
      installed.sessionCache = new SessionCache()
    }).toThrow(TypeError)
    expect(() => {
      installed.logger = createLogger('info')
    }).toThrow(TypeError)
    expect(installedDeps().sessionCache).toBeUndefined()
  })

  it('are installed once per process', () => {
    installDeps(someDeps())
    expect(() => installDeps(someDeps())).toThrow(/already installed/)
  })

  it('are not made up from the environment when none were installed', () => {
    expect(() => installedDeps()).toThrow(/npm start/)
  })
})
