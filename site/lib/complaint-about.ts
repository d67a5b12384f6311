import { verifyEnterprise } from './verify-page.ts'
import type { ComplaintFormValues } from './complaints.ts'

/** The business a complaint form names, linked to the list: said beside its name on the form. */
export interface LinkedBusiness {
  name: string
  uscc: string
}

export type FormAbout =
  | { kind: 'linked'; values: ComplaintFormValues; linked: LinkedBusiness }
  | {
      kind: 'unknown'
      /** A well-formed code stays in its field: the handler may still find the business by it. */
      values: ComplaintFormValues
      /** What the resident is told above the form, and how to go on. */
      message: string
    }

/**
 * The form of a complaint started from a business's page or plaque check (`complaintAboutUrl`):
 * its name, code, county and address read from the list now. A code that is not on the list (a
 * link kept after the business left it, or one typed by hand) opens the form with a sentence
 * saying so, not a silent blank form.
 */
export async function formAbout(code: string): Promise<FormAbout> {
  const found = await verifyEnterprise(code)
  if (found.kind === 'found') {
    const e = found.enterprise
    return {
      kind: 'linked',
      values: { merchantName: e.name, merchantUscc: e.uscc, county: e.county, address: e.address },
      linked: { name: e.name, uscc: e.uscc },
    }
  }
  if (found.kind === 'entity') {
    // A market entity with a credit record: its details are known, but it is not on the list.
    const m = found.entity
    return {
      kind: 'unknown',
      values: { merchantName: m.name, merchantUscc: m.uscc, county: m.county, address: m.address },
      message: `${m.name}不是丽水市诚信计量单位，已带出它的名称、代码和地址，请核对后填写。`,
    }
  }
  if (found.problem) {
    return {
      kind: 'unknown',
      values: {},
      message: `链接中的统一社会信用代码有误：${found.problem}。无法带出单位信息，请在下面填写被投诉单位的名称和地址。`,
    }
  }
  return {
    kind: 'unknown',
    values: { merchantUscc: found.code },
    message: `代码为 ${found.code} 的单位不在丽水市诚信计量单位名单上，无法带出单位信息。请在下面填写被投诉单位的名称和地址。`,
  }
}

/**
 * The listed business a form shown again names, if its name and code are still those of one
 * business on the list (as the form opened from its page, or a suggestion picked, wrote them).
 */
export async function linkedIn(values: ComplaintFormValues): Promise<LinkedBusiness | undefined> {
  const name = values.merchantName?.trim()
  const code = values.merchantUscc?.trim()
  if (!name || !code) return undefined
  const found = await verifyEnterprise(code)
  if (found.kind !== 'found' || found.enterprise.name !== name) return undefined
  return { name: found.enterprise.name, uscc: found.enterprise.uscc }
}
