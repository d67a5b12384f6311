import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { beijingDate } from '../../api/domain/beijing-time.ts'
import { usccCheckCharacter } from '../../api/domain/uscc.ts'
import { sessionCookieName } from '../../api/services/admin/sessions.ts'
import { takeDownPenaltiesPastPeriod } from '../../api/services/admin/penalties/takedown.ts'
import { installDeps, uninstallDeps } from '../../server/deps.ts'
import {
  handlePenaltyEntry,
  handlePenaltyPage,
  loadPenaltyList,
} from '../../site/lib/admin/penalties-page.ts'
import { consoleRequest } from '../../site/lib/admin/session.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'

/**
 * The 行政处罚 pages (/admin/penalties, /new, /[id]) through their adapters, as the built pages
 * call them: a form post enters or edits through the same verbs as the API, a refusal is shown
 * next to its fields, a stale edit is told, and a taken-down penalty stays listed.
 */
let t: TestContext
let handler: TestOperator

beforeAll(async () => {
  t = await createTestContext()
  installDeps(t.deps)
  handler = await signedInOperator(t.deps, 'county_handler', '331102')
})
afterAll(async () => {
  uninstallDeps()
  await t.cleanup()
})

const host = 'console.example'

/** A page request as the handler's browser sends it, with an optional form post. */
function pageRequest(path: string, form?: Record<string, string>) {
  const url = new URL(path, `http://${host}`)
  const body = new FormData()
  for (const [k, v] of Object.entries(form ?? {})) body.set(k, v)
  if (form) body.set('csrf', handler.headers['x-csrf-token'])
  const request = new Request(url, form ? { method: 'POST', body } : {})
  const token = handler.headers.cookie.split('=')[1]
  const astro = {
    url,
    request,
    clientAddress: '192.0.2.10',
    cookies: {
      get: (name: string) => (name === sessionCookieName ? { value: token } : undefined),
    },
  }
  return { url, request, console: consoleRequest(astro as never) }
}

function newCode() {
  const first17 = `923311020${Array.from(randomBytes(8), (b) => '0123456789ABCDEFGH'[b % 18]).join('')}`
  return `${first17}${usccCheckCharacter(first17)}`
}

const form = (overrides: Record<string, string> = {}) => ({
  uscc: newCode(),
  name: '城西菜场蔬菜摊',
  sector: 'market',
  address: '',
  decisionNo: `丽莲市监罚〔2026〕页${randomBytes(3).readUIntBE(0, 3)}号`,
  decidedOn: beijingDate(),
  kind: 'warning',
  violation: '使用未经检定的电子秤。',
  penalty: '警告。',
  legalBasis: '《中华人民共和国计量法》第二十六条',
  caseTrackingNo: '',
  ...overrides,
})

describe('the penalty pages', () => {
  it('enter a penalty from the form and show it, marked as published', async () => {
    const entered = await handlePenaltyEntry(pageRequest('/admin/penalties/new', form()))
    expect(entered.kind).toBe('redirect')
    const location = entered.kind === 'redirect' ? entered.location : ''
    expect(location).toMatch(/^\/admin\/penalties\/\d+\?done=created$/)
    const id = location.split('/').at(-1)!.split('?')[0]!
    const shown = await handlePenaltyPage({ ...pageRequest(location), id })
    expect(shown).toMatchObject({
      kind: 'shown',
      status: 200,
      done: 'created',
      view: { state: 'published', kindName: '警告、通报批评' },
    })
  })

  it('show a refused entry’s problems next to their fields and keep what was typed', async () => {
    const sent = form({ name: '', decidedOn: '2026-02-30' })
    const page = await handlePenaltyEntry(pageRequest('/admin/penalties/new', sent))
    expect(page.kind).toBe('form')
    if (page.kind !== 'form') return
    expect(page.status).toBe(400)
    expect(page.problems.map((p) => p.field)).toEqual(['decidedOn'])
    expect(page.values.violation).toBe(sent.violation)
  })

  it('tell a handler whose edit came after a colleague’s, and show the fresh record', async () => {
    const entered = await handlePenaltyEntry(pageRequest('/admin/penalties/new', form()))
    const id = entered.kind === 'redirect' ? entered.location.split('/').at(-1)!.split('?')[0]! : ''
    const edit = { ...form(), version: '0', reason: '按原件更正。' }
    const first = await handlePenaltyPage({
      ...pageRequest(`/admin/penalties/${id}`, { ...edit, penalty: '警告并通报批评。' }),
      id,
    })
    expect(first).toEqual({ kind: 'redirect', location: `/admin/penalties/${id}?done=edited` })
    const second = await handlePenaltyPage({
      ...pageRequest(`/admin/penalties/${id}`, { ...edit, penalty: '警告。' }),
      id,
    })
    expect(second).toMatchObject({
      kind: 'shown',
      status: 409,
      refusal: { stale: true },
      view: { penalty: '警告并通报批评。', version: 1 },
    })
    expect(second.kind === 'shown' && second.values).toBeFalsy()
  })

  it('list a taken-down penalty, marked, and answer an unknown one with 404', async () => {
    const entered = await handlePenaltyEntry(pageRequest('/admin/penalties/new', form()))
    const id = entered.kind === 'redirect' ? entered.location.split('/').at(-1)!.split('?')[0]! : ''
    await takeDownPenaltiesPastPeriod(t.deps, new Date(Date.now() + 200 * 86_400_000))
    const { url, console } = pageRequest('/admin/penalties?state=taken_down')
    const list = await loadPenaltyList(url, console)
    expect(list.result?.items.find((i) => i.id === id)).toMatchObject({ stateName: '已撤下公示' })
    const missing = await handlePenaltyPage({
      ...pageRequest('/admin/penalties/999999'),
      id: '999999',
    })
    expect(missing).toMatchObject({ kind: 'missing', status: 404 })
  })
})
