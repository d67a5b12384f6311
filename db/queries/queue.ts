import {
  sql,
  type Kysely,
  type RawBuilder,
  type Selectable,
  type Transaction,
  type Updateable,
} from 'kysely'
import { dueBefore } from './clock.ts'

/**
 * The SQL of every queue (the outbox, the 12345 inbox, the 12345 callbacks, what comes next):
 * claim due rows with a lease, record a success or a failure, send a dead row back by hand, count
 * by state. A queue is a table with `state`, `attempts` and `last_error` columns, described once
 * by a `Queue`; when to retry and when to give up is the caller's policy
 * (api/services/shared/queue-policy.ts).
 *
 * The statements are written out here and run without the camel-case plugin, which would rename
 * the keys inside jsonb payloads; column names are the Database interface's, typed, and turned
 * into SQL names the plugin's way.
 */

/** The tables of `DB` that can hold a queue. */
type QueueTable<DB> = {
  [T in keyof DB & string]: DB[T] extends { state: unknown; attempts: unknown; lastError: unknown }
    ? T
    : never
}[keyof DB & string]

type Column<DB, T extends keyof DB> = keyof DB[T] & string
type Row<DB, T extends keyof DB> = Selectable<DB[T]>
/** A column as read. */
type Readable<DB, T extends keyof DB> = keyof Row<DB, T> & string
type State<DB, T extends keyof DB> = Row<DB, T> extends { state: infer S } ? S & string : never

export interface Queue<DB, T extends QueueTable<DB>> {
  table: T
  /** The primary key: ordered, so rows of one group are handed out oldest first. */
  key: Column<DB, T>
  /** When the row is due (again). */
  dueAt: Column<DB, T>
  pending: State<DB, T>
  /** The state of a row that used up its tries; null for a queue that never gives one up. */
  dead: State<DB, T> | null
  /** Stamped with the claim's time at each claim. */
  lastAttemptAt?: Column<DB, T>
  /** Stamped with the failure's time when a row goes dead. */
  deadAt?: Column<DB, T>
  /** An error is kept up to this many characters. */
  errorChars: number
  /**
   * Rows sharing this column are handed out one at a time, in key order: a row is claimable only
   * when no earlier row of its group is held back by its state (`state` is, or `stateNot` is not).
   */
  inOrderOf?: {
    column: Column<DB, T>
    heldBackBy: { state: State<DB, T> } | { stateNot: State<DB, T> }
  }
}

/**
 * What a worker holds after a claim: the row and its count of tries as claimed. The pair is the
 * claim's token: every claim counts a try, so a later claim of the row by another worker no
 * longer matches it.
 */
export interface Claimed {
  key: string
  attempts: number
}

/** `availableAt` → `available_at`, as the camel-case plugin names columns. */
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

const tableOf = (queue: { table: string }) => sql.table(snake(queue.table))
const col = (alias: string, name: string) => sql.ref(`${alias}.${snake(name)}`)

/**
 * A state in a condition, written as a literal as a hand-written query would: the partial
 * indexes of the queues (`WHERE state = 'pending'`) then match the query's plan for sure. States
 * come from the queue's typed description, never from input.
 */
const stateLit = (state: string) => sql.lit(state)

/** `SELECT`/`RETURNING` list of `columns`, each under its camel-case name. */
function selected(alias: string, columns: readonly string[]) {
  return sql.join(columns.map((c) => sql`${col(alias, c)} AS ${sql.id(c)}`))
}

/** The row is due at `now`, or at the database's clock without one (see clock.ts). */
function isDue(queue: { dueAt: string }, now: Date | undefined) {
  return now === undefined
    ? sql`${col('q', queue.dueAt)} <= now()`
    : sql`${col('q', queue.dueAt)} < ${dueBefore(now)}`
}

/** No earlier row of the row's group holds it back. */
function isHeadOfGroup<DB, T extends QueueTable<DB>>(queue: Queue<DB, T>): RawBuilder<unknown> {
  const order = queue.inOrderOf
  if (!order) return sql`TRUE`
  const held =
    'state' in order.heldBackBy
      ? sql`${col('p', 'state')} = ${stateLit(order.heldBackBy.state)}`
      : sql`${col('p', 'state')} <> ${stateLit(order.heldBackBy.stateNot)}`
  return sql`NOT EXISTS (
    SELECT 1 FROM ${tableOf(queue)} p
    WHERE ${col('p', order.column)} = ${col('q', order.column)} AND ${held}
      AND ${col('p', queue.key)} < ${col('q', queue.key)}
  )`
}

