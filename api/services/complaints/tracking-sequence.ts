import type { Kysely } from 'kysely'
import type { Database } from '../../../db/database.ts'
import { reserveTrackingSequence } from '../../../db/queries/complaints.ts'

const blockSize = 20
const blocks = new WeakMap<
  Kysely<Database>,
  { numbers: string[]; refill?: Promise<void> | undefined }
>()

/**
 * The next tracking-sequence number, from a block this process reserved in one round trip.
 * Numbers stay unique across processes (the sequence hands each block out once); a process that
 * stops leaves a gap, which tracking numbers may have.
 */
export async function nextTrackingSequence(db: Kysely<Database>): Promise<string> {
  let block = blocks.get(db)
  if (!block) {
    block = { numbers: [] }
    blocks.set(db, block)
  }
  for (;;) {
    const number = block.numbers.shift()
    if (number !== undefined) return number
    block.refill ??= reserveTrackingSequence(db, blockSize)
      .then((numbers) => {
        block.numbers.push(...numbers)
      })
      .finally(() => {
        block.refill = undefined
      })
    await block.refill
  }
}
