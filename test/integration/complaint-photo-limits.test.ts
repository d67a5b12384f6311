import { readdir } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import {
  ascii,
  blackPng,
  cameraCanary,
  contains,
  heic,
  locationText,
  udtaLocationBox,
  uuidXmpBox,
  xmpPacket,
} from '../unit/photos-fixtures.ts'

let t: TestContext
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  t = await createTestContext({ env: { COMPLAINT_LIMIT_PER_ADDRESS: '0' } })
  app = createApp(t.deps)
})
afterAll(() => t.cleanup())

/** A valid 举报 posted as the complaint form posts it, with one photo. */
function postForm(name: string, bytes: Uint8Array, type: string) {
  const form = new FormData()
  const fields = {
    kind: 'report',
    category: 'short_weight',
    county: '331121',
    merchantName: '青田县鹤城菜场 8 号摊位',
    address: '青田县鹤城菜场',
    occurredAt: '2026-11-24T08:00',
    description: '电子秤每斤少约一两，照片为复秤读数。',
    consent: 'on',
  }
  for (const [key, value] of Object.entries(fields)) form.set(key, value)
  form.append('photos', new File([Buffer.from(bytes)], name, { type }))
  return app.request('/api/complaints', { method: 'POST', body: form })
}

const complaintCount = async () =>
  (await t.deps.db.selectFrom('complaints').select('id').execute()).length

const storedFiles = async () =>
  (await readdir(t.deps.config.PHOTO_DIR!, { recursive: true }).catch(() => [])).filter((f) =>
    /\.\w+$/.test(f),
  )

interface ErrorBody {
  error: { code: string; message: string; details: { field: string; message: string }[] }
}

describe('photo limits through the complaint form', () => {
  it('refuses a 30000×30000 PNG of 875 KB with 400 and a Chinese message, storing nothing', async () => {
    const res = await postForm('秤.png', blackPng(30_000, 30_000), 'image/png')
    expect(res.status).toBe(400)
    const body = (await res.json()) as ErrorBody
    expect(body.error.details).toEqual([
      {
        field: 'photos',
        message:
          '照片“秤.png”的尺寸为 30000×30000 像素，超过上限（最多 6710 万像素，每边最多 30000 像素）。' +
          '请在手机相机设置中改用标准分辨率拍摄，或缩小照片后再上传。',
      },
    ])
    expect(await complaintCount()).toBe(0)
    expect(await storedFiles()).toEqual([])
  })

  it('refuses a burst HEIC, saying how to send one picture', async () => {
    const burst = heic({ brands: ['msf1', 'mif1', 'heic', 'hevc'] }).bytes
    const res = await postForm('IMG_0042.HEIC', burst, 'image/heic')
    expect(res.status).toBe(400)
    const body = (await res.json()) as ErrorBody
    expect(body.error.details[0]!.message).toContain(
      '请在手机相机设置中改为拍摄单张照片，或截图后上传',
    )
    expect(await complaintCount()).toBe(0)
  })

  it('stores a HEIC without the XMP and location of its top-level uuid and udta boxes', async () => {
    const photo = heic({
      exif: true,
      xmp: true,
      boxesBeforeMdat: [uuidXmpBox()],
      boxesAfterMdat: [udtaLocationBox()],
    })
    const res = await postForm('IMG_0043.HEIC', photo.bytes, 'image/heic')
    expect(res.status).toBe(303)
    const trackingNo = res.headers.get('location')!.split('/').at(-1)!
    const [row] = await t.deps.db
      .selectFrom('complaintPhotos as p')
      .innerJoin('complaints as c', 'c.id', 'p.complaintId')
      .select(['p.storageKey', 'p.contentType'])
      .where('c.trackingNo', '=', trackingNo)
      .execute()
    expect(row?.contentType).toBe('image/heic')
    const stored = await t.deps.photos.get(row!.storageKey)
    expect(stored!.bytes.length).toBe(photo.bytes.length - udtaLocationBox().length)
    for (const leak of [xmpPacket, locationText, cameraCanary, ascii('udta'), ascii('uuid')]) {
      expect(contains(stored!.bytes, leak)).toBe(false)
    }
    expect(stored!.bytes.subarray(...photo.image)).toEqual(photo.bytes.subarray(...photo.image))
  })
})
