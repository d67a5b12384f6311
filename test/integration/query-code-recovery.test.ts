import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ApiError } from '../../api/errors.ts'
import { createApp } from '../../api/http/app.ts'
import {
  recoveryRequestedMessage,
  recoveryRule,
  redeemQueryCodeRecovery,
  requestQueryCodeRecovery,
} from '../../api/services/complaints/recovery.ts'
import { trackComplaint } from '../../api/services/complaints/track.ts'
import { deliverDueSms } from '../../api/services/sms/delivery.ts'
import { pruneAbuseRecords } from '../../api/worker/index.ts'
import { beijingDate, beijingMidnight } from '../../api/domain/beijing-time.ts'
import { startAliyunSmsReceiver, type AliyunSmsReceiver } from '../support/aliyun-sms.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { fileCase } from './admin-cases-support.ts'

/**
 * A lost query code recovered by SMS (issue 25, item 2; acceptance 2 and 6): the code goes to the
 * phone left at filing through Alibaba Cloud's SDK to a loopback provider that checks its
 * signature, in quiet hours too; entering it issues a new query code and the old one stops
 * working; three wrong codes lock the tracking number; nothing tells whether a phone matches.
 */

const accessKeyId = 'LTAI5tRecoveryKey01'
const accessKeySecret = 'recovery-loopback-secret'

let t: TestContext
let app: ReturnType<typeof createApp>
let provider: AliyunSmsReceiver
let address = 0

/** A client address of its own per call, so the per-address limits never count against a test. */
const nextAddress = () => `198.51.100.${(address++ % 250) + 1}`
const hour = 3_600_000
/** Tomorrow (Beijing time) at `h` o'clock: ahead of the database clock, so messages are due. */
const tomorrowAt = (h: number) => new Date(beijingMidnight(beijingDate(), 1).getTime() + h * hour)

beforeAll(async () => {
  provider = await startAliyunSmsReceiver(new Map([[accessKeyId, accessKeySecret]]))
  t = await createTestContext({
    env: {
      SMS_ALIYUN_ACCESS_KEY_ID: accessKeyId,
      SMS_ALIYUN_ACCESS_KEY_SECRET: accessKeySecret,
      SMS_ALIYUN_ENDPOINT: provider.url,
      COMPLAINT_LIMIT_PER_ADDRESS: '1000',
      COMPLAINT_LIMIT_PER_PHONE: '1000',
    },
  })
  app = createApp(t.deps)
})

afterAll(async () => {
  await provider.stop()
  await t.cleanup()
})

beforeEach(() => {
  provider.accepted.length = 0
  provider.refused.length = 0
  t.logLines.length = 0
})

const ask = (trackingNo: string, phone: string, now?: Date) =>
  requestQueryCodeRecovery({
    ctx: t.deps,
    input: { trackingNo, phone, clientAddress: nextAddress(), ...(now ? { now } : {}) },
  })

const redeem = (trackingNo: string, code: string, now?: Date) =>
  redeemQueryCodeRecovery({
    ctx: t.deps,
    input: { trackingNo, code, clientAddress: nextAddress(), ...(now ? { now } : {}) },
  })

const track = (trackingNo: string, queryCode: string) =>
  trackComplaint({ ctx: t.deps, input: { trackingNo, queryCode, clientAddress: nextAddress() } })

/** The code the provider received for `trackingNo`, the last one. */
const receivedCode = (trackingNo: string) =>
  provider.accepted.filter((s) => s.templateParam.trackingNo === trackingNo).at(-1)?.templateParam
    .code

