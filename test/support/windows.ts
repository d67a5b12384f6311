import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Rate limits count in clock windows (`windowOf`): a test whose tries must all land in one window
 * waits, when less than `needMs` of the current window is left, for the next window to begin.
 */
export async function awayFromWindowEdge(windowSeconds: number, needMs: number) {
  const windowMs = windowSeconds * 1000
  const left = windowMs - (Date.now() % windowMs)
  if (left < needMs) await sleep(left + 100)
}
