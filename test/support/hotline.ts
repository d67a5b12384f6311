import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type {
  ComplaintKind,
  ComplaintStatus,
  Database,
  HotlineRequestState,
} from '../../db/database.ts'

export interface HotlineCase {
  id: string
  trackingNo: string
  ticketNo: string
}

/**
 * A case from a 12345 work order, written straight into `db` as the inbound worker would leave it
 * after a `ticket.dispatched`: the console's tests do not depend on the intake's code.
 */
export async function insertHotlineCase(
  db: Kysely<Database>,
  options: {
    kind?: ComplaintKind
    county?: string
    status?: ComplaintStatus
    returnState?: HotlineRequestState
    extensionState?: HotlineRequestState
  } = {},
): Promise<HotlineCase> {
  const suffix = randomBytes(4).toString('hex').toUpperCase()
  const ticketNo = `LS12345-20261126-${suffix}`
  // Far above the intake's daily sequence, so the numbers never meet.
  const sequence = 90_000_000 + (randomBytes(3).readUIntBE(0, 3) % 9_999_999)
  const assignedAt = new Date(Date.now() - 3600_000)
  const deadline = new Date(Date.now() + 5 * 86_400_000)
  const row = await db
    .insertInto('complaints')
    .values({
      trackingNo: `JL20261126-${sequence}`,
      queryCodeHash: randomBytes(32),
      kind: options.kind ?? 'complaint',
      category: 'short_weight',
      channel: 'hotline12345',
      countyCode: options.county ?? '331102',
      merchantName: '城西农贸市场 8 号摊位',
      address: '莲都区城西农贸市场 8 号',
      occurredAt: assignedAt,
      description: '市民来电反映：在该摊位买的一斤牛肉回家复秤只有八两半。',
      status: options.status ?? 'received',
      dueAt: deadline,
    })
    .returning(['id', 'trackingNo'])
    .executeTakeFirstOrThrow()
  await db
    .insertInto('hotlineTickets')
    .values({
      ticketNo,
      complaintId: row.id,
      appealType: '投诉',
      urgency: 'normal',
      title: '反映城西农贸市场摊位缺斤短两',
      assignedAt,
      deadline,
      lastEventAt: assignedAt,
      ...(options.returnState ? { returnState: options.returnState } : {}),
      ...(options.extensionState ? { extensionState: options.extensionState } : {}),
    })
    .execute()
  await db
    .insertInto('complaintEvents')
    .values({
      complaintId: row.id,
      kind: 'hotline_dispatched',
      isPublic: true,
      note: '收到 12345 热线转来的工单。',
      actor: 'hotline',
      occurredAt: assignedAt,
    })
    .execute()
  return { id: row.id, trackingNo: row.trackingNo, ticketNo }
}

interface ReceivedCallback {
  headers: IncomingHttpHeaders
  body: string
}

/**
 * The hotline's end of the callbacks: a real HTTP server on 127.0.0.1. `answer` decides each
 * response's status (default 204); every request is kept, in arrival order.
 */
export interface Receiver {
  url: string
  port: number
  received: ReceivedCallback[]
  answer: (request: ReceivedCallback) => number
  /** How long each answer waits, as a hotline slow to answer (0 by default). */
  delayMs: number
  /** Starts listening (again) on the same port. */
  start: () => Promise<void>
  /** Stops listening: connections are refused, as when the hotline is down. */
  stop: () => Promise<void>
}

export async function createReceiver(): Promise<Receiver> {
  let server: Server | undefined
  const receiver: Receiver = {
    url: '',
    port: 0,
    received: [],
    answer: () => 204,
    delayMs: 0,
    start: async () => {
      const s = createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (c: Buffer) => chunks.push(c))
        req.on('end', () => {
          const request = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }
          receiver.received.push(request)
          const status = receiver.answer(request)
          const answer = () => res.writeHead(status).end()
          if (receiver.delayMs > 0) setTimeout(answer, receiver.delayMs)
          else answer()
        })
      })
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject)
        s.listen(receiver.port, '127.0.0.1', () => resolve())
      })
      server = s
      receiver.port = (s.address() as AddressInfo).port
      receiver.url = `http://127.0.0.1:${receiver.port}/12345/callbacks`
    },
    stop: async () => {
      const s = server
      server = undefined
      if (!s) return
      s.closeAllConnections()
      await new Promise<void>((resolve) => s.close(() => resolve()))
    },
  }
  await receiver.start()
  return receiver
}
