import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { benchCounties } from './intake.ts'
import { Connections } from './http-client.ts'
import { repoRoot } from './lib.ts'
import { openLoop, sender, type Round } from './load.ts'

/** What the filing form asks while a resident names the business (bench/intake.ts's stalls). */
function openCasesPath(i: number) {
  const query = new URLSearchParams({
    county: benchCounties[i % benchCounties.length]!,
    merchantName: `基准测试菜场 ${i % 500} 号摊位`,
    address: '莲都区基准测试菜场',
  })
  return `/api/complaints/open-cases?${query.toString()}`
}

/** The requests a companion can send beside intake, by name. */
const companions = {
  'open-cases': (i: number) => ({
    method: 'GET',
    path: openCasesPath(i),
    headers: { accept: 'application/json', 'x-forwarded-for': '10.250.0.1' },
  }),
} as const
export type CompanionKind = keyof typeof companions

interface CompanionSetup {
  kind: CompanionKind
  port: number
  rate: number
  seconds: number
  /** PEM of the certificate to trust: the port speaks TLS (nginx in front). */
  ca?: string
}

/**
 * Requests sent at a fixed rate beside intake (bench/intake-rounds.ts) by a load generator process
 * of their own: answering them then never delays the measuring process's own event loop, so
 * intake's latencies are the servers' and not the generator's. The process is started and ready
 * (connections made as needed, code loaded) before `go`, which starts its open loop.
 */
export async function startCompanion(setup: CompanionSetup) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', import.meta.filename, JSON.stringify(setup)],
    { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] },
  )
  const lines = createInterface({ input: child.stdout })
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`companion exited (${code})`))
      child.once('exit', onExit)
      lines.once('line', (line) => {
        child.off('exit', onExit)
        resolve(line)
      })
    })
  if ((await next()) !== 'ready') throw new Error('companion did not start')
  return {
    pid: child.pid,
    /** Starts its open loop; resolves with its round once it has sent and heard everything. */
    go: async (): Promise<Round> => {
      const result = next()
      child.stdin.write('go\n')
      return JSON.parse(await result) as Round
    },
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM')
    },
  }
}

// As a child: waits for `go`, runs the loop, prints its round, ends.
if (process.argv[1] === import.meta.filename) {
  const setup = JSON.parse(process.argv[2] ?? '{}') as CompanionSetup
  const connections = new Connections({
    maxSockets: 256,
    idleMs: 4_000,
    ...(setup.ca ? { tls: { ca: Buffer.from(setup.ca) } } : {}),
  })
  const send = sender(connections, setup.port, companions[setup.kind])
  const stdin = createInterface({ input: process.stdin })
  process.stdout.write('ready\n')
  stdin.once('line', () => {
    void openLoop(send, setup.rate, setup.seconds, {}).then((round) => {
      connections.destroy()
      stdin.close()
      // Ends once the round is written out: a pipe may take it in several turns.
      process.stdout.write(`${JSON.stringify(round)}\n`, () => process.exit(0))
    })
  })
}
