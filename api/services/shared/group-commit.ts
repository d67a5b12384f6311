/**
 * Group commit: writes go to the database at once while fewer than `maxInFlight` are running;
 * otherwise each waits for one of them to finish and goes with every write that waited
 * meanwhile, up to `maxBatch`, in one `storeMany` call: one round trip and one commit for all.
 * Light traffic therefore waits for nothing, and a burst costs the database far less per write.
 * Each caller hears back only once its own write is committed.
 *
 * `storeMany` answers one result per item, in order, and is all or nothing. When a batch fails
 * (nothing was committed, or a connection lost at commit leaves it unknown) each item is stored
 * again on its own, so one bad item or a deadlock with another batch cannot fail the others;
 * `storeMany` must make that repeat safe (an idempotency key, a unique id).
 */
export interface GroupCommitOptions {
  maxBatch: number
  maxInFlight: number
  /**
   * While a batch is in flight, another goes beside it only when at least this many writes wait
   * (default 1: any). Under a steady rate the waiting writes go together once the batch in flight
   * is done (few, large batches: the least work a write); only a backlog this deep, which one
   * batch at a time would not clear before more arrive, makes the process prepare and commit
   * batches side by side.
   */
  minBatchBeside?: number
}

interface Waiting<T, R> {
  item: T
  resolve: (result: R) => void
  reject: (error: unknown) => void
}

export function createGroupCommit<T, R>(
  storeMany: (items: T[]) => Promise<R[]>,
  options: GroupCommitOptions,
) {
  const queue: Waiting<T, R>[] = []
  let inFlight = 0

  const storeAlone = (w: Waiting<T, R>) =>
    storeMany([w.item]).then(([result]) => w.resolve(result as R), w.reject)

  async function send(batch: Waiting<T, R>[]) {
    if (batch.length === 1) return storeAlone(batch[0]!)
    try {
      const results = await storeMany(batch.map((w) => w.item))
      batch.forEach((w, i) => w.resolve(results[i] as R))
    } catch {
      await Promise.all(batch.map(storeAlone))
    }
  }

  const minBeside = options.minBatchBeside ?? 1

  function pump() {
    while (
      queue.length > 0 &&
      (inFlight === 0 || (inFlight < options.maxInFlight && queue.length >= minBeside))
    ) {
      const batch = queue.splice(0, options.maxBatch)
      inFlight++
      void send(batch).finally(() => {
        inFlight--
        pump()
      })
    }
  }

  return {
    submit(item: T): Promise<R> {
      return new Promise((resolve, reject) => {
        queue.push({ item, resolve, reject })
        pump()
      })
    },
  }
}