async function refusal(promise: Promise<unknown>) {
  try {
    await promise
  } catch (error) {
    if (error instanceof ApiError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

describe('recovering a lost query code', () => {
  it('sends a code to the phone left, in quiet hours too; the code shows the case and a new query code', async () => {
    const phone = '13905785555'
    const filed = await fileCase(app, t, { phone, name: '周红' })
    // 23:00 Beijing time: an urgent message is not held for the morning.
    const night = tomorrowAt(23)
    expect(await ask(filed.trackingNo.toLowerCase(), `+86 ${phone}`, night)).toEqual({
      message: recoveryRequestedMessage,
    })
    expect((await deliverDueSms(t.deps, { now: night })).sent).toBe(1)
    expect(provider.refused).toEqual([])
    const sms = provider.accepted.at(-1)!
    expect(sms.phoneNumbers).toBe(phone)
    expect(sms.templateCode).toBe(t.deps.smsTemplates.templates.recovery_code.aliyunTemplateCode)
    const code = receivedCode(filed.trackingNo)!
    expect(code).toMatch(/^\d{6}$/)

    const recovered = await redeem(filed.trackingNo, code, new Date(night.getTime() + 60_000))
    expect(recovered.view.trackingNo).toBe(filed.trackingNo)
    expect(recovered.view.timeline.at(-1)?.note).toContain('原查询码不再有效')
    expect(recovered.queryCode).not.toBe(filed.queryCode)
    // The new code opens the case; the old one no longer does.
    expect((await track(filed.trackingNo, recovered.queryCode)).trackingNo).toBe(filed.trackingNo)
    expect((await refusal(track(filed.trackingNo, filed.queryCode))).code).toBe('NOT_FOUND')
    // A code works once.
    expect((await refusal(redeem(filed.trackingNo, code, night))).code).toBe('NOT_FOUND')

    // Once sent, the code is gone from the message row; no log line holds a code or the phone.
    const row = await t.deps.db
      .selectFrom('smsMessages')
      .select(['body', 'params', 'priority'])
      .where('complaintId', '=', filed.id)
      .where('event', '=', 'recovery_code')
      .executeTakeFirstOrThrow()
    expect(row.priority).toBe('urgent')
    expect(JSON.stringify(row)).not.toContain(code)
    expect(row.params.code).toBe('******')
    const logs = t.logLines.join('\n')
    for (const secret of [code, recovered.queryCode, filed.queryCode, phone, '周红']) {
      expect(logs).not.toContain(secret)
    }
  })

  it('answers a wrong phone exactly as a right one, and sends nothing', async () => {
    const filed = await fileCase(app, t, { phone: '13905786666' })
    expect(await ask(filed.trackingNo, '13905787777')).toEqual({
      message: recoveryRequestedMessage,
    })
    expect(await ask('JL20991231-0000-0000', '13905786666')).toEqual({
      message: recoveryRequestedMessage,
    })
    expect(await deliverDueSms(t.deps, { now: tomorrowAt(10) })).toMatchObject({ sent: 0 })
    expect(provider.accepted).toEqual([])
  })

  it('refuses a malformed number or phone, saying how to fix it', async () => {
    const bad = await refusal(ask('JL2026', '13905786666'))
    expect(bad.code).toBe('VALIDATION_FAILED')
    expect(bad.message).toContain('受理编号格式不对')
    const landline = await refusal(ask('JL20261207-1234-5678', '0578-2123456'))
    expect(landline.message).toBe('请填写提交投诉举报时留下的 11 位手机号。')
  })

  it('lets a code expire after five minutes', async () => {
    const phone = '13905788888'
    const filed = await fileCase(app, t, { phone })
    const at = tomorrowAt(10)
    await ask(filed.trackingNo, phone, at)
    await deliverDueSms(t.deps, { now: at })
    const code = receivedCode(filed.trackingNo)!
    const late = new Date(at.getTime() + recoveryRule.validSeconds * 1000 + 1000)
    expect((await refusal(redeem(filed.trackingNo, code, late))).code).toBe('NOT_FOUND')
  })

  it('gives up a code message still unsent when its code has expired', async () => {
    const phone = '13905789999'
    const filed = await fileCase(app, t, { phone })
    const at = tomorrowAt(10)
    await ask(filed.trackingNo, phone, at)
    const late = new Date(at.getTime() + recoveryRule.validSeconds * 1000 + 1000)
    expect(await deliverDueSms(t.deps, { now: late })).toMatchObject({ sent: 0, failed: 1 })
    expect(provider.accepted).toEqual([])
  })
})

describe('a code whose message expired unsent', () => {
  it('is blanked by the hourly sweep, never kept in the clear', async () => {
    const phone = '13905780707'
    const filed = await fileCase(app, t, { phone })
    // Asked ten minutes ago and never sent (as with no SMS transport set): expired.
    await ask(filed.trackingNo, phone, new Date(Date.now() - 10 * 60_000))
    const message = () =>
      t.deps.db
        .selectFrom('smsMessages')
        .select(['state', 'params', 'body'])
        .where('complaintId', '=', filed.id)
        .executeTakeFirstOrThrow()
    const code = (await message()).params.code!
    expect(code).toMatch(/^\d{6}$/)
    await pruneAbuseRecords(t.deps)
    const after = await message()
    expect(after.state).toBe('pending')
    expect(after.params.code).toBe('******')
    expect(after.body).not.toContain(code)
  })
})

describe('three wrong codes', () => {
  it('lock the tracking number for the window, even against the right code, under a burst', async () => {
    const phone = '13605781234'
    const filed = await fileCase(app, t, { phone })
    const at = tomorrowAt(10)
    await ask(filed.trackingNo, phone, at)
    await deliverDueSms(t.deps, { now: at })
    const code = receivedCode(filed.trackingNo)!
    const wrong = code === '000000' ? '111111' : '000000'
    // Ten wrong tries at once: exactly three are checked, the rest refused before checking.
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => redeem(filed.trackingNo, wrong, at)),
    )
    const codes = results.map((r) =>
      r.status === 'rejected' ? (r.reason as ApiError).code : 'FULFILLED',
    )
    expect(codes.filter((c) => c === 'NOT_FOUND')).toHaveLength(recoveryRule.triesPerCase)
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(10 - recoveryRule.triesPerCase)
    const locked = await refusal(redeem(filed.trackingNo, code, at))
    expect(locked.code).toBe('RATE_LIMITED')
    expect(locked.message).toContain('已连续输错 3 次')
    // The old query code still works: nothing changed.
    expect((await track(filed.trackingNo, filed.queryCode)).trackingNo).toBe(filed.trackingNo)
    // After the window, a new code can be asked for and used.
    const later = new Date(at.getTime() + recoveryRule.lockSeconds * 1000 + 60_000)
    await ask(filed.trackingNo, phone, later)
    await deliverDueSms(t.deps, { now: later })
    const fresh = receivedCode(filed.trackingNo)!
    expect((await redeem(filed.trackingNo, fresh, later)).view.trackingNo).toBe(filed.trackingNo)
  })

  it('asking for codes is limited per tracking number too, counted before checking', async () => {
    const phone = '13605785678'
    const filed = await fileCase(app, t, { phone })
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => ask(filed.trackingNo, phone)),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(
      recoveryRule.requestsPerCase,
    )
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect((refused.reason as ApiError).message).toContain('获取验证码的次数已满')
  })
})

