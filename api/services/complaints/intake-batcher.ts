import type { Kysely } from 'kysely'
import type { Database } from '../../../db/database.ts'
import {
  fileComplaintsAtomically,
  type AtomicIntake,
  type IntakeOutcome,
} from '../../../db/queries/complaints.ts'
import { complaintChangedTopic } from '../../search/complaint-indexer.ts'
import { createGroupCommit, type GroupCommitOptions } from '../shared/group-commit.ts'

/**
 * Group commit for complaint intake (shared/group-commit.ts): complaints arriving together are
 * filed in one `file_complaints` call and one commit (bench/intake.ts). A complaint that did commit
 * in a batch that then failed is answered, when filed again alone, as a "duplicate" with its first
 * receipt (the idempotency keys). One call at a time while the backlog is short: at 1,000
 * complaints a second that used a fifth less database CPU than two, with a lower p99, because the
 * batches are twice as large. A second call goes beside it only once 16 complaints wait: with
 * one call at a time the process prepared a batch while the database idled and the database
 * committed while the process idled, so a burst got 0.66 of the throughput of a handler
 * committing each complaint on its own connection at less CPU a complaint (bench/intake.ts).
 */
const defaultBatching: GroupCommitOptions = { maxBatch: 64, maxInFlight: 2, minBatchBeside: 16 }

export function createIntakeBatcher(
  db: Kysely<Database>,
  options: GroupCommitOptions = defaultBatching,
) {
  const group = createGroupCommit(
    (intakes: AtomicIntake[]) => fileComplaintsAtomically(db, intakes, complaintChangedTopic),
    options,
  )
  return { file: (intake: AtomicIntake): Promise<IntakeOutcome> => group.submit(intake) }
}

const batchers = new WeakMap<Kysely<Database>, ReturnType<typeof createIntakeBatcher>>()

/** Files one complaint through this process's batcher for `db`. */
export function fileThroughBatcher(db: Kysely<Database>, intake: AtomicIntake) {
  let batcher = batchers.get(db)
  if (!batcher) {
    batcher = createIntakeBatcher(db)
    batchers.set(db, batcher)
  }
  return batcher.file(intake)
}
