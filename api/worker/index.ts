import { insertCertificationEvents } from '../../db/queries/enterprise-changes.ts'
import { expireLapsed } from '../../db/queries/enterprises.ts'
import {
  deleteIdempotencyKeysBefore,
  deleteRateLimitWindowsBefore,
} from '../../db/queries/complaints.ts'
import { enqueue } from '../../db/queries/outbox.ts'
import { deleteRecoveriesBefore } from '../../db/queries/query-code-recovery.ts'
import { blankSentCodes } from '../../db/queries/sms.ts'
import type { Deps } from '../deps.ts'
import { errorKind } from '../logger.ts'
import {
  enterpriseChangedTopic,
  enterpriseIndexer,
  enterpriseKey,
} from '../search/enterprise-indexer.ts'
import {
  complaintChangedTopic,
  complaintIdOf,
  complaintIndexer,
} from '../search/complaint-indexer.ts'
import { sweepWarnings } from '../services/warnings/detection.ts'
import { createPacedDetection, type PacedDetection } from '../services/warnings/paced.ts'
import { createOutboxWorker, type OutboxHandler } from './outbox-worker.ts'
import { createHotlineInboxWorker } from './hotline-inbox-worker.ts'
import { startCallbackDelivery } from '../services/hotline/delivery.ts'
import { beijingDate } from '../domain/beijing-time.ts'
import { erasePersonalDataPastRetention } from '../services/admin/cases/retention.ts'
import { removeOrphanPhotos } from '../services/complaints/orphan-photos.ts'
import { sweepExpiredDrafts } from '../services/complaints/drafts/store.ts'
import { creditRecomputeTopic } from '../domain/credit.ts'
import { creditRecomputer, regradeAgedOut } from '../services/credit/grade.ts'
import { enqueueCreditRecompute } from '../../db/queries/credit-record.ts'
import { publishDueCampaigns } from '../services/admin/campaigns/publication.ts'
import { takeDownPenaltiesPastPeriod } from '../services/admin/penalties/takedown.ts'
import { handlerNoticeTopic } from '../services/notifications/notice.ts'
import { noticeFanOut } from '../services/notifications/fan-out.ts'
import { startNotificationDelivery } from '../services/notifications/delivery.ts'
import { residentSmsTopic } from '../services/sms/enqueue.ts'
import { residentSmsQueuer } from '../services/sms/queuer.ts'
import { startSmsDelivery } from '../services/sms/delivery.ts'

/**
 * The outbox's handlers. `detection` is the paced early-warning check the complaint handler feeds
 * (one per worker, stopped with it); by default one of its own, unless WARNINGS_DETECTION is off.
 */
export function outboxHandlers(
  deps: Pick<Deps, 'db' | 'search' | 'config' | 'logger' | 'smsTemplates'>,
  detection = pacedDetectionOf(deps),
): Record<string, OutboxHandler> {
  return {
    [enterpriseChangedTopic]: enterpriseIndexer(deps.db, deps.search),
    [complaintChangedTopic]: complaintChangeHandler(deps, detection),
    [creditRecomputeTopic]: creditRecomputer(deps.db),
    [handlerNoticeTopic]: noticeFanOut(deps.db, deps.logger.child({ component: 'notifications' })),
    [residentSmsTopic]: residentSmsQueuer({
      ...deps,
      logger: deps.logger.child({ component: 'sms' }),
    }),
  }
}

function pacedDetectionOf(deps: Pick<Deps, 'db' | 'config' | 'logger'>) {
  if (deps.config.WARNINGS_DETECTION === 'off') return null
  return createPacedDetection({ ...deps, logger: deps.logger.child({ component: 'warnings' }) })
}

/**
 * A changed complaint is indexed and then, unless detection is off, filed for early warning
 * (paced.ts judges it). Both ride the one message intake already writes: a second topic would add
 * an outbox row (insert, claim, delete) to every complaint filed, and intake pays for those in
 * its commit. A failed index retries the batch. A failed check does not: retrying would hold back
 * the next changes of the same complaints from the console's search for as long as detection kept
 * failing, and what it missed is derived data the hourly sweep judges again (the last 48 h).
 */