describe('the API', () => {
  it('answers a request 202 and a right code 200 with the new query code', async () => {
    const phone = '13505780001'
    const filed = await fileCase(app, t, { phone })
    const post = (path: string, body: unknown) =>
      app.request(
        path,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        },
        { clientAddress: nextAddress() },
      )
    const asked = await post('/api/complaints/query-code/recovery', {
      trackingNo: filed.trackingNo,
      phone,
    })
    expect(asked.status).toBe(202)
    expect(await asked.json()).toEqual({ message: recoveryRequestedMessage })
    // The API asks at the real time: the code is sent now (urgent, quiet hours or not).
    await deliverDueSms(t.deps)
    const code = receivedCode(filed.trackingNo)!
    const wrong = await post('/api/complaints/query-code/recovery/redeem', {
      trackingNo: filed.trackingNo,
      code: code === '123456' ? '654321' : '123456',
    })
    expect(wrong.status).toBe(404)
    const right = await post('/api/complaints/query-code/recovery/redeem', {
      trackingNo: filed.trackingNo,
      code,
    })
    expect(right.status).toBe(200)
    expect(right.headers.get('cache-control')).toBe('no-store')
    const body = (await right.json()) as { queryCode: string; complaint: { trackingNo: string } }
    expect(body.complaint.trackingNo).toBe(filed.trackingNo)
    expect(body.queryCode).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/)
  })
})