/**
 * Leases up to `limit` due pending rows to one worker and counts the try. Rows are locked with
 * SKIP LOCKED, so concurrent workers never take the same row; the lease (moving the row's due
 * time `leaseSeconds` on) means a worker that dies mid-way loses nothing: the row is due again
 * afterwards. `now` is the claimer's clock (tests move it); without it, the database's.
 * Returns `columns` of the claimed rows in key order.
 */
export async function claimDue<DB, T extends QueueTable<DB>, C extends Readable<DB, T>>(
  db: Kysely<DB>,
  queue: Queue<DB, T>,
  options: {
    limit: number
    leaseSeconds: number
    columns: readonly C[]
    orderBy: readonly Column<DB, T>[]
    now?: Date | undefined
    /** Only rows whose `column` holds one of `values`. */
    only?: { column: Column<DB, T>; values: readonly string[] } | undefined
  },
): Promise<Pick<Row<DB, T>, C>[]> {
  const { now } = options
  const at = now === undefined ? sql`now()` : sql`${now}::timestamptz`
  const only = options.only
    ? sql`${col('q', options.only.column)} = ANY(${options.only.values}::text[])`
    : sql`TRUE`
  const result = await sql<Pick<Row<DB, T>, C>>`
    WITH due AS (
      SELECT ${col('q', queue.key)}
      FROM ${tableOf(queue)} q
      WHERE ${col('q', 'state')} = ${stateLit(queue.pending)}
        AND ${isDue(queue, now)}
        AND ${only}
        AND ${isHeadOfGroup(queue)}
      ORDER BY ${sql.join(options.orderBy.map((c) => col('q', c)))}
      LIMIT ${options.limit}
      FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE ${tableOf(queue)} q
      SET ${sql.ref('attempts')} = ${col('q', 'attempts')} + 1,
        ${queue.lastAttemptAt ? sql`${sql.ref(snake(queue.lastAttemptAt))} = ${at},` : sql``}
        ${sql.ref(snake(queue.dueAt))} = ${at} + make_interval(secs => ${options.leaseSeconds})
      FROM due
      WHERE ${col('q', queue.key)} = ${col('due', queue.key)}
      RETURNING q.*
    )
    SELECT ${selected('c', options.columns)} FROM claimed c ORDER BY ${col('c', queue.key)}
  `.execute(db.withoutPlugins())
  return result.rows
}

/**
 * Extends the lease of rows a worker is still working on (api/services/shared/lease.ts renews it
 * while the work lasts): each is due again `leaseSeconds` after `now` (the database's clock
 * without it), never sooner than it already was. Only the claim that holds a row renews it: a row
 * another worker claimed since (this one's lease ran out first), or whose outcome is recorded, is
 * left alone. Returns the keys renewed; the others are no longer this worker's.
 */
export async function renewLease<DB, T extends QueueTable<DB>>(
  db: Kysely<DB>,
  queue: Queue<DB, T>,
  claims: readonly Claimed[],
  options: { leaseSeconds: number; now?: Date | undefined },
): Promise<string[]> {
  if (claims.length === 0) return []
  const at = options.now === undefined ? sql`now()` : sql`${options.now}::timestamptz`
  const due = sql.ref(snake(queue.dueAt))
  const result = await sql<{ key: string }>`
    UPDATE ${tableOf(queue)} q
    SET ${due} = GREATEST(${col('q', queue.dueAt)}, ${at} + make_interval(secs => ${options.leaseSeconds}))
    WHERE ${col('q', queue.key)} IN (${sql.join(claims.map((c) => c.key))})
      AND ${col('q', 'state')} = ${stateLit(queue.pending)}
      AND (${col('q', queue.key)}, ${col('q', 'attempts')}) IN (${sql.join(
        claims.map((c) => sql`(${c.key}, ${c.attempts})`),
      )})
    RETURNING ${col('q', queue.key)}::text AS key
  `.execute(db.withoutPlugins())
  return result.rows.map((r) => r.key)
}

/**
 * Takes the due pending rows matching `match` for the caller's transaction, SKIP LOCKED. The row
 * locks are the lease: should the process die, the transaction ends with it and the rows are
 * due again. The try is not counted here; recordFailure counts it if the transaction fails.
 */
