import type { Kysely } from 'kysely'
import type { Database } from '../../../db/database.ts'
import {
  advanceWarnings,
  allThresholds,
  chasedTicketComplaintIds,
  complaintIdsReceivedBetween,
  fileUnderSubjects,
  insertWarning,
  openWarningsOf,
  subjectCounts,
  subjectFactsOf,
  type FiledSubject,
  type WarningAdvance,
  type WarningThreshold,
} from '../../../db/queries/warnings.ts'
import type { Config } from '../../config.ts'
import type { Logger } from '../../logger.ts'
import { subjectsOfComplaint, type SubjectRef } from '../../domain/warning-subjects.ts'
import { judgeCounts, judgeTicket, ruleSettings, type Verdict } from '../../domain/warnings-rule.ts'
import type { WarningSeverity, WarningSubjectKind } from '../../domain/warnings.ts'
import { enqueueNotice } from '../notifications/notice.ts'
import { warningNotice } from './detection-notice.ts'

/**
 * Early-warning detection (issue 24): complaints are filed under their subjects, then the
 * subjects are judged. The outbox worker files every changed complaint and judges at a pace
 * (paced.ts); the hourly sweep does both for the last window; never on a request's path. `now` is
 * a parameter so a benchmark can replay a year on a simulated clock. Idempotent: filing a
 * complaint again, judging a subject again or moving a warning on again changes nothing that is
 * already so.
 */
export interface DetectionDeps {
  db: Kysely<Database>
  logger: Logger
  config: Pick<Config, 'SITE_URL'>
}

export interface DetectionOutcome {
  /** Warnings opened (ids). */
  opened: string[]
  /** Warnings whose severity rose (ids). */
  escalated: string[]
}

const hour = 3600_000
const subjectId = (s: { kind: WarningSubjectKind; key: string }) => `${s.kind}\u0000${s.key}`

interface Judged {
  subject: SubjectRef
  windowCount: number
  verdict: (Verdict & { ticket?: { urgeCount: number; supervised: boolean } }) | null
}

/**
 * The threshold for a subject: its county's row for its kind when there is one, else the
 * city-wide row (the thresholds page says a county's setting wins over the city's).
 */
function thresholdsOf(all: readonly WarningThreshold[], subject: SubjectRef) {
  const ofKind = all.filter((t) => t.subjectKind === subject.kind)
  const county = ofKind.filter((t) => t.countyCode !== null && t.countyCode === subject.countyCode)
  return county.length > 0 ? county : ofKind.filter((t) => t.countyCode === null)
}

async function judgeSubjects(
  db: Kysely<Database>,
  subjects: readonly SubjectRef[],
  now: Date,
): Promise<Judged[]> {
  const thresholds = await allThresholds(db)
  const extraHours = [...new Set(thresholds.map((t) => t.windowHours))]
  const counts = await subjectCounts(db, subjects, {
    now,
    windowHours: ruleSettings.windowHours,
    baselineHours: ruleSettings.baselineWeeks * 7 * 24,
    extraHours,
  })
  const byId = new Map(counts.map((c) => [subjectId(c), c]))
  return subjects.map((subject) => {
    const c = byId.get(subjectId(subject))
    const windowCount = c?.windowCount ?? 0
    const verdict = judgeCounts({
      kind: subject.kind,
      windowCount,
      baselineCount: c?.baselineCount ?? 0,
      thresholds: thresholdsOf(thresholds, subject).map((t) => ({
        windowHours: t.windowHours,
        minCount: t.minCount,
        severity: t.severity,
        count: c?.extraCounts[extraHours.indexOf(t.windowHours)] ?? 0,
      })),
    })
    return { subject, windowCount, verdict }
  })
}

/** A subject some complaints were filed under, waiting to be judged. */
interface Touched {
  subject: SubjectRef
  /** The newest of those complaints. */
  newest: Date
  /** A 12345 ticket's chasing, as last read. */
  ticket?: { urgeCount: number; supervised: boolean }
}

/** The subjects filed complaints touched, by subject id. */
export type TouchedSubjects = Map<string, Touched>

/** Adds `more` to `into`: what a paced detection gathers between two judgements. */
export function mergeTouched(into: TouchedSubjects, more: TouchedSubjects): TouchedSubjects {
  for (const [id, t] of more) {
    const had = into.get(id)
    into.set(id, had && had.newest > t.newest ? { ...t, newest: had.newest } : t)
  }
  return into
}

/**
 * Files these complaints under the subjects they name (filing one again changes nothing) and
 * returns the subjects touched, for judgeSubjectsAt.
 */
export async function fileComplaints(
  deps: Pick<DetectionDeps, 'db'>,
  complaintIds: readonly string[],
): Promise<TouchedSubjects> {
  const touched: TouchedSubjects = new Map()
  const facts = await subjectFactsOf(deps.db, [...new Set(complaintIds)])
  const filed: FiledSubject[] = []
  for (const f of facts) {
    const ticket = f.ticketNo
      ? { urgeCount: f.urgeCount ?? 0, supervised: f.supervisedAt !== null }
      : undefined
    for (const s of subjectsOfComplaint(f)) {
      filed.push({
        complaintId: f.id,
        subjectKind: s.kind,
        subjectKey: s.key,
        countyCode: f.countyCode,
        receivedAt: f.receivedAt,
      })
      const t: Touched = { subject: s, newest: f.receivedAt }
      if (s.kind === 'hotline_ticket' && ticket) t.ticket = ticket
      mergeTouched(touched, new Map([[subjectId(s), t]]))
    }
  }
  await fileUnderSubjects(deps.db, filed)
  return touched
}

