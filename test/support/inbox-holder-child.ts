// A 12345 inbox worker process for the claim tests: takes TICKET_NO's lock and due events as the
// inbox worker does (hotline/apply.ts: the ticket's lock with the idle limit, then the events'
// row locks), prints "claimed <n>", and holds them in its open transaction until it is killed or
// frozen. DATABASE_URL names the test's database.
import { inboxIdleLimitSeconds } from '../../api/services/shared/queue-policy.ts'
import { createDb } from '../../db/client.ts'
import { claimTicketEvents, lockTicket } from '../../db/queries/hotline-inbox.ts'

const url = process.env.DATABASE_URL
const ticketNo = process.env.TICKET_NO
if (!url || !ticketNo) throw new Error('DATABASE_URL and TICKET_NO must be set')
const db = createDb({ connectionString: url, max: 1 })
// Alive until killed, whatever else is pending.
setInterval(() => undefined, 60_000)
await db.transaction().execute(async (trx) => {
  await lockTicket(trx, ticketNo, { idleLimitSeconds: inboxIdleLimitSeconds })
  const rows = await claimTicketEvents(trx, ticketNo, new Date())
  process.stdout.write(`claimed ${rows.length}\n`)
  await new Promise<void>(() => undefined)
})
