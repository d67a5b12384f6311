import type http from 'node:http'
import { pathToFileURL } from 'node:url'
import { entryOf } from './site-build.ts'

type NodeHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void

/** The build the web server answers from, replaceable while it serves. */
export interface ServedSite {
  /** Hands a request to the current build's Astro handler. */
  handle: NodeHandler
  /** The build folder being served. */
  dir: () => string
  /** Loads a complete build and serves it from the next request on. */
  switchTo: (dir: string) => Promise<void>
}

/** A build's request handler; the build never starts a server itself (astro.config.mjs). */
async function loadHandler(dir: string): Promise<NodeHandler> {
  // By the folder's own path: each build is a module of its own, never one cached from before.
  const { handler } = (await import(pathToFileURL(entryOf(dir)).href)) as { handler: NodeHandler }
  return handler
}

/**
 * Serves `dir`. A switch imports the new build completely before one assignment replaces the
 * handler, so every request is answered by one whole build, old or new, never by a mix or by a
 * half-written folder. Requests already in flight finish on the build they started on.
 *
 * A module cannot be unloaded: each switch keeps the replaced build's server code in memory
 * (about 6 MB of heap per switch, measured with 300 businesses). Rebuilds follow published changes
 * (a few a day, bursts made one), so this is small between deploys; a process that publishes
 * hundreds of changes a day should be restarted now and then.
 */
export async function serveBuild(dir: string): Promise<ServedSite> {
  let current = { dir, handler: await loadHandler(dir) }
  return {
    handle: (req, res) => current.handler(req, res),
    dir: () => current.dir,
    switchTo: async (next) => {
      current = { dir: next, handler: await loadHandler(next) }
    },
  }
}
