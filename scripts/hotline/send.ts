import { isDeepStrictEqual } from 'node:util'
import { Webhook } from 'standardwebhooks'
import { generateWebhookSecret } from '../../api/hotline/signature.ts'
import {
  demoSequence,
  singleEventSequence,
  type Expectation,
  type SimulatedStep,
  type SingleEventName,
  type TicketOptions,
} from './events.ts'

/** Where the instance takes hotline events (DESIGN.md section 5). */
const eventsPath = '/api/hotline/12345/events'

export interface StepResult {
  step: SimulatedStep
  /** The HTTP status, or undefined when the instance could not be reached. */
  status: number | undefined
  /** The answer's body: parsed JSON, or its text when it is not JSON. */
  body: unknown
  /** Why the answer is not what the contract says; undefined when it is. */
  problem: string | undefined
}

export interface SimulationResult {
  ticketNo: string
  results: StepResult[]
  /** True when every answer matched the contract. */
  ok: boolean
}

const expectedText: Record<Expectation['kind'], string> = {
  accepted: '202',
  duplicate: '与第一次相同的应答',
  unauthorized: '401',
  invalid: '400',
}

function problemOf(result: Omit<StepResult, 'problem'>, earlier: StepResult[]): string | undefined {
  const { expect } = result.step
  const expectedStatus = { accepted: 202, unauthorized: 401, invalid: 400 } as const
  if (expect.kind === 'duplicate') {
    const first = earlier[expect.of]
    if (!first) return `sequence error: step ${expect.of + 1} has not run`
    if (result.status !== first.status || !isDeepStrictEqual(result.body, first.body)) {
      return `应与第一次的应答相同（${first.status ?? '无应答'}），实际为 ${result.status ?? '无应答'} (a repeated webhook-id must be answered as the first time)`
    }
    return undefined
  }
  if (result.status !== expectedStatus[expect.kind]) {
    return `应答应为 ${expectedStatus[expect.kind]}，实际为 ${result.status ?? '无应答'} (unexpected status)`
  }
  return undefined
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text()
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/**
 * Sends the steps in order, each signed with Standard Webhooks (`standardwebhooks`, the same
 * library we tell the vendor to use), and checks each answer. Stops at the first step that cannot
 * reach the instance at all.
 */
export async function sendSteps(options: {
  url: string
  /** The instance's HOTLINE_WEBHOOK_SECRET (`whsec_…`). */
  secret: string
  steps: SimulatedStep[]
  log?: (line: string) => void
  /** The signing clock; the instance accepts timestamps within 5 minutes of its own. */
  clock?: () => Date
}): Promise<StepResult[]> {
  const { steps, log = () => undefined, clock = () => new Date() } = options
  const endpoint = new URL(eventsPath, options.url)
  const signer = new Webhook(options.secret)
  const results: StepResult[] = []
  for (const [i, step] of steps.entries()) {
    const sentAt = clock()
    const webhook = step.wrongSecret ? new Webhook(generateWebhookSecret()) : signer
    const headers = {
      'content-type': 'application/json',
      'webhook-id': step.webhookId,
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': webhook.sign(step.webhookId, sentAt, step.body),
    }
    log(`→ [${i + 1}/${steps.length}] ${step.label}`)
    log(`    webhook-id ${step.webhookId}，期望 (expect) ${expectedText[step.expect.kind]}`)
    let status: number | undefined
    let body: unknown
    try {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers,
        body: step.body,
        signal: AbortSignal.timeout(15_000),
      })
      status = res.status
      body = await readBody(res)
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code
      const reason = cause ?? (error instanceof Error ? error.message : String(error))
      const problem = `无法连接 ${endpoint.origin}（${reason}）：请先运行 npm start，或用 --url 指定地址 (instance not reachable)`
      results.push({ step, status: undefined, body: undefined, problem })
      log(`  ✗ ${problem}`)
      break
    }
    const result = { step, status, body, problem: problemOf({ step, status, body }, results) }
    results.push(result)
    const shown = typeof body === 'string' ? body : JSON.stringify(body)
    log(`  ← ${status} ${shown.length > 300 ? `${shown.slice(0, 300)}…` : shown}`)
    log(result.problem ? `  ✗ ${result.problem}` : '  ✓ 符合契约 (as expected)')
  }
  return results
}

/**
 * Plays a whole ticket against a running instance: the demonstration sequence, or one event
 * (`only`). Every answer is checked against the contract.
 */
export async function simulateSequence(
  options: TicketOptions & {
    url: string
    secret: string
    only?: SingleEventName | undefined
    log?: (line: string) => void
    clock?: () => Date
  },
): Promise<SimulationResult> {
  const ticket = { ticketNo: options.ticketNo, county: options.county, now: options.now }
  const steps = options.only ? singleEventSequence(options.only, ticket) : demoSequence(ticket)
  const results = await sendSteps({ ...options, steps })
  const ok = results.length === steps.length && results.every((r) => r.problem === undefined)
  return { ticketNo: options.ticketNo, results, ok }
}
