import { sql, type Insertable, type Kysely } from 'kysely'
import type { AuditLogTable, Database } from '../database.ts'

export interface AuditLogFilters {
  username?: string | undefined
  /** An exact action, or every action under a prefix such as `auth.`. */
  action?: string | undefined
  actionPrefix?: string | undefined
  complaintId?: string | undefined
  trackingNo?: string | undefined
  /** Half-open: from ≤ occurred_at < until. */
  from?: Date | undefined
  until?: Date | undefined
}

export interface AuditLogRow {
  id: string
  occurredAt: Date
  username: string
  action: string
  complaintId: string | null
  trackingNo: string | null
  enterpriseUscc: string | null
  clientAddress: string
  detail: Record<string, unknown>
}

/** One page of the audit log, newest first, with the number of entries matching in all. */
export async function searchAuditLog(
  db: Kysely<Database>,
  filters: AuditLogFilters,
  page: { limit: number; offset: number },
): Promise<{ rows: AuditLogRow[]; total: number }> {
  let query = db.selectFrom('auditLog as a').leftJoin('complaints as c', 'c.id', 'a.complaintId')
  if (filters.username) query = query.where('a.username', '=', filters.username)
  if (filters.action) query = query.where('a.action', '=', filters.action)
  if (filters.actionPrefix) {
    query = query.where('a.action', 'like', `${filters.actionPrefix.replace(/[\\%_]/g, '\\$&')}%`)
  }
  if (filters.complaintId) query = query.where('a.complaintId', '=', filters.complaintId)
  if (filters.trackingNo) query = query.where('c.trackingNo', '=', filters.trackingNo)
  if (filters.from) query = query.where('a.occurredAt', '>=', filters.from)
  if (filters.until) query = query.where('a.occurredAt', '<', filters.until)

  const [rows, count] = await Promise.all([
    query
      .select([
        'a.id',
        'a.occurredAt',
        'a.username',
        'a.action',
        'a.complaintId',
        'c.trackingNo',
        'a.enterpriseUscc',
        'a.clientAddress',
        'a.detail',
      ])
      .orderBy('a.occurredAt', 'desc')
      .orderBy('a.id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select(sql<string>`count(*)`.as('total')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.total) }
}

/** Appends one entry (the table refuses UPDATE and DELETE). */
export async function insertAuditEntry(db: Kysely<Database>, entry: Insertable<AuditLogTable>) {
  await db.insertInto('auditLog').values(entry).execute()
}
