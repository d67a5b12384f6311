import { createHmac, type KeyObject } from 'node:crypto'

/**
 * How a client address appears in abuse-limit counters: a keyed hash, so the database never keeps
 * who connected. `undefined` for an address the server could not learn: counting every such client
 * in one bucket would let one busy hour refuse everybody.
 */
export function clientKey(hashKey: KeyObject, address: string): string | undefined {
  if (address === '' || address === 'unknown') return undefined
  return createHmac('sha256', hashKey).update(`client:${address}`).digest('hex').slice(0, 32)
}
