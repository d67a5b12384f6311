// A worker process for the outbox lease tests: claims the due messages of topic `test.lease`,
// prints "claimed <ids>" and works on them until it is killed, renewing their lease meanwhile
// as the product's worker does. DATABASE_URL names the test's database; LEASE_SECONDS, when set,
// shortens the lease (the product's policy otherwise).
import { createOutboxWorker } from '../../api/worker/outbox-worker.ts'
import { createLogger } from '../../api/logger.ts'
import { createDb } from '../../db/client.ts'

const url = process.env.DATABASE_URL
if (!url) throw new Error('DATABASE_URL is not set')
const lease = process.env.LEASE_SECONDS
const worker = createOutboxWorker({
  db: createDb({ connectionString: url, max: 2 }),
  logger: createLogger('silent'),
  handlers: {
    'test.lease': (rows) => {
      process.stdout.write(`claimed ${rows.map((r) => r.id).join(',')}\n`)
      // Never done: the work is cut short by SIGKILL.
      return new Promise<void>(() => undefined)
    },
  },
  ...(lease ? { leaseSeconds: Number(lease) } : {}),
})
void worker.runOnce()
// Alive until killed, whatever else is pending.
setInterval(() => undefined, 60_000)
