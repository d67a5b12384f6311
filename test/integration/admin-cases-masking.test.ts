import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ComplaintDocument } from '../../api/search/complaint-indexer.ts'
import { applyPendingInboxEvents } from '../../api/services/hotline/apply.ts'
import { dispatched, later, newTicketNo, postEvent } from '../support/hotline-inbound.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import { personalNumber, type WrittenNumber } from '../unit/personal-numbers.ts'
import {
  act,
  caseOf,
  casesWorld,
  countyA,
  fileCase,
  queue,
  waitFor,
  type CasesWorld,
} from './admin-cases-support.ts'

/**
 * Issue 20, acceptance 4: a viewer sees no digit run of a phone or ID number, however it was
 * written, in any case field, timeline note, 12345 work-order field or search result, and the
 * private index holds none either. fast-check writes the numbers; each lands in its own field of
 * a web case (as the resident and the handler wrote them) and a 12345 case (as the hotline sent
 * them), against the real PostgreSQL and Meilisearch.
 */

let w: CasesWorld
let handler: TestOperator
let viewer: TestOperator

beforeAll(async () => {
  w = await casesWorld({ worker: true })
  handler = await signedInOperator(w.t.deps, 'county_handler', countyA)
  viewer = await signedInOperator(w.t.deps, 'viewer')
})
afterAll(() => w.stop())

/** Between digits, as people and input methods separate them; folded to ASCII first. */
const separatorRun = /(?<=\d)[\s\-.·‐]{1,3}(?=\d)/g

/**
 * The digit runs of `text`, separators between digits taken out, full-width folded: where a
 * number would show whatever form it was written in.
 */
const digitRuns = (text: string) =>
  text
    .normalize('NFKC')
    .replace(separatorRun, '')
    .match(/[0-9X]+/gi) ?? []

/**
 * Whether `text` shows more of `n` than the head and tail masking allows: any 8 consecutive
 * characters of the number. Each mask shows at most 6 of them in a row (an ID number's region),
 * and every 8 in a row take in some of the hidden middle.
 */
function leaks(text: string, n: WrittenNumber): boolean {
  const runs = digitRuns(text).map((r) => r.toUpperCase())
  for (let i = 0; i + 8 <= n.digits.length; i++) {
    const window = n.digits.slice(i, i + 8)
    if (runs.some((r) => r.includes(window))) return true
  }
  return false
}

/**
 * The number as one would type it into the search box: 138 1111 0004, 331102 19800101 123X,
 * 0578 2123456. (The generated spellings split digits into ones and twos, words the index
 * matches anywhere, so they test the index's tokenizer, not the masking.)
 */
function grouped(n: WrittenNumber): string {
  const d = n.digits
  if (n.kind === 'mobile') return `${d.slice(0, 3)} ${d.slice(3, 7)} ${d.slice(7)}`
  if (n.kind === 'id') return `${d.slice(0, 6)} ${d.slice(6, 14)} ${d.slice(14)}`
  const area = /^0(?:10|2\d)/.test(d) ? 3 : 4
  return `${d.slice(0, area)} ${d.slice(area)}`
}

const fieldsOfWebCase = [
  'merchantName',
  'address',
  'description',
  'note',
  'handlingResult',
  'publicReply',
] as const
const fieldsOfRejectedCase = ['rejectionNote'] as const
const fieldsOfTicket = [
  'title',
  'content',
  'address',
  'respondent_name',
  'attachment',
  'supplement',
  'supplementAttachment',
  'urgeNote',
  'returnOpinion',
  'revisitNote',
] as const

type Numbers<K extends readonly string[]> = Record<K[number], WrittenNumber>

const said = (n: WrittenNumber) => `联系电话${n.written}谢谢`
const shown = (n: WrittenNumber) => `联系电话${n.expected}谢谢`
const attachment = (n: WrittenNumber) => `https://12345.example.cn/files/${n.digits}.jpg`

