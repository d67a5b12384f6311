import type { TestProject } from 'vitest/node'
import { startTestServices } from './services.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string
    pgPid: number
    meiliUrl: string
    meiliKey: string
    meiliPid: number
  }
}

export default async function setup(project: TestProject) {
  // One set of servers per project that uses this setup, each in a folder of its own.
  const services = await startTestServices(project.name)
  project.provide('pgServerUrl', services.postgres.url)
  project.provide('pgPid', services.postgres.pid() ?? 0)
  project.provide('meiliUrl', services.meili.url)
  project.provide('meiliKey', services.meili.masterKey)
  project.provide('meiliPid', services.meili.pid() ?? 0)
  return () => services.stop()
}
