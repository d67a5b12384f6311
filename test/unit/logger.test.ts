import fc from 'fast-check'
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger, errorKind, redactedValue } from '../../api/logger.ts'

function capture() {
  const lines: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString())
      callback()
    },
  })
  return { logger: createLogger('info', sink), lines }
}

/** Keys that carry personal data or secrets, in the spellings code and HTTP use. */
const sensitiveKey = fc.constantFrom(
  'name',
  'contact_name',
  'contactName',
  'phone',
  'Phone',
  'PHONE',
  'contact_phone',
  'contactPhone',
  'Contact-Phone',
  'mobile',
  'queryCode',
  'query_code',
  'x-query-code',
  'password',
  'newPassword',
  'idNumber',
  'id_number',
  'token',
  'csrfToken',
  'authorization',
  'Authorization',
  'cookie',
  'Set-Cookie',
  'S3_SECRET_ACCESS_KEY',
  'secretAccessKey',
)

/** Keys that say nothing personal: what surrounds a secret in a careless log call. */
const plainKey = fc.constantFrom(
  'input',
  'fields',
  'body',
  'ticket',
  'detail',
  'items',
  'data',
  'x',
)

/** Something distinctive enough that finding it in the line can only mean it leaked. */
const secretValue = fc.oneof(
  fc.uuid().map((u) => `secret-${u}`),
  fc.uuid().map((u) => ({ number: `secret-${u}`, note: [`secret-${u}`] })),
  fc.uuid().map((u) => [`secret-${u}`]),
)

type Step = { kind: 'object'; key: string; siblings: string[] } | { kind: 'array'; at: number }

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('object' as const),
    key: plainKey,
    siblings: fc.array(plainKey, { maxLength: 2 }),
  }),
  fc.record({ kind: fc.constant('array' as const), at: fc.integer({ min: 0, max: 3 }) }),
)

/** `{ [key]: secret }` wrapped in the given steps, outermost first, with harmless neighbours. */
function nest(steps: readonly Step[], key: string, secret: unknown): Record<string, unknown> {
  let inner: unknown = { [key]: secret, kept: 'visible-marker' }
  for (const s of [...steps].reverse()) {
    if (s.kind === 'array') {
      const items: unknown[] = Array.from({ length: s.at }, (_, i) => `item-${i}`)
      items.push(inner)
      inner = items
    } else {
      const record: Record<string, unknown> = {}
      for (const sibling of s.siblings) record[sibling] = 'neighbour'
      record[s.key] = inner
      inner = record
    }
  }
  return inner !== null && typeof inner === 'object' && !Array.isArray(inner)
    ? (inner as Record<string, unknown>)
    : { top: inner }
}

const leakedSecrets = (text: string) => text.match(/secret-[0-9a-f-]{36}/g) ?? []

describe('logger', () => {
  it('redacts names, phone numbers and query codes wherever a careless call puts them', () => {
    const { logger, lines } = capture()
    logger.info({ name: '张三', phone: '13812345678', queryCode: 'K7P9-22QX' }, 'top level')
    logger.info({ body: { name: '李四', phone: '13987654321', queryCode: 'ZZ11' } }, 'nested')
    logger.info({ ticket: { contact_name: '王五', contact_phone: '13700001111' } }, 'hotline')
    logger.info({ input: { fields: { phone: '13600002222' } } }, 'three levels')
    logger.child({ input: { fields: { contactPhone: '13500003333' } } }).info('bindings')
    const text = lines.join('\n')
    for (const secret of ['张三', '李四', '王五', '13812345678', '13987654321', '13700001111']) {
      expect(text).not.toContain(secret)
    }
    expect(text).not.toMatch(/13600002222|13500003333|K7P9-22QX/)
    expect(text).toContain(redactedValue)
    expect(lines).toHaveLength(5)
  })

  it('redacts a sensitive key at any depth of objects and arrays (property)', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 12 }),
        sensitiveKey,
        secretValue,
        fc.constantFrom('merged', 'child'),
        (steps, key, secret, how) => {
          const { logger, lines } = capture()
          const logged = nest(steps, key, secret)
          if (how === 'merged') logger.info(logged, 'careless')
          else logger.child(logged).info('careless')
          expect(lines).toHaveLength(1)
          const line = lines[0]!
          expect(leakedSecrets(line)).toEqual([])
          // Only the secret went: the line is still JSON and the rest of the object is there.
          expect(() => JSON.parse(line) as unknown).not.toThrow()
          expect(line).toContain('visible-marker')
          expect(line).toContain(redactedValue)
        },
      ),
      { numRuns: 1_000 },
    )
  })

  it('leaves what it logs untouched, and copies nothing when there is nothing to hide', () => {
    const { logger, lines } = capture()
    const input = { fields: { phone: '13812345678' }, list: [{ token: 't' }] }
    logger.info({ input }, 'careless')
    expect(input.fields.phone).toBe('13812345678')
    expect(input.list[0]!.token).toBe('t')
    logger.info({ method: 'GET', path: '/api/health', status: 200, ms: 1.2 }, 'request')
    expect(JSON.parse(lines[1]!)).toMatchObject({ method: 'GET', path: '/api/health' })
  })

  it('survives cycles and replaces what is nested deeper than it checks', () => {
    const { logger, lines } = capture()
    const cyclic: Record<string, unknown> = { phone: '13812345678' }
    cyclic.self = { back: cyclic, password: 'hunter2-secret' }
    logger.info({ cyclic }, 'cycle')
    let deep: Record<string, unknown> = { phone: '13900009999' }
    for (let i = 0; i < 100; i++) deep = { next: deep }
    logger.info(deep, 'deep')
    const text = lines.join('\n')
    expect(lines).toHaveLength(2)
    expect(text).not.toMatch(/13812345678|hunter2-secret|13900009999/)
  })

  it('says of an error raised over personal data its kind, never its message', () => {
    let parseError: unknown
    try {
      JSON.parse('李小梅 13800138000')
    } catch (error) {
      parseError = error
    }
    // The message quotes the text; the kind does not.
    expect(String(parseError)).toContain('13800138000')
    expect(errorKind(parseError)).toBe('SyntaxError')
    expect(errorKind('13800138000')).toBe('unknown')
  })
})