export async function claimForTransaction<DB, T extends QueueTable<DB>, C extends Readable<DB, T>>(
  trx: Transaction<DB>,
  queue: Queue<DB, T>,
  options: {
    now: Date
    match: Partial<Record<Column<DB, T>, string>>
    columns: readonly C[]
    orderBy: readonly Column<DB, T>[]
  },
): Promise<Pick<Row<DB, T>, C>[]> {
  const matches = Object.entries(options.match).map(
    ([column, value]) => sql`${col('q', column)} = ${value}`,
  )
  const result = await sql<Pick<Row<DB, T>, C>>`
    SELECT ${selected('q', options.columns)}
    FROM ${tableOf(queue)} q
    WHERE ${col('q', 'state')} = ${stateLit(queue.pending)}
      AND ${isDue(queue, options.now)}
      AND ${sql.join([sql`TRUE`, ...matches], sql` AND `)}
    ORDER BY ${sql.join(options.orderBy.map((c) => col('q', c)))}
    FOR UPDATE SKIP LOCKED
  `.execute(trx.withoutPlugins())
  return result.rows
}

/** `SET` assignments of `values`, keyed by the Database interface's column names. */
function assignments(values: Record<string, unknown>): RawBuilder<unknown>[] {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .map(([column, value]) => sql`${sql.ref(snake(column))} = ${value}`)
}

/**
 * The claimed try succeeded: the row takes `done` (its finished state and stamps), unless another
 * worker claimed it since (its lease ran out), whose outcome is then the one that counts.
 */
export async function markDone<DB, T extends QueueTable<DB>>(
  db: Kysely<DB>,
  queue: Queue<DB, T>,
  claimed: Claimed,
  done: Updateable<DB[T]>,
): Promise<boolean> {
  const result = await sql`
    UPDATE ${tableOf(queue)}
    SET ${sql.join(assignments(done as Record<string, unknown>))}
    WHERE ${sql.ref(snake(queue.key))} = ${claimed.key}
      AND ${sql.ref('state')} = ${stateLit(queue.pending)}
      AND ${sql.ref('attempts')} = ${claimed.attempts}
  `.execute(db.withoutPlugins())
  return result.numAffectedRows === 1n
}

/**
 * The claimed row may not be tried yet (a limit of the receiver's, a time of day): it is due
 * again at `until` and its try is given back, so waiting never uses up the row's tries. Only for
 * the claim that holds it.
 */
export async function postpone<DB, T extends QueueTable<DB>>(
  db: Kysely<DB>,
  queue: Queue<DB, T>,
  claimed: Claimed,
  until: Date,
): Promise<boolean> {
  const result = await sql`
    UPDATE ${tableOf(queue)}
    SET ${sql.ref(snake(queue.dueAt))} = ${until}, ${sql.ref('attempts')} = ${sql.ref('attempts')} - 1
    WHERE ${sql.ref(snake(queue.key))} = ${claimed.key}
      AND ${sql.ref('state')} = ${stateLit(queue.pending)}
      AND ${sql.ref('attempts')} = ${claimed.attempts}
  `.execute(db.withoutPlugins())
  return result.numAffectedRows === 1n
}

/** Rows handled for good that the queue does not keep (the outbox carries changes only). */
export async function deleteDone<DB, T extends QueueTable<DB>>(
  db: Kysely<DB>,
  queue: Queue<DB, T>,
  keys: readonly string[],
): Promise<void> {
  if (keys.length === 0) return
  await sql`
    DELETE FROM ${tableOf(queue)} WHERE ${sql.ref(snake(queue.key))} IN (${sql.join(keys)})
  `.execute(db.withoutPlugins())
}

/** What a failed try leads to (api/services/shared/queue-policy.ts afterFailure). */
export type FailureOutcome = { dead: false; delayMs: number } | { dead: true }

/**
 * The claimed try failed with `error`: the row is due again after `outcome.delayMs`, counted from
 * `at` (the database's clock without it), or dead. Only for the claim that holds the row: a row
 * another worker claimed since, or that left `pending` meanwhile, is left alone. A queue that
 * counts a try when it fails (a claim for a transaction) passes `countAttempt`; `also` sets the
 * queue's own columns (an HTTP status).
 */
