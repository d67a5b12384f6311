// Dependency-free on purpose: the browser's live-search script imports these labels too. db/schema/
// takes the lists from here for the columns that check them, so a value is added in one place.

export const certificationStatuses = ['active', 'suspended', 'revoked', 'expired'] as const
/** 认定状态: 有效 / 暂停 / 撤销 / 过期 */
export type CertificationStatus = (typeof certificationStatuses)[number]

export const certificationEventKinds = [
  'certified',
  'renewed',
  'suspended',
  'reinstated',
  'revoked',
  'expired',
  /** 信息变更: name, address, county or sector corrected in the console. */
  'amended',
] as const
export type CertificationEventKind = (typeof certificationEventKinds)[number]

/** What the complaint form says beside 商户名称 once it names a business of the list. */
export const linkedBusinessNote = (name: string, uscc: string) =>
  `已关联诚信计量单位：${name}（${uscc}）`

/** 有效 / 暂停 / 撤销 / 过期 */
export const statusLabels: Record<CertificationStatus, string> = {
  active: '有效',
  suspended: '暂停',
  revoked: '撤销',
  expired: '过期',
}

/** 认定 / 续期 / 暂停 / 恢复 / 撤销 / 过期 / 信息变更 */
export const eventLabels: Record<CertificationEventKind, string> = {
  certified: '认定',
  renewed: '续期',
  suspended: '暂停',
  reinstated: '恢复',
  revoked: '撤销',
  expired: '过期',
  amended: '信息变更',
}
