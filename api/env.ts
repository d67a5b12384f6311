import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Deps, ServiceContext } from './deps.ts'
import type { Logger } from './logger.ts'
import type { ConsoleSession, SignedInOperator } from './console-session.ts'

/** Typed Hono context: every handler sees the request id, its child logger and the services. */
export interface AppEnv {
  /** What the server adapter knows about the connection (the Astro catch-all passes it). */
  Bindings: { clientAddress?: string | undefined }
  Variables: {
    requestId: string
    logger: Logger
    ctx: ServiceContext
    deps: Deps
    /** Set by requireOperator on console routes only (read with operatorOf / sessionOf). */
    operator: SignedInOperator
    session: ConsoleSession
  }
}

export type App = OpenAPIHono<AppEnv>
