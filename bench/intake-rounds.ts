import { Connections } from './http-client.ts'
import { round, stackEnv, type BenchOptions, type isolatedStack } from './lib.ts'
import { complaintChangedTopic } from '../api/search/complaint-indexer.ts'
import { complaintBody, forwardedFor } from './intake.ts'
import { closedLoop, openLoop, sender, startServerChild, waitUntilQuiet } from './load.ts'
import { startNginxFront } from './nginx-front.ts'
import { startCompanion, type CompanionKind } from './companion-load.ts'
import { freePort, waitForPort } from '../scripts/stack/ports.ts'
import type { Round } from './load.ts'

const warmUpSeconds = 3
const modes = ['off', 'on'] as const
export type Mode = (typeof modes)[number]

type Stack = Awaited<ReturnType<typeof isolatedStack>>['stack']

/** How the API runs in one mode, and what else is sent beside intake while it is measured. */
export interface ModeSetup {
  env: Record<string, string>
  /**
   * Requests sent at the same rate alongside intake, while it is measured, by a process of their
   * own (bench/companion-load.ts): to the count listener (OPEN_CASES_PORT) when the API runs one
   * and nothing is in front, else to the front's port.
   */
  companion?: CompanionKind
}

export interface AlternatingRounds {
  /** Intake's rounds each way. */
  rounds: Record<Mode, Round[]>
  /** The companion's rounds, for a mode that has one. */
  companion: Record<Mode, Round[]>
  /** Seconds the outbox took to drain after each round. */
  drain: Record<Mode, number[]>
}

/**
 * `POST /api/complaints` at a fixed rate in alternating rounds of two modes, in one run on one
 * machine (intake-warnings, intake-duplicates). Each round starts the product's API
 * (bench/api-server.ts, outbox worker on its background thread as `npm start` runs it) in its
 * mode, so only one worker drains the outbox; measuring starts once the outbox is empty and
 * PostgreSQL, Meilisearch and the API are quiet (the worker's first sweep included), and the
 * round's backlog is drained before the API stops. The load is the intake benchmark's
 * (bench/intake.ts): 500 stall names in one market across eight counties.
 */
export async function alternatingIntakeRounds(
  name: string,
  stack: Stack,
  options: BenchOptions & {
    rate: number
    seconds: number
    /** Where requests go: straight to the API, or through the bureau's nginx (nginx-front.ts). */
    front?: 'none' | 'nginx'
    /** For nginx's files. */
    dir?: string
    /**
     * The API answers the filing form's count on a port of its own (OPEN_CASES_PORT), both ways,
     * as the bureau runs it; nginx, when in front, sends the count there.
     */
    openCasesListener?: boolean
  },
  setups: Record<Mode, ModeSetup>,
): Promise<AlternatingRounds> {
  const connections = new Connections({ maxSockets: 256, idleMs: 4_000 })
  let serial = 0
  const result: AlternatingRounds = {
    rounds: { off: [], on: [] },
    companion: { off: [], on: [] },
    drain: { off: [], on: [] },
  }
  const pendingOutbox = async () => {
    const row = await stack.deps.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('state', '=', 'pending')
      // Notices to handlers wait for their own channel's handler, which this bench leaves out.
      .where('topic', '=', complaintChangedTopic)
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }
  /** Waits until no complaint change is pending in the outbox; returns the seconds it took. */
  const drained = async (limitMs: number) => {
    const started = performance.now()
    while ((await pendingOutbox()) > 0 && performance.now() - started < limitMs) {
      await new Promise((r) => setTimeout(r, 250))
    }
    if ((await pendingOutbox()) > 0) throw new Error('the outbox did not drain in time')
    return round((performance.now() - started) / 1000, 1)
  }
  try {
    for (let i = 0; i < options.runs; i++) {
      // Alternate which mode goes first, so neither always follows the other's backlog.
      const order: readonly Mode[] = i % 2 === 0 ? modes : [...modes].reverse()
      for (const mode of order) {
        const setup = setups[mode]
        const countPort = options.openCasesListener ? await freePort() : undefined
        const env = stackEnv(stack, {
          LOG_LEVEL: 'info',
          TRUST_PROXY: 'true',
          WORKER_ENABLED: 'true',
          ...(countPort ? { OPEN_CASES_PORT: String(countPort) } : {}),
          ...setup.env,
        })
        const api = await startServerChild('api-server.ts', env, '/api/complaints')
        if (countPort) await waitForPort(countPort, 30_000)
        const nginx =
          options.front === 'nginx'
            ? await startNginxFront(
                options.dir ?? stack.deps.config.DATA_DIR,
                api.port,
                countPort,
              ).catch(async (error: unknown) => {
                await api.stop()
                throw error
              })
            : undefined
        let companion: Awaited<ReturnType<typeof startCompanion>> | undefined
        const target = nginx ?? { connections, port: api.port }
        const countTarget = nginx ?? { port: countPort ?? api.port }
        try {
          const send = sender(target.connections, target.port, () => {
            const n = serial++
            return {
              method: 'POST',
              path: '/api/complaints',
              headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor(n) },
              body: complaintBody(n),
            }
          })
          companion = setup.companion
            ? await startCompanion({
                kind: setup.companion,
                port: countTarget.port,
                rate: options.rate,
                seconds: options.seconds,
                ...(nginx ? { ca: nginx.ca.toString() } : {}),
              })
            : undefined
          process.stderr.write(`${name}: round ${i + 1}/${options.runs}, ${mode}…\n`)
          await closedLoop(send, warmUpSeconds, 16, 0)
          await drained(120_000)
          const watch = {
            api: api.pid,
            postgres: stack.embeddedPostgres?.pid(),
            meilisearch: stack.embeddedMeili?.pid(),
            ...(nginx ? { nginx: nginx.worker } : {}),
          }
          await waitUntilQuiet(Object.values(watch), 120)
          const [intake, beside] = await Promise.all([
            openLoop(send, options.rate, options.seconds, watch),
            companion?.go(),
          ])
          result.rounds[mode].push(intake)
          if (beside) result.companion[mode].push(beside)
          result.drain[mode].push(await drained(300_000))
        } finally {
          companion?.stop()
          await nginx?.stop()
          await api.stop()
        }
      }
    }
    return result
  } finally {
    connections.destroy()
  }
}
