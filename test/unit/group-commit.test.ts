import { describe, expect, it } from 'vitest'
import { createGroupCommit } from '../../api/services/shared/group-commit.ts'

/** A store whose calls finish only when the test says so, recording each batch it was given. */
function heldStore() {
  const batches: number[][] = []
  const release: (() => void)[] = []
  const storeMany = (items: number[]) =>
    new Promise<number[]>((resolve) => {
      batches.push(items)
      release.push(() => resolve(items.map((i) => i * 10)))
    })
  return { batches, storeMany, releaseNext: () => release.shift()!() }
}

const settle = () => new Promise((r) => setTimeout(r, 0))

describe('group commit', () => {
  it('sends a short backlog as one batch once the batch in flight is done', async () => {
    const store = heldStore()
    const group = createGroupCommit(store.storeMany, {
      maxBatch: 64,
      maxInFlight: 2,
      minBatchBeside: 4,
    })
    const answers = [1, 2, 3, 4].map((i) => group.submit(i))
    await settle()
    // The first goes at once; three waiting are fewer than four: they wait for it.
    expect(store.batches).toEqual([[1]])
    store.releaseNext()
    await settle()
    expect(store.batches).toEqual([[1], [2, 3, 4]])
    store.releaseNext()
    expect(await Promise.all(answers)).toEqual([10, 20, 30, 40])
  })

  it('sends a second batch beside the first once enough writes wait, never more than allowed', async () => {
    const store = heldStore()
    const group = createGroupCommit(store.storeMany, {
      maxBatch: 3,
      maxInFlight: 2,
      minBatchBeside: 3,
    })
    const answers = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => group.submit(i))
    await settle()
    // 1 alone at once; 2, 3, 4 are a full batch beside it; 5 to 8 wait for a free slot.
    expect(store.batches).toEqual([[1], [2, 3, 4]])
    store.releaseNext()
    await settle()
    expect(store.batches).toEqual([[1], [2, 3, 4], [5, 6, 7]])
    store.releaseNext()
    await settle()
    // 8 alone is too few to go beside 5, 6, 7: it waits until they are done.
    expect(store.batches).toHaveLength(3)
    store.releaseNext()
    await settle()
    expect(store.batches.at(-1)).toEqual([8])
    store.releaseNext()
    expect(await Promise.all(answers)).toEqual([10, 20, 30, 40, 50, 60, 70, 80])
  })

  it('sends one batch at a time when only one may be in flight', async () => {
    const store = heldStore()
    const group = createGroupCommit(store.storeMany, { maxBatch: 64, maxInFlight: 1 })
    const answers = Array.from({ length: 40 }, (_, i) => group.submit(i))
    await settle()
    expect(store.batches).toHaveLength(1)
    store.releaseNext()
    await settle()
    expect(store.batches.map((b) => b.length)).toEqual([1, 39])
    store.releaseNext()
    await Promise.all(answers)
  })
})
