import { describe, expect, it } from 'vitest'
import { erasedName, erasedPhone, withoutResident } from '../../api/domain/erasure.ts'

const resident = { name: '王小明', phone: '13912345678' }

describe('what handlers wrote, once the resident’s data is past its retention', () => {
  it('loses the resident’s name and phone, however the phone was spaced', () => {
    expect(withoutResident('已电话联系王小明（139 1234 5678），其表示认可。', resident)).toBe(
      `已电话联系${erasedName}（${erasedPhone}），其表示认可。`,
    )
    expect(withoutResident('回访 139-1234-5678 未接通；王小明另留 +86 13912345678', resident)).toBe(
      `回访 ${erasedPhone} 未接通；${erasedName}另留 +86 ${erasedPhone}`,
    )
  })

  it('masks any other phone or ID number, as the private index does', () => {
    expect(
      withoutResident(
        '其家属电话 13800138000，身份证 330102199001011234，座机 0578-2123456。',
        resident,
      ),
    ).toBe('其家属电话 138****8000，身份证 330102********1234，座机 0578-****456。')
  })

  it('keeps the handling record and numbers that merely contain the phone’s digits', () => {
    const record = '经复核，该摊位电子秤误差超出允许范围，已责令整改，退还差价 3.2 元。'
    expect(withoutResident(record, resident)).toBe(record)
    expect(withoutResident('案卷 9913912345678', resident)).toBe('案卷 9913912345678')
  })

  it('leaves a one-character name alone and works without a known contact', () => {
    expect(withoutResident('王记摊位已整改', { name: '王', phone: null })).toBe('王记摊位已整改')
    expect(withoutResident('联系 13912345678', { name: null, phone: null })).toBe(
      '联系 139****5678',
    )
  })
})
