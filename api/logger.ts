import { pino, type DestinationStream, type Logger } from 'pino'

export const redactedValue = '[redacted]'

/**
 * Keys whose value may be personal data or a secret (PIPL; DESIGN.md section 4), compared
 * without case, `_` or `-` (`contact_phone`, `contactPhone` and `Contact-Phone` are one key).
 */
const sensitiveKeys = new Set([
  'name',
  'contactname',
  'realname',
  'phone',
  'mobile',
  'contactphone',
  'tel',
  'telephone',
  'querycode',
  'xquerycode',
  'password',
  'idnumber',
  'idcard',
  'token',
  'authorization',
  'cookie',
  'setcookie',
  'secret',
])
/**
 * Any key ending in one of these is sensitive too: `residentPhone`, `newPassword`, `csrfToken`,
 * `S3_SECRET_ACCESS_KEY`.
 */
const sensitiveSuffix = /(?:phone|password|querycode|idnumber|token|secret|secretaccesskey)$/

// Logged objects use a handful of keys again and again; each is judged once. The cache is
// bounded so that keys built from data (ids as keys) cannot grow it without end.
const keyVerdicts = new Map<string, boolean>()
const keyVerdictsLimit = 2_000

function isSensitiveKey(key: string): boolean {
  const known = keyVerdicts.get(key)
  if (known !== undefined) return known
  const folded = key.toLowerCase().replace(/[-_\s]/g, '')
  const verdict = sensitiveKeys.has(folded) || sensitiveSuffix.test(folded)
  if (keyVerdicts.size < keyVerdictsLimit) keyVerdicts.set(key, verdict)
  return verdict
}

/** Deeper than this, or larger, a logged value is replaced whole: walking it would cost too much. */
const maxDepth = 16
const maxNodes = 5_000
const tooDeep = '[redacted: nested too deep]'
const tooLarge = '[redacted: too large to check]'

/** Objects walked into: plain ones and arrays. Errors, dates, buffers keep their own output. */
function isWalkable(value: object): boolean {
  if (Array.isArray(value)) return true
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * `value` with every sensitive key's value replaced, at any depth, in objects and arrays. Copies
 * only what it changes: a line with nothing to hide is logged as it came, at the cost of one walk.
 * A cycle is cut where it closes (pino would print "[Circular]" there anyway).
 */
function redactKeys<T>(value: T): T {
  const budget = { nodes: 0 }
  return walk(value, 0, [], budget) as T
}

function walk(value: unknown, depth: number, ancestors: object[], budget: { nodes: number }) {
  if (typeof value !== 'object' || value === null || !isWalkable(value)) return value
  if (ancestors.includes(value)) return '[Circular]'
  if (depth >= maxDepth) return tooDeep
  budget.nodes += 1
  if (budget.nodes > maxNodes) return tooLarge
  ancestors.push(value)
  try {
    if (Array.isArray(value)) {
      const list = value as unknown[]
      let copy: unknown[] | undefined
      for (let i = 0; i < list.length; i++) {
        const item = list[i]
        const next = walk(item, depth + 1, ancestors, budget)
        if (next !== item) {
          copy ??= list.slice()
          copy[i] = next
        }
      }
      return copy ?? list
    }
    let copy: Record<string, unknown> | undefined
    const record = value as Record<string, unknown>
    for (const key of Object.keys(record)) {
      const item = record[key]
      const next =
        isSensitiveKey(key) && item !== undefined && item !== null
          ? redactedValue
          : walk(item, depth + 1, ancestors, budget)
      if (next !== item) {
        copy ??= { ...record }
        copy[key] = next
      }
    }
    return copy ?? value
  } finally {
    ancestors.pop()
  }
}

type MakeChild = (this: Logger, bindings: Record<string, unknown>, options?: unknown) => Logger

/**
 * Every logged object and every child logger's bindings pass through redactKeys, so a careless
 * `log.info({ input })` cannot leak a phone number however deep it sits (issue 20: pino's
 * `redact` paths reach fixed depths only). Messages are not touched: they are written by us, and
 * errorKind says what a message may tell of an error.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: null,
    formatters: { log: (object: Record<string, unknown>) => redactKeys(object) },
  }
  const logger = destination ? pino(options, destination) : pino(options)
  // pino applies `formatters.bindings` to the root's bindings only, never to a child's; a child
  // is made from its parent, so every descendant inherits this `child` and its bindings pass
  // through redactKeys once, when the child is made.
  const makeChild = (Object.getPrototypeOf(logger) as { child: MakeChild }).child
  Object.defineProperty(logger, 'child', {
    value: function child(this: Logger, bindings: Record<string, unknown>, options?: unknown) {
      return makeChild.call(this, redactKeys(bindings), options)
    },
  })
  return logger
}

/**
 * What a log line may say of an error raised over personal data: its kind only. The message of a
 * parse error quotes the text it could not read, which may be a resident's name or phone.
 */
export const errorKind = (error: unknown) => (error instanceof Error ? error.name : 'unknown')

export type { Logger }
