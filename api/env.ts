import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Deps, ServiceContext } from './deps.ts'
import type { Logger } from './logger.ts'

/** Typed Hono context: every handler sees the request id, its child logger and the services. */
export interface AppEnv {
  /** What the server adapter knows about the connection (the Astro catch-all passes it). */
  Bindings: { clientAddress?: string | undefined }
  Variables: {
    requestId: string
    logger: Logger
    ctx: ServiceContext
    deps: Deps
  }
}

export type App = OpenAPIHono<AppEnv>
