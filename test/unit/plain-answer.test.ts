import { describe, expect, it } from 'vitest'
import { careReturnPath } from '../../site/lib/care-mode.ts'
import { plainAnswer } from '../../site/lib/enterprise-page.ts'
import { chineseDate } from '../../site/lib/format.ts'
import { linkHotline } from '../../site/lib/hotline-links.ts'

describe('the plain answer a business page leads with', () => {
  const e = { statusSince: '2026-03-05', validUntil: '2027-01-09' }

  it('names the validity date only for a current certification', () => {
    expect(plainAnswer({ ...e, status: 'active' }).sentence).toBe(
      '是丽水市诚信计量单位，有效期至2027年1月9日',
    )
    expect(plainAnswer({ ...e, status: 'revoked' }).sentence).toBe(
      '已撤销诚信计量单位认定（2026年3月5日）',
    )
    expect(plainAnswer({ ...e, status: 'suspended' }).sentence).toBe(
      '已暂停诚信计量单位认定（2026年3月5日起）',
    )
    expect(plainAnswer({ ...e, status: 'expired' }).sentence).toBe(
      '已过期：诚信计量单位认定于2027年1月9日到期',
    )
  })

  it('says a business without a certification is not certified', () => {
    expect(plainAnswer(null)).toEqual({ tone: 'uncertified', sentence: '未认定诚信计量单位' })
  })

  it('says dates the way people say them', () => {
    expect(chineseDate('2026-12-30')).toBe('2026年12月30日')
    expect(chineseDate('not a date')).toBe('not a date')
  })
})

describe('the 关怀模式 switch', () => {
  it('returns to the page it was used on, and never to another site', () => {
    expect(careReturnPath('/enterprises/county/331102/')).toBe('/enterprises/county/331102/')
    expect(careReturnPath('/search?q=菜场')).toBe('/search?q=菜场')
    for (const bad of ['//evil.example/', 'https://evil.example/', '/\\evil.example', null, '']) {
      expect(careReturnPath(bad)).toBe('/')
    }
  })
})

describe('12345 in notices', () => {
  it('becomes a tel: link wherever a notice names the hotline', () => {
    expect(linkHotline('<p>请拨打 12345 反映。</p>')).toBe(
      '<p>请拨打 <a class="tel" href="tel:12345">12345</a> 反映。</p>',
    )
  })

  it('leaves longer numbers, links and code alone', () => {
    for (const html of [
      '<p>工单 LS123456、LS12345-01</p>',
      '<p><a href="/developers/12345">12345 对接</a></p>',
      '<p><code>12345</code></p>',
    ]) {
      expect(linkHotline(html)).toBe(html)
    }
  })
})