function complaintChangeHandler(
  deps: Pick<Deps, 'db' | 'search' | 'logger'>,
  detection: PacedDetection | null,
): OutboxHandler {
  const index = complaintIndexer(deps.db, deps.search)
  if (!detection) return index
  return async (rows) => {
    await index(rows)
    try {
      await detection.file(rows.map(complaintIdOf))
    } catch (error) {
      deps.logger
        .child({ component: 'warnings' })
        .warn(
          { count: rows.length, err: errorKind(error) },
          'warning check failed; the hourly sweep checks these complaints again',
        )
    }
  }
}

/**
 * Marks certifications whose validity has ended as expired, with a history entry and an outbox
 * message each, so the public status is never out of date by more than one sweep.
 */
async function expireLapsedCertifications(deps: Pick<Deps, 'db'>, today = beijingDate()) {
  return deps.db.transaction().execute(async (trx) => {
    const lapsed = await expireLapsed(trx, today)
    if (lapsed.length === 0) return 0
    await insertCertificationEvents(
      trx,
      lapsed.map((e) => ({
        uscc: e.uscc,
        kind: 'expired' as const,
        occurredOn: e.statusSince,
        validUntil: e.validUntil,
        reason: '有效期届满',
        source: 'system:expiry',
      })),
    )
    await enqueue(
      trx,
      lapsed.map((e) => ({
        topic: enterpriseChangedTopic,
        aggregateKey: enterpriseKey(e.uscc),
        payload: { uscc: e.uscc, source: 'system:expiry' },
      })),
    )
    await enqueueCreditRecompute(
      trx,
      lapsed.map((e) => e.uscc),
      'system:expiry',
    )
    return lapsed.length
  })
}

/**
 * Drops rate-limit windows older than a day, idempotency records past their day and query-code
 * recovery codes older than a day, and blanks recovery codes in messages that expired unsent: all
 * only matter while fresh, and the second holds sealed receipts that should not linger.
 */
export async function pruneAbuseRecords(deps: Pick<Deps, 'db'>, now = Date.now()) {
  const dayAgo = new Date(now - 24 * 3600_000)
  await deleteRateLimitWindowsBefore(deps.db, dayAgo)
  await deleteRecoveriesBefore(deps.db, dayAgo)
  await blankSentCodes(deps.db)
  return deleteIdempotencyKeysBefore(deps.db, dayAgo)
}

/**
 * The outbox worker, the 12345 inbox worker, the deliveries of 12345 callbacks, of notices to
 * handlers and of text messages to residents, and the hourly sweeps (expiry, abuse records,
 * personal data past its retention period, photos no complaint refers to), on this thread. The web
 * process runs them on a thread of their own (background-thread.ts), so indexing a burst never
 * holds up a request.
 */
export function runBackgroundWork(options: { deps: Deps; databaseUrl?: string | undefined }) {
  const { deps } = options
  const detection = pacedDetectionOf(deps)
  const worker = createOutboxWorker({
    db: deps.db,
    handlers: outboxHandlers(deps, detection),
    logger: deps.logger.child({ component: 'outbox' }),
    databaseUrl: options.databaseUrl,
  })
  worker.start()
  const hotlineInbox = createHotlineInboxWorker({
    deps,
    logger: deps.logger.child({ component: 'hotline-inbox' }),
    databaseUrl: options.databaseUrl,
  })
  hotlineInbox.start()
  const callbacks = startCallbackDelivery(deps, { databaseUrl: options.databaseUrl })
  const notices = startNotificationDelivery(deps, { databaseUrl: options.databaseUrl })
  const sms = startSmsDelivery(deps, { databaseUrl: options.databaseUrl })
  const sweep = () =>
    Promise.all([
      expireLapsedCertifications(deps),
      pruneAbuseRecords(deps),
      erasePersonalDataPastRetention(deps),
      removeOrphanPhotos(deps),
      sweepExpiredDrafts(deps),
      regradeAgedOut(deps),
      publishDueCampaigns(deps),
      takeDownPenaltiesPastPeriod(deps),
      deps.config.WARNINGS_DETECTION === 'on' ? sweepWarnings(deps) : undefined,
    ]).catch((error: unknown) => deps.logger.warn({ err: String(error) }, 'hourly sweep failed'))
  void sweep()
  const timer = setInterval(() => void sweep(), 60 * 60 * 1000)
  return {
    stop: async () => {
      clearInterval(timer)
      await Promise.all([
        worker.stop(),
        hotlineInbox.stop(),
        callbacks.stop(),
        notices.stop(),
        sms.stop(),
      ])
      await detection?.stop()
    },
  }
}
