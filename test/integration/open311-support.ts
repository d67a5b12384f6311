import { createApp } from '../../api/http/app.ts'
import type { Deps } from '../../api/deps.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'

export type App = ReturnType<typeof createApp>

/** A city administrator registers an app through the console API; its key, shown once. */
export async function registerApp(app: App, admin: TestOperator, name = '测试应用') {
  const res = await app.request('/api/admin/open311/clients', {
    method: 'POST',
    headers: { ...admin.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ name, contact: '测试单位 李工 0578-2123456' }),
  })
  if (res.status !== 201) throw new Error(`registering failed: ${res.status} ${await res.text()}`)
  return (await res.json()) as { client: { id: string; keyPrefix: string }; apiKey: string }
}

export const cityAdmin = (deps: Deps) => signedInOperator(deps, 'city_admin', null)

/** A GeoReport v2 request for a short-weight complaint, as an app would post it. */
export function requestForm(apiKey: string, overrides: Record<string, string | undefined> = {}) {
  const fields: Record<string, string | undefined> = {
    api_key: apiKey,
    service_code: 'short_weight',
    jurisdiction_id: '331102',
    address_string: '莲都区城东农贸市场 12 号摊位',
    description: '买排骨 2 斤，回家复称只有 1 斤 7 两，怀疑电子秤被改动。',
    last_name: '王',
    first_name: '丽',
    phone: '13800001234',
    'attribute[kind]': 'complaint',
    'attribute[merchant_name]': '城东农贸市场 12 号摊位',
    'attribute[occurred_at]': '2026-11-26T09:10',
    'attribute[consent]': 'true',
    ...overrides,
  }
  const form = new URLSearchParams()
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.set(k, v)
  return form
}

export function postRequest(
  app: App,
  form: URLSearchParams | string,
  options: { format?: 'json' | 'xml'; headers?: Record<string, string>; address?: string } = {},
) {
  return app.request(
    `/open311/v2/requests.${options.format ?? 'json'}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
      body: form.toString(),
    },
    { clientAddress: options.address ?? '198.51.100.7' },
  )
}
