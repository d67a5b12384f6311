import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hotlineEventSchema, type HotlineEvent } from '../../api/services/hotline/events.ts'
import {
  foldTicket,
  timelineEntryOf,
  type InboundEntry,
  type LocalEntry,
} from '../../api/services/hotline/fold.ts'
import { categoryOfTicket, kindOfTicket } from '../../api/services/hotline/ticket-case.ts'
import { dispatched, later } from '../support/hotline-inbound.ts'

const ticketNo = 'LS12345-20261126-000123'
let n = 0
const entry = (raw: unknown): InboundEntry => ({
  webhookId: `msg_${String(++n).padStart(20, '0')}`,
  event: hotlineEventSchema.parse(raw),
})
const dispatch = entry(dispatched(ticketNo))
const t = (hhmm: string, day = 27) => `2026-11-${day}T${hhmm}:00+08:00`
const local = (id: string, kind: string, iso: string): LocalEntry => ({
  id,
  kind,
  occurredAt: new Date(iso),
})

describe('foldTicket: the state of a 12345 case from its events', () => {
  it('has no state before the ticket is dispatched', () => {
    expect(foldTicket([entry(later('ticket.urged', ticketNo, t('10:00')))])).toBeUndefined()
  })

  it('starts a dispatched ticket as received, due at the ticket deadline, normal priority', () => {
    const state = foldTicket([dispatch])!
    expect(state).toMatchObject({
      status: 'received',
      deadline: new Date('2026-12-10T17:00:00+08:00'),
      priority: 0,
      urgeCount: 0,
      supervisedAt: null,
      returnState: undefined,
      extensionState: undefined,
      satisfaction: null,
      closedAt: null,
    })
  })

  it('counts chases and raises the priority: urged 1, supervised 2', () => {
    const urged = [
      dispatch,
      entry(later('ticket.urged', ticketNo, t('10:00'))),
      entry(later('ticket.urged', ticketNo, t('11:00'), { note: '市民再次来电' })),
    ]
    expect(foldTicket(urged)).toMatchObject({ urgeCount: 2, priority: 1 })
    const supervised = [...urged, entry(later('ticket.supervised', ticketNo, t('12:00')))]
    expect(foldTicket(supervised)).toMatchObject({
      priority: 2,
      supervisedAt: new Date(t('12:00')),
    })
  })

  it('takes the case out of the queue when a return is approved, and not when it is rejected', () => {
    const rejected = foldTicket([
      dispatch,
      entry(later('ticket.return_decided', ticketNo, t('10:00'), { decision: 'rejected' })),
    ])!
    expect(rejected).toMatchObject({ status: 'received', returnState: 'rejected' })
    const approved = foldTicket([
      dispatch,
      entry(later('ticket.return_decided', ticketNo, t('10:00'), { decision: 'approved' })),
    ])!
    expect(approved).toMatchObject({ status: 'returned', returnState: 'approved' })
  })

  it('moves the deadline on an approved extension and keeps it on a rejected one', () => {
    const newDeadline = '2026-12-24T17:00:00+08:00'
    expect(
      foldTicket([
        dispatch,
        entry(
          later('ticket.extension_decided', ticketNo, t('10:00'), {
            decision: 'approved',
            new_deadline: newDeadline,
          }),
        ),
      ]),
    ).toMatchObject({ deadline: new Date(newDeadline), extensionState: 'approved' })
    expect(
      foldTicket([
        dispatch,
        entry(later('ticket.extension_decided', ticketNo, t('10:00'), { decision: 'rejected' })),
      ]),
    ).toMatchObject({ deadline: new Date('2026-12-10T17:00:00+08:00'), extensionState: 'rejected' })
  })

  it('records the satisfaction of the latest revisit', () => {
    const state = foldTicket([
      dispatch,
      entry(later('ticket.revisited', ticketNo, t('11:00'), { satisfaction: 'satisfied' })),
      entry(later('ticket.revisited', ticketNo, t('10:00'), { satisfaction: 'dissatisfied' })),
    ])!
    expect(state.satisfaction).toBe('satisfied')
  })

  it('reopens a closed case with the new deadline, and closes it again', () => {
    const closed = entry(later('ticket.closed', ticketNo, t('10:00')))
    const reopened = entry(
      later('ticket.reopened', ticketNo, t('11:00'), {
        reason: '市民不满意',
        deadline: '2026-12-20T17:00:00+08:00',
      }),
    )
    expect(foldTicket([dispatch, closed])).toMatchObject({
      status: 'closed',
      closedAt: new Date(t('10:00')),
    })
    expect(foldTicket([dispatch, closed, reopened])).toMatchObject({
      status: 'in_progress',
      closedAt: null,
      deadline: new Date('2026-12-20T17:00:00+08:00'),
    })
    const closedAgain = entry(later('ticket.closed', ticketNo, t('12:00')))
    expect(foldTicket([dispatch, closedAgain, reopened, closed])).toMatchObject({
      status: 'closed',
      closedAt: new Date(t('12:00')),
    })
  })

  it('ignores a deadline that is not after the assignment', () => {
    const state = foldTicket([
      dispatch,
      entry(
        later('ticket.extension_decided', ticketNo, t('10:00'), {
          decision: 'approved',
          new_deadline: '2026-11-20T17:00:00+08:00',
        }),
      ),
    ])!
    expect(state.deadline).toEqual(new Date('2026-12-10T17:00:00+08:00'))
  })

  it('adds supplemented attachments after the dispatch’s, without repeats', () => {
    const withFiles = entry(dispatched(ticketNo, { attachments: ['https://12345.example/a.jpg'] }))
    const state = foldTicket([
      withFiles,
      entry(
        later('ticket.supplemented', ticketNo, t('10:00'), {
          content: '补充小票照片',
          attachments: ['https://12345.example/a.jpg', 'https://12345.example/b.jpg'],
        }),
      ),
    ])!
    expect(state.attachments).toEqual([
      'https://12345.example/a.jpg',
      'https://12345.example/b.jpg',
    ])
  })

  it('keeps a later sign-off by the console when an older hotline event arrives late', () => {
    const signed = local('10', 'hotline_signed', t('10:00'))
    const olderUrge = entry(later('ticket.urged', ticketNo, t('09:45')))
    expect(foldTicket([dispatch, olderUrge], [signed])).toMatchObject({
      status: 'accepted',
      priority: 1,
    })
    const completed = local('11', 'hotline_completed', t('15:00'))
    expect(foldTicket([dispatch, olderUrge], [signed, completed])!.status).toBe('resolved')
    // A reopening after our completion reopens it; a closing after that closes it.
    const reopened = entry(later('ticket.reopened', ticketNo, t('16:00'), { reason: '不满意' }))
    expect(foldTicket([dispatch, reopened], [completed, signed])!.status).toBe('in_progress')
    const closed = entry(later('ticket.closed', ticketNo, t('17:00')))
    expect(foldTicket([closed, reopened, dispatch], [completed, signed])!.status).toBe('closed')
  })

  it('keeps a return request pending until a later decision, and a new request after it', () => {
    const requested = local('20', 'hotline_return_requested', t('10:00'))
    const decided = entry(
      later('ticket.return_decided', ticketNo, t('11:00'), { decision: 'rejected' }),
    )
    expect(foldTicket([dispatch], [requested])!.returnState).toBe('requested')
    expect(foldTicket([dispatch, decided], [requested])!.returnState).toBe('rejected')
    const again = local('21', 'hotline_return_requested', t('12:00'))
    expect(foldTicket([dispatch, decided], [requested, again])!.returnState).toBe('requested')
  })

  it('lets the earliest dispatch define the ticket when it is dispatched twice', () => {
    const second = entry(dispatched(ticketNo, { title: '再次交办' }, '2026-11-26T12:00:00+08:00'))
    expect(foldTicket([second, dispatch])!.ticket.title).toBe('菜场短斤缺两')
  })

  const kinds: [string, () => HotlineEvent][] = [
    ['hotline_urged', () => entry(later('ticket.urged', ticketNo, t('10:00'))).event],
    ['hotline_closed', () => entry(later('ticket.closed', ticketNo, t('10:00'))).event],
  ]
  it.each(kinds)('writes a %s timeline entry for its event', (kind, make) => {
    expect(timelineEntryOf(make(), true).kind).toBe(kind)
  })

  it('writes public entries for the dispatch, reopening and closing, internal ones otherwise', () => {
    const pub = (raw: unknown, exists = true) =>
      timelineEntryOf(hotlineEventSchema.parse(raw), exists)
    expect(pub(dispatched(ticketNo), false)).toMatchObject({
      kind: 'hotline_dispatched',
      isPublic: true,
    })
    expect(pub(dispatched(ticketNo))).toMatchObject({
      kind: 'hotline_redispatched',
      isPublic: false,
    })
    expect(pub(later('ticket.urged', ticketNo, t('10:00'))).isPublic).toBe(false)
    expect(pub(later('ticket.supervised', ticketNo, t('10:00'))).isPublic).toBe(false)
    expect(
      pub(later('ticket.revisited', ticketNo, t('10:00'), { satisfaction: 'satisfied' })),
    ).toMatchObject({ kind: 'hotline_revisited', isPublic: false, note: '12345 热线回访：满意。' })
    expect(pub(later('ticket.reopened', ticketNo, t('10:00'), { reason: '未解决' }))).toMatchObject(
      { kind: 'hotline_reopened', isPublic: true },
    )
    expect(pub(later('ticket.closed', ticketNo, t('10:00'))).isPublic).toBe(true)
  })

  it('ends in the same state whatever order the events are folded in (property)', () => {
    const pool: InboundEntry[] = [
      dispatch,
      entry(later('ticket.urged', ticketNo, t('10:00'))),
      entry(later('ticket.urged', ticketNo, t('10:00'))),
      entry(later('ticket.supervised', ticketNo, t('11:00'))),
      entry(later('ticket.return_decided', ticketNo, t('12:00'), { decision: 'rejected' })),
      entry(
        later('ticket.extension_decided', ticketNo, t('13:00'), {
          decision: 'approved',
          new_deadline: '2026-12-24T17:00:00+08:00',
        }),
      ),
      entry(later('ticket.closed', ticketNo, t('14:00'))),
      entry(later('ticket.revisited', ticketNo, t('15:00'), { satisfaction: 'dissatisfied' })),
      entry(later('ticket.reopened', ticketNo, t('16:00'), { reason: '不满意' })),
      entry(later('ticket.supplemented', ticketNo, t('17:00'), { content: '补充' })),
    ]
    const locals = [
      local('1', 'hotline_signed', t('09:50')),
      local('2', 'hotline_completed', t('13:30')),
    ]
    const sequences = fc.subarray(pool.slice(1)).chain((chosen) => {
      const events = [dispatch, ...chosen]
      return fc
        .shuffledSubarray(events, { minLength: events.length })
        .map((shuffled) => ({ events, shuffled }))
    })
    fc.assert(
      fc.property(sequences, ({ events, shuffled }) => {
        expect(foldTicket(shuffled, [...locals].reverse())).toEqual(foldTicket(events, locals))
      }),
    )
  })
})

describe('a dispatched ticket as a case', () => {
  it.each([
    ['加油站加油机跳字快', 'fuel_dispenser'],
    ['出租车计价器跳得快', 'taxi_meter'],
    ['家里水表走得飞快', 'utility_meter'],
    ['眼镜店验光不准', 'optical'],
    ['医院的血压计不准', 'medical'],
    ['电子秤被改装作弊', 'rigged_instrument'],
    ['买的猪肉少了二两', 'short_weight'],
    ['水果摊缺斤短两', 'short_weight'],
    ['两次上门都没人', 'other'],
  ])('infers the category of “%s” as %s', (content, category) => {
    expect(categoryOfTicket({ title: '市民来电', content })).toBe(category)
  })

  it('files a 举报 as a report and every other appeal type as a complaint', () => {
    expect(kindOfTicket({ appeal_type: '举报' })).toBe('report')
    for (const type of ['投诉', '咨询', '建议', '求助'] as const) {
      expect(kindOfTicket({ appeal_type: type })).toBe('complaint')
    }
  })
})
