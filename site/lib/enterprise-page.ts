import {
  allEnterprisesWithHistory,
  type EnterpriseWithHistory,
} from '../../api/services/directory/all.ts'
import { serviceContext } from './services.ts'

/** One prerendered page per business, with all its data fetched up front in batches. */
export async function enterprisePaths() {
  const paths: Array<{ params: { uscc: string }; props: { enterprise: EnterpriseWithHistory } }> =
    []
  for await (const batch of allEnterprisesWithHistory({
    ctx: serviceContext(),
    input: { batchSize: 1000 },
  })) {
    for (const enterprise of batch)
      paths.push({ params: { uscc: enterprise.uscc }, props: { enterprise } })
  }
  return paths
}

export interface StatusNotice {
  title: string
  reason: string | null
}

/**
 * What a citizen must see first on the page of a business that is no longer certified: the
 * plaque at its counter may still be up.
 */
export function statusNotice(
  e: Pick<EnterpriseWithHistory, 'status' | 'statusSince' | 'validUntil'> & {
    history: readonly { kind: string; reason: string | null }[]
  },
): StatusNotice | null {
  if (e.status === 'active') return null
  const reason = e.history.find((h) => h.kind === e.status)?.reason ?? null
  switch (e.status) {
    case 'revoked':
      return { title: `该单位的诚信计量认定已于 ${e.statusSince} 撤销`, reason }
    case 'suspended':
      return { title: `该单位的诚信计量认定自 ${e.statusSince} 起暂停`, reason }
    case 'expired':
      return {
        title: `该单位的诚信计量认定已于 ${e.statusSince} 过期（有效期至 ${e.validUntil}）`,
        reason,
      }
  }
}