/**
 * Files these complaints under their subjects, judges every subject they touch at `now`, and
 * opens, joins or escalates warnings; a new or more severe warning enqueues its notice in the
 * same transaction.
 */
export async function detectWarnings(
  deps: DetectionDeps,
  complaintIds: readonly string[],
  now: Date,
): Promise<DetectionOutcome> {
  return judgeSubjectsAt(deps, await fileComplaints(deps, complaintIds), now)
}

/**
 * Judges the subjects filed complaints touched, at `now`, and opens, joins or escalates their
 * warnings; a new or more severe warning enqueues its notice in the same transaction.
 */
export async function judgeSubjectsAt(
  deps: DetectionDeps,
  touched: TouchedSubjects,
  now: Date,
): Promise<DetectionOutcome> {
  const outcome: DetectionOutcome = { opened: [], escalated: [] }
  if (touched.size === 0) return outcome
  const subjects = [...touched.values()].map((t) => t.subject)
  const counted = subjects.filter((s) => s.kind !== 'hotline_ticket')
  const judged = await judgeSubjects(deps.db, counted, now)
  for (const { subject, ticket } of touched.values()) {
    if (subject.kind !== 'hotline_ticket' || !ticket) continue
    const verdict = judgeTicket(ticket)
    judged.push({
      subject,
      windowCount: Math.max(1, ticket.urgeCount),
      verdict: verdict && {
        ...verdict,
        windowHours: ruleSettings.windowHours,
        windowCount: Math.max(1, ticket.urgeCount),
        expected: 0,
        pValue: 0,
        ticket,
      },
    })
  }

  const open = new Map(
    (await openWarningsOf(deps.db, subjects)).map((w) => [
      subjectId({ kind: w.subjectKind, key: w.subjectKey }),
      w,
    ]),
  )
  const acting = judged.filter((j) => j.verdict || open.has(subjectId(j.subject)))
  if (acting.length === 0) return outcome

  await deps.db.transaction().execute(async (trx) => {
    // Open the warnings the verdicts call for, then move every acting subject's warning on to its
    // newest case in one statement, then tell handlers of what opened or grew more severe.
    const joins: (WarningAdvance & { judged: Judged; opened: boolean })[] = []
    for (const judgedSubject of acting) {
      const { subject, windowCount, verdict } = judgedSubject
      let existing = open.get(subjectId(subject))?.id
      let opened = false
      if (!existing && verdict) {
        existing = await insertWarning(trx, {
          subjectKind: subject.kind,
          subjectKey: subject.key,
          subjectLabel: subject.label,
          countyCode: subject.countyCode,
          severity: verdict.severity,
          rule: verdict.rule,
          windowHours: verdict.windowHours,
          windowCount: verdict.windowCount,
          expected: verdict.expected,
          firedAt: now,
          casesFrom:
            subject.kind === 'hotline_ticket'
              ? null
              : new Date(now.getTime() - verdict.windowHours * hour),
        })
        // Undefined: another worker opened one a moment ago; join it.
        opened = existing !== undefined
        existing ??= (await openWarningsOf(trx, [subject]))[0]?.id
      }
      if (!existing) continue
      joins.push({
        id: existing,
        lastCaseAt: touched.get(subjectId(subject))!.newest,
        windowCount: verdict?.windowCount ?? windowCount,
        severity: verdict?.severity ?? 0,
        judged: judgedSubject,
        opened,
      })
    }
    const joined = new Map((await advanceWarnings(trx, joins)).map((r) => [r.id, r]))
    for (const join of joins) {
      const { subject, verdict } = join.judged
      const result = joined.get(join.id)
      const event = join.opened
        ? 'opened'
        : result && result.after > result.before
          ? 'escalated'
          : null
      if (!event || !verdict) continue
      const severity = (result?.after ?? verdict.severity) as WarningSeverity
      await enqueueNotice(
        trx,
        warningNotice(
          {
            id: join.id,
            subjectKind: subject.kind,
            subjectLabel: subject.label,
            countyCode: subject.countyCode,
            severity,
            rule: verdict.rule,
            windowHours: verdict.windowHours,
            windowCount: verdict.windowCount,
            expected: verdict.expected,
            ticket: verdict.ticket,
          },
          event,
          deps.config.SITE_URL,
        ),
      )
      outcome[event].push(join.id)
      deps.logger.info(
        { warningId: join.id, subjectKind: subject.kind, severity, rule: verdict.rule },
        `warning ${event}`,
      )
    }
  })
  return outcome
}

/**
 * The sweep: judges again every complaint received in the last window and every 12345 ticket
 * chased in it, at `now`. It catches what a crash between filing and detection, or a threshold
 * changed since, left out.
 */
export async function sweepWarnings(
  deps: DetectionDeps,
  now: Date = new Date(),
): Promise<DetectionOutcome> {
  const since = new Date(now.getTime() - ruleSettings.windowHours * hour)
  const ids = await complaintIdsReceivedBetween(deps.db, since, now)
  const chased = await chasedTicketComplaintIds(deps.db, since, now)
  return detectWarnings(deps, [...ids, ...chased], now)
}