export async function recordFailure<DB, T extends QueueTable<DB>>(
  db: Kysely<DB>,
  queue: Queue<DB, T>,
  claimed: Claimed,
  failure: {
    error: string
    outcome: FailureOutcome
    at?: Date | undefined
    countAttempt?: boolean
    also?: Updateable<DB[T]>
  },
): Promise<boolean> {
  const { outcome, at } = failure
  if (outcome.dead && queue.dead === null) throw new Error(`${queue.table} has no dead state`)
  const clock = at === undefined ? sql`now()` : sql`${at}::timestamptz`
  const set = [
    sql`${sql.ref('last_error')} = ${failure.error.slice(0, queue.errorChars)}`,
    ...assignments(failure.also ?? {}),
  ]
  if (failure.countAttempt) set.push(sql`${sql.ref('attempts')} = ${sql.ref('attempts')} + 1`)
  if (outcome.dead) {
    set.push(sql`${sql.ref('state')} = ${queue.dead}`)
    if (queue.deadAt) set.push(sql`${sql.ref(snake(queue.deadAt))} = ${clock}`)
  } else {
    set.push(
      at === undefined
        ? sql`${sql.ref(snake(queue.dueAt))} = now() + make_interval(secs => ${outcome.delayMs / 1000})`
        : sql`${sql.ref(snake(queue.dueAt))} = ${new Date(at.getTime() + outcome.delayMs)}`,
    )
  }
  const result = await sql`
    UPDATE ${tableOf(queue)}
    SET ${sql.join(set)}
    WHERE ${sql.ref(snake(queue.key))} = ${claimed.key}
      AND ${sql.ref('state')} = ${stateLit(queue.pending)}
      AND ${sql.ref('attempts')} = ${claimed.attempts}
  `.execute(db.withoutPlugins())
  return result.numAffectedRows === 1n
}

/**
 * Sends a row given up on (dead, or another state `from` names) back to the queue by hand: due at
 * `at`, its tries counted from zero, with the queue's own columns `also` set. Returns `columns`
 * of the row, or undefined when it was not in that state (someone retried it first).
 */
export async function retryByHand<DB, T extends QueueTable<DB>, C extends Readable<DB, T>>(
  db: Kysely<DB>,
  queue: Queue<DB, T>,
  key: string,
  options: {
    at: Date
    columns: readonly C[]
    from?: State<DB, T>
    also?: Updateable<DB[T]>
  },
): Promise<Pick<Row<DB, T>, C> | undefined> {
  const from = options.from ?? queue.dead
  if (from === null) throw new Error(`${queue.table} has no dead state to retry from`)
  const result = await sql<Pick<Row<DB, T>, C>>`
    UPDATE ${tableOf(queue)} q
    SET ${sql.join([
      sql`${sql.ref('state')} = ${queue.pending}`,
      sql`${sql.ref('attempts')} = 0`,
      sql`${sql.ref(snake(queue.dueAt))} = ${options.at}`,
      ...assignments((options.also ?? {}) as Record<string, unknown>),
    ])}
    WHERE ${col('q', queue.key)} = ${key} AND ${col('q', 'state')} = ${stateLit(from)}
    RETURNING ${selected('q', options.columns)}
  `.execute(db.withoutPlugins())
  return result.rows[0]
}

/**
 * When the earliest pending row that heads its group is due, or undefined when none waits: how
 * long a delivery loop may sleep.
 */
export async function nextDueAt<DB, T extends QueueTable<DB>>(
  db: Kysely<DB>,
  queue: Queue<DB, T>,
  /** Only rows whose `column` holds one of `values` (those claimDue's `only` would take). */
  only?: { column: Column<DB, T>; values: readonly string[] },
): Promise<Date | undefined> {
  const result = await sql<{ at: Date | null }>`
    SELECT min(${col('q', queue.dueAt)}) AS at
    FROM ${tableOf(queue)} q
    WHERE ${col('q', 'state')} = ${stateLit(queue.pending)} AND ${isHeadOfGroup(queue)}
      AND ${only ? sql`${col('q', only.column)} = ANY(${only.values}::text[])` : sql`TRUE`}
  `.execute(db.withoutPlugins())
  return result.rows[0]?.at ?? undefined
}

/** How many rows are in each state. */
export async function countByState<DB, T extends QueueTable<DB>>(
  db: Kysely<DB>,
  queue: Queue<DB, T>,
): Promise<Partial<Record<State<DB, T>, number>>> {
  const result = await sql<{ state: State<DB, T>; n: string }>`
    SELECT state, count(*) AS n FROM ${tableOf(queue)} GROUP BY state
  `.execute(db.withoutPlugins())
  return Object.fromEntries(result.rows.map((r) => [r.state, Number(r.n)])) as Partial<
    Record<State<DB, T>, number>
  >
}
