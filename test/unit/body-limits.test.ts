import { describe, expect, it } from 'vitest'
import {
  bodyLimitFor,
  consoleFormBytes,
  hotlineEventBytes,
  tinyFormBytes,
} from '../../api/body-limits.ts'
import { parseConfig } from '../../api/config.ts'
import { defaultPhotoLimits } from '../../api/photos/accept.ts'

const config = parseConfig({ NODE_ENV: 'test' })

describe('the body limit of each route', () => {
  it('lets a complaint carry its largest allowed photos and fields', () => {
    const photos = defaultPhotoLimits.maxCount * defaultPhotoLimits.maxBytes
    for (const path of ['/complaints/submit', '/api/complaints']) {
      expect(bodyLimitFor(config, path).maxBytes).toBeGreaterThanOrEqual(photos + 64 * 1024)
    }
  })

  it('lets the photo step of the complaint steps take three photos, and answers for itself', () => {
    const photos = defaultPhotoLimits.maxCount * defaultPhotoLimits.maxBytes
    const limit = bodyLimitFor(config, '/complaints/steps/photos')
    expect(limit.maxBytes).toBeGreaterThanOrEqual(photos + 64 * 1024)
    expect(limit.pageAnswers).toBe(true)
    // The other steps take text only, 事情经过 at most 5,000 characters (45 KB urlencoded).
    const description = `description=${encodeURIComponent('计'.repeat(5000))}`
    for (const step of ['steps/what', 'steps/where', 'steps/about', 'check']) {
      const { maxBytes } = bodyLimitFor(config, `/complaints/${step}`)
      expect(maxBytes).toBeLessThan(photos)
      expect(maxBytes).toBeGreaterThan(description.length)
    }
  })

  it('lets a console form carry the longest note, urlencoded, and a 12345 event its content', () => {
    const note = `note=${encodeURIComponent('计'.repeat(5000))}&csrf=${'x'.repeat(64)}`
    expect(bodyLimitFor(config, '/admin/cases/1').maxBytes).toBeGreaterThan(note.length)
    expect(consoleFormBytes).toBeGreaterThan(note.length)
    const event = JSON.stringify({ content: '\u8ba1'.repeat(5000) }).replace(
      /[^\x20-\x7e]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
    expect(bodyLimitFor(config, '/api/hotline/12345/events').maxBytes).toBe(hotlineEventBytes)
    expect(hotlineEventBytes).toBeGreaterThan(event.length * 4)
  })

  it('gives tiny forms a few KB and any other page the smallest limit', () => {
    for (const path of ['/complaints/track', '/admin/sign-in', '/admin/totp', '/', '/verify/1']) {
      expect(bodyLimitFor(config, path).maxBytes, path).toBe(tinyFormBytes)
    }
  })

  it('gives the large limit to the two complaint routes only, however the path is written', () => {
    const complaint = config.COMPLAINT_BODY_LIMIT_BYTES
    expect(bodyLimitFor(config, '/complaints/submit/').maxBytes).toBe(complaint)
    expect(bodyLimitFor(config, '/complaints/%73ubmit').maxBytes).toBe(complaint)
    for (const path of [
      '/complaints/submit/x',
      '/complaints/submitx',
      '/api/complaints/JL20261126-00001',
      '/admin/complaints/submit',
      '/%E0%A4%A',
    ]) {
      expect(bodyLimitFor(config, path).maxBytes, path).toBeLessThan(complaint)
    }
  })

  it('lets the console upload a list as large as the API limit, page and API alike', () => {
    for (const path of ['/admin/enterprises/import', '/api/admin/enterprises/import/']) {
      expect(bodyLimitFor(config, path).maxBytes, path).toBe(config.BODY_LIMIT_BYTES)
      expect(bodyLimitFor(config, path).message, path).toContain('名单文件过大：最大 1024 KB')
    }
    expect(bodyLimitFor(config, '/admin/enterprises/x').maxBytes).toBe(consoleFormBytes)
  })

  it('lets a visit take three photos of instruments, from its page and the API, and nothing more', () => {
    const photos = 3 * 5 * 1024 * 1024
    for (const path of ['/admin/visits/42', '/api/admin/visits/42/photos']) {
      expect(bodyLimitFor(config, path).maxBytes, path).toBeGreaterThanOrEqual(photos + 64 * 1024)
      expect(bodyLimitFor(config, path).message, path).toContain('请压缩照片后重试')
    }
    for (const path of [
      '/api/admin/visits/42',
      '/admin/visits/42/x',
      '/api/admin/visit-photos/1',
    ]) {
      expect(bodyLimitFor(config, path).maxBytes, path).toBe(consoleFormBytes)
    }
  })

  it('says in Chinese what was too large and how to fix it', () => {
    expect(bodyLimitFor(config, '/complaints/submit').message).toContain('请压缩照片后重试')
    expect(bodyLimitFor(config, '/complaints/track').message).toContain('受理编号和查询码')
    expect(bodyLimitFor(config, '/api/enterprises').message).toContain('请删减后重试')
  })
})
