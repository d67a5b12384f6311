import { sql, type Kysely, type Transaction } from 'kysely'
import type { ComplaintCategory, ComplaintStatus, Database } from '../database.ts'

const clientColumns = [
  'open311Clients.id',
  'open311Clients.name',
  'open311Clients.piiKeyId',
  'open311Clients.contactSealed',
  'open311Clients.keyPrefix',
  'open311Clients.createdAt',
  'open311Clients.revokedAt',
] as const

/** Every registered app, newest first, with who registered it and how many requests it filed. */
export function listOpen311Clients(db: Kysely<Database>) {
  return db
    .selectFrom('open311Clients')
    .innerJoin('operators', 'operators.id', 'open311Clients.createdBy')
    .select(clientColumns)
    .select('operators.username as createdByName')
    .select((eb) =>
      eb
        .selectFrom('open311Requests')
        .whereRef('open311Requests.clientId', '=', 'open311Clients.id')
        .select(eb.fn.countAll<string>().as('n'))
        .as('requests'),
    )
    .orderBy('open311Clients.id', 'desc')
    .execute()
}

export type Open311ClientRow = Awaited<ReturnType<typeof listOpen311Clients>>[number]

export function insertOpen311Client(
  trx: Transaction<Database>,
  row: {
    name: string
    piiKeyId: string
    contactSealed: Buffer
    keyHash: Buffer
    keyPrefix: string
    createdBy: string
  },
) {
  return trx
    .insertInto('open311Clients')
    .values(row)
    .returning(['id', 'name', 'keyPrefix', 'createdAt'])
    .executeTakeFirstOrThrow()
}

/** Revokes a key still in use; undefined for an unknown id or a key already revoked. */
export function revokeOpen311Client(trx: Transaction<Database>, id: string, operatorId: string) {
  return trx
    .updateTable('open311Clients')
    .set({ revokedAt: sql<Date>`now()`, revokedBy: operatorId })
    .where('id', '=', id)
    .where('revokedAt', 'is', null)
    .returning(['id', 'name', 'keyPrefix'])
    .executeTakeFirst()
}

/** The app holding a key, while the key is not revoked. */
export function findActiveOpen311Client(db: Kysely<Database>, keyHash: Buffer) {
  return db
    .selectFrom('open311Clients')
    .select(['id', 'name', 'keyPrefix'])
    .where('keyHash', '=', keyHash)
    .where('revokedAt', 'is', null)
    .executeTakeFirst()
}

/**
 * Links a filed complaint to the app that filed it; doing it again (a replayed submission)
 * changes nothing. Another app's link is kept: a complaint belongs to its first sender.
 */
export async function linkOpen311Request(
  db: Kysely<Database>,
  link: { trackingNo: string; clientId: string },
) {
  await db
    .insertInto('open311Requests')
    .columns(['complaintId', 'clientId'])
    .expression((eb) =>
      eb
        .selectFrom('complaints')
        .select(['complaints.id', eb.val(link.clientId).as('clientId')])
        .where('complaints.trackingNo', '=', link.trackingNo),
    )
    .onConflict((oc) => oc.column('complaintId').doNothing())
    .execute()
}

export interface Open311RequestFilters {
  trackingNos?: readonly string[] | undefined
  categories?: readonly ComplaintCategory[] | undefined
  statuses?: readonly ComplaintStatus[] | undefined
  receivedFrom?: Date | undefined
  receivedUntil?: Date | undefined
  limit: number
}

/**
 * Complaints filed through Open311, newest first, with only what the public may read of them:
 * no name, phone, description, address or evidence is selected here at all. A case merged into
 * another (合并办理) answers with the status, deadline and reply of the case handled for it.
 */
export function findOpen311Requests(db: Kysely<Database>, filters: Open311RequestFilters) {
  const status = sql<ComplaintStatus>`coalesce(handled.status, complaints.status)`
  let query = db
    .selectFrom('open311Requests')
    .innerJoin('complaints', 'complaints.id', 'open311Requests.complaintId')
    .leftJoin('complaints as handled', 'handled.id', 'complaints.mergedInto')
    .select((eb) => [
      'complaints.trackingNo',
      'complaints.kind',
      'complaints.category',
      status.as('status'),
      'complaints.countyCode',
      'complaints.receivedAt',
      sql<Date>`greatest(handled.updated_at, complaints.updated_at)`.as('updatedAt'),
      eb.fn.coalesce('handled.dueAt', 'complaints.dueAt').as('dueAt'),
      eb.fn.coalesce('handled.rejectionReason', 'complaints.rejectionReason').as('rejectionReason'),
      eb.fn.coalesce('handled.publicReply', 'complaints.publicReply').as('publicReply'),
    ])
    .orderBy('complaints.receivedAt', 'desc')
    .orderBy('complaints.id', 'desc')
    .limit(filters.limit)
  if (filters.trackingNos) query = query.where('complaints.trackingNo', 'in', filters.trackingNos)
  if (filters.categories) query = query.where('complaints.category', 'in', filters.categories)
  if (filters.statuses) query = query.where(status, 'in', filters.statuses)
  if (filters.receivedFrom) query = query.where('complaints.receivedAt', '>=', filters.receivedFrom)
  if (filters.receivedUntil) {
    query = query.where('complaints.receivedAt', '<=', filters.receivedUntil)
  }
  return query.execute()
}

export type Open311RequestRow = Awaited<ReturnType<typeof findOpen311Requests>>[number]
