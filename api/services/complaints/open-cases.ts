import type { Kysely } from 'kysely'
import { z } from 'zod'
import type { Database } from '../../../db/database.ts'
import { countCasesBeingHandled } from '../../../db/queries/merged-cases.ts'
import type { ServiceContext } from '../../deps.ts'
import { subjectsOfComplaint } from '../../domain/warning-subjects.ts'
import { usccProblem } from '../../domain/uscc.ts'
import { validationFailed } from '../../validation.ts'

/**
 * 同一单位的其他投诉举报 (issue 25, item 4): while a resident files, once the business is
 * identified (its credit code, or its name and address in a county), the form says how many
 * cases naming it are being handled, and nothing else about them.
 */
export const openCasesQuerySchema = z.object({
  county: z
    .string()
    .trim()
    .regex(/^3311\d{2}$/, '请选择事发区县。')
    .optional(),
  merchantName: z.string().trim().max(200, '商户名称最多 200 个字。').optional(),
  merchantUscc: z.string().trim().max(40, '统一社会信用代码有误。').optional(),
  address: z.string().trim().max(500, '地址最多 500 个字。').optional(),
})

type OpenCasesQuery = z.infer<typeof openCasesQuerySchema>

export interface OpenCases {
  /** Whether the business is identified enough to count: a code, or name, address and county. */
  identified: boolean
  count: number
  /** The sentence the form shows; null when there is nothing to say. */
  message: string | null
}

/** Cases received this long ago or less are counted: none stays open longer. */
const countedDays = 365
/** A count is reused this long: the form asks as the resident types, many residents at once. */
const reuseMs = 10_000
const reusedAtMost = 5_000

const reused = new WeakMap<Kysely<Database>, Map<string, { count: number; until: number }>>()

/** The business subject key the fields name, as intake files it, or null when they name none. */
function businessKeyOf(q: OpenCasesQuery): string | null {
  const uscc = q.merchantUscc?.toUpperCase()
  const code = uscc && !usccProblem(uscc) ? uscc : null
  if (!code && !(q.county && q.merchantName && q.address)) return null
  const business = subjectsOfComplaint({
    countyCode: q.county ?? '',
    category: 'other',
    merchantName: q.merchantName ?? '',
    merchantUscc: code,
    enterpriseUscc: null,
    address: q.address ?? '',
    ticketNo: null,
  }).find((s) => s.kind === 'business')
  return business?.key ?? null
}

const openCasesMessage = (count: number) =>
  `已有 ${count} 件关于该单位的投诉举报正在办理。您仍然可以提交，您反映的情况会单独登记，并与这些投诉举报一并处理。`

export async function countOpenCasesAbout({
  ctx,
  input,
}: {
  ctx: Pick<ServiceContext, 'db'>
  input: unknown
}): Promise<OpenCases> {
  const parsed = openCasesQuerySchema.safeParse(input)
  if (!parsed.success) throw validationFailed(parsed.error, 'query')
  const key = businessKeyOf(parsed.data)
  if (key === null) return { identified: false, count: 0, message: null }
  const count = await countOf(ctx.db, key)
  return { identified: true, count, message: count > 0 ? openCasesMessage(count) : null }
}

async function countOf(db: Kysely<Database>, key: string): Promise<number> {
  let cache = reused.get(db)
  if (!cache) reused.set(db, (cache = new Map<string, { count: number; until: number }>()))
  const now = Date.now()
  const hit = cache.get(key)
  if (hit && hit.until > now) return hit.count
  const since = new Date(now - countedDays * 86_400_000)
  const count = await countCasesBeingHandled(db, { kind: 'business', key }, since)
  if (cache.size >= reusedAtMost) cache.clear()
  cache.set(key, { count, until: now + reuseMs })
  return count
}