async function webCase(numbers: Numbers<typeof fieldsOfWebCase>) {
  const filed = await fileCase(w.app, w.t, {
    merchantName: `城东菜场摊主${said(numbers.merchantName)}`,
    address: `莲都区城东菜场，${said(numbers.address)}`,
    description: `买了一斤猪肉回家复秤只有八两。${said(numbers.description)}`,
  })
  const steps = [
    { action: 'note', note: `已电话回访，${said(numbers.note)}` },
    { action: 'accept' },
    {
      action: 'complete',
      finding: 'substantiated',
      followUp: 'ordered',
      handlingResult: `已责令改正。${said(numbers.handlingResult)}`,
      publicReply: `您反映的情况属实。${said(numbers.publicReply)}`,
    },
  ]
  for (const [i, step] of steps.entries()) {
    const res = await act(w.app, handler.headers, filed.id, { ...step, version: i + 1 })
    expect(res.status, await res.clone().text()).toBe(200)
  }
  return filed.id
}

async function rejectedCase(numbers: Numbers<typeof fieldsOfRejectedCase>) {
  const filed = await fileCase(w.app, w.t)
  const res = await act(w.app, handler.headers, filed.id, {
    action: 'reject',
    version: 1,
    reason: 'not_metrology',
    note: `不属于计量问题，请拨打${said(numbers.rejectionNote)}`,
  })
  expect(res.status, await res.clone().text()).toBe(200)
  return filed.id
}

async function hotlineCase(numbers: Numbers<typeof fieldsOfTicket>) {
  const ticketNo = newTicketNo()
  const secret = w.t.deps.config.HOTLINE_WEBHOOK_SECRET!
  const events = [
    dispatched(ticketNo, {
      title: `菜场短斤缺两${said(numbers.title)}`,
      content: `买了两斤虾只有一斤六两。${said(numbers.content)}`,
      address: `莲都区万象菜场${said(numbers.address)}`,
      respondent_name: `水产摊${said(numbers.respondent_name)}`,
      attachments: [attachment(numbers.attachment)],
    }),
    later('ticket.supplemented', ticketNo, '2026-11-26T10:00:00+08:00', {
      content: `市民补充：${said(numbers.supplement)}`,
      attachments: [attachment(numbers.supplementAttachment)],
    }),
    later('ticket.urged', ticketNo, '2026-11-26T11:00:00+08:00', {
      note: `市民再次来电，${said(numbers.urgeNote)}`,
    }),
    later('ticket.return_decided', ticketNo, '2026-11-26T12:00:00+08:00', {
      decision: 'rejected',
      opinion: `请继续办理，${said(numbers.returnOpinion)}`,
    }),
    later('ticket.revisited', ticketNo, '2026-11-26T13:00:00+08:00', {
      satisfaction: 'dissatisfied',
      note: `回访时市民留言，${said(numbers.revisitNote)}`,
    }),
  ]
  for (const event of events) {
    const { res } = await postEvent(w.app, secret, event)
    expect(res.status, await res.clone().text()).toBeLessThan(300)
  }
  await applyPendingInboxEvents(w.t.deps)
  const row = await w.t.deps.db
    .selectFrom('hotlineTickets')
    .select('complaintId')
    .where('ticketNo', '=', ticketNo)
    .executeTakeFirstOrThrow()
  return row.complaintId
}

const allNumbers = fc.record({
  web: fc.record(Object.fromEntries(fieldsOfWebCase.map((f) => [f, personalNumber]))),
  rejected: fc.record(Object.fromEntries(fieldsOfRejectedCase.map((f) => [f, personalNumber]))),
  ticket: fc.record(Object.fromEntries(fieldsOfTicket.map((f) => [f, personalNumber]))),
}) as fc.Arbitrary<{
  web: Numbers<typeof fieldsOfWebCase>
  rejected: Numbers<typeof fieldsOfRejectedCase>
  ticket: Numbers<typeof fieldsOfTicket>
}>

