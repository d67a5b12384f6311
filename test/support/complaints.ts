import type { createApp } from '../../api/http/app.ts'

/**
 * Posts report (举报) number `n` as JSON from its own client address (192.0.2.n): anonymous, so no
 * personal data, and each from another address, so the abuse limits count but do not refuse.
 */
export function postReport(app: ReturnType<typeof createApp>, label: string, n: number) {
  return app.request(
    '/api/complaints',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'report',
        category: 'short_weight',
        county: '331102',
        merchantName: `${label}摊位 ${n}`,
        address: `莲都区${label}菜场`,
        occurredAt: '2026-11-20T09:30',
        description: `${label}第 ${n} 份。`,
        consent: true,
      }),
    },
    { clientAddress: `192.0.2.${n}` },
  )
}
