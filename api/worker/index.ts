import { expireLapsed } from '../../db/queries/enterprises.ts'
import { enqueue } from '../../db/queries/outbox.ts'
import type { Deps } from '../deps.ts'
import {
  enterpriseChangedTopic,
  enterpriseIndexer,
  enterpriseKey,
} from '../search/enterprise-indexer.ts'
import { createOutboxWorker, type OutboxHandler } from './outbox-worker.ts'
import { shanghaiToday } from '../time.ts'

export function outboxHandlers(deps: Pick<Deps, 'db' | 'search'>): Record<string, OutboxHandler> {
  return { [enterpriseChangedTopic]: enterpriseIndexer(deps.db, deps.search) }
}

/**
 * Marks certifications whose validity has ended as expired, with a history entry and an outbox
 * message each, so the public status is never out of date by more than one sweep.
 */
export async function expireLapsedCertifications(deps: Pick<Deps, 'db'>, today = shanghaiToday()) {
  return deps.db.transaction().execute(async (trx) => {
    const lapsed = await expireLapsed(trx, today)
    if (lapsed.length === 0) return 0
    await trx
      .insertInto('certificationEvents')
      .values(
        lapsed.map((e) => ({
          uscc: e.uscc,
          kind: 'expired' as const,
          occurredOn: e.statusSince,
          validUntil: e.validUntil,
          reason: '有效期届满',
          source: 'system:expiry',
        })),
      )
      .execute()
    await enqueue(
      trx,
      lapsed.map((e) => ({
        topic: enterpriseChangedTopic,
        aggregateKey: enterpriseKey(e.uscc),
        payload: { uscc: e.uscc, source: 'system:expiry' },
      })),
    )
    return lapsed.length
  })
}

/** The outbox worker and the hourly expiry sweep, for the web process or a worker process. */
export function startBackgroundWork(options: { deps: Deps; databaseUrl?: string }) {
  const { deps } = options
  if (!deps.config.WORKER_ENABLED) return { stop: () => Promise.resolve() }
  const worker = createOutboxWorker({
    db: deps.db,
    handlers: outboxHandlers(deps),
    logger: deps.logger.child({ component: 'outbox' }),
    databaseUrl: options.databaseUrl,
  })
  worker.start()
  const sweep = () =>
    expireLapsedCertifications(deps).catch((error: unknown) =>
      deps.logger.warn({ err: String(error) }, 'expiry sweep failed'),
    )
  void sweep()
  const timer = setInterval(() => void sweep(), 60 * 60 * 1000)
  return {
    stop: async () => {
      clearInterval(timer)
      await worker.stop()
    },
  }
}