async function indexedDocument(id: string, ready: (d: ComplaintDocument) => boolean) {
  const index = w.t.deps.search.meili.index<ComplaintDocument>(
    w.t.deps.search.indexName('complaints'),
  )
  return waitFor(
    () => index.getDocument(id).catch(() => undefined),
    (d) => d !== undefined && ready(d),
  )
}

describe('what a viewer sees of phone and ID numbers', () => {
  it('shows no digit run of them in any case field, note, 12345 field, index or search', async () => {
    await fc.assert(
      fc.asyncProperty(allNumbers, async (numbers) => {
        const [webId, rejectedId, ticketId] = await Promise.all([
          webCase(numbers.web),
          rejectedCase(numbers.rejected),
          hotlineCase(numbers.ticket),
        ])
        const everything = [
          ...Object.values(numbers.web),
          ...Object.values(numbers.rejected),
          ...Object.values(numbers.ticket),
        ]

        // The handler reads what was written: the numbers are really there to be masked.
        const handlerWeb = await caseOf(w.app, handler.headers, webId)
        expect(handlerWeb.description).toContain(numbers.web.description.written)
        const handlerTicket = await caseOf(w.app, handler.headers, ticketId)
        expect(handlerTicket.hotline?.title).toContain(numbers.ticket.title.written)

        const web = await caseOf(w.app, viewer.headers, webId)
        const rejected = await caseOf(w.app, viewer.headers, rejectedId)
        const ticket = await caseOf(w.app, viewer.headers, ticketId)
        const notes = (view: typeof web) => view.timeline.map((e) => e.note).join('\n')

        // Each number in the form masking gives it, where it was written.
        expect(web.merchantName).toContain(shown(numbers.web.merchantName))
        expect(web.address).toContain(shown(numbers.web.address))
        expect(web.description).toContain(shown(numbers.web.description))
        expect(notes(web)).toContain(shown(numbers.web.note))
        expect(web.handlingResult).toContain(shown(numbers.web.handlingResult))
        expect(web.publicReply).toContain(shown(numbers.web.publicReply))
        expect(rejected.rejectionNote).toContain(shown(numbers.rejected.rejectionNote))
        expect(ticket.hotline?.title).toContain(shown(numbers.ticket.title))
        expect(ticket.description).toContain(shown(numbers.ticket.content))
        expect(ticket.address).toContain(shown(numbers.ticket.address))
        expect(ticket.merchantName).toContain(shown(numbers.ticket.respondent_name))
        for (const field of ['supplement', 'urgeNote', 'returnOpinion', 'revisitNote'] as const) {
          expect(notes(ticket)).toContain(shown(numbers.ticket[field]))
        }

        // The private index, as the worker wrote it.
        const documents = await Promise.all([
          indexedDocument(webId, (d) => d.status === 'resolved'),
          indexedDocument(rejectedId, (d) => d.status === 'rejected'),
          indexedDocument(ticketId, (d) => d.description.includes('买了两斤虾')),
        ])

        // The queue, and a search by each number as written and as bare digits.
        const listed = await queue(w.app, viewer.headers, { pageSize: '100' })
        expect(listed.status).toBe(200)
        const ours = new Set([webId, rejectedId, ticketId])
        const searches = []
        for (const n of everything) {
          for (const q of [n.digits, grouped(n)]) {
            const found = await queue(w.app, viewer.headers, { q })
            expect(found.status).toBe(200)
            expect(found.body.items.filter((i) => ours.has(i.id))).toEqual([])
            searches.push(found.body)
          }
        }

        const seen = JSON.stringify({ web, rejected, ticket, documents, listed, searches })
        for (const n of everything) {
          expect(leaks(seen, n), `${n.kind} ${n.written}`).toBe(false)
        }
      }),
      { numRuns: 4, endOnFailure: true },
    )
  }, 240_000)
})
