import { describe, expect, it } from 'vitest'
import { safeNext, signInUrl, withNext } from '../../site/lib/admin/auth-next.ts'
import { originMatchesHost } from '../../api/services/admin/origin.ts'

describe('the `next` address after sign-in', () => {
  it('keeps a path inside the console, with its query', () => {
    expect(safeNext('/admin/cases/42')).toBe('/admin/cases/42')
    expect(safeNext('/admin/cases?status=received&page=2')).toBe(
      '/admin/cases?status=received&page=2',
    )
    expect(safeNext('/admin')).toBe('/admin')
    expect(safeNext('/admin/enterprises/91331100MA2A0B1C2D')).toBe(
      '/admin/enterprises/91331100MA2A0B1C2D',
    )
    expect(safeNext('/admin/cases?q=..%2f..')).toBe('/admin/cases?q=..%2f..')
  })

  it.each([
    'https://evil.example/admin',
    '//evil.example/admin',
    '/\\evil.example',
    '/admin\\@evil.example',
    '/administrator',
    '/admin@evil.example',
    '/enterprises/',
    'javascript:alert(1)',
    '/admin/sign-in?next=/admin',
    '/admin/sign-out',
    '',
    null,
    // Dot segments, plain or percent-encoded in any case or mix, and encoded slashes.
    '/admin/../enterprises/',
    '/admin/cases/../../api/admin/auth/sign-out',
    '/admin/%2e%2e/enterprises/',
    '/admin/%2E%2E/%2E%2E/complaints/track',
    '/admin/.%2e/enterprises/',
    '/admin/%2e./enterprises/',
    '/admin/%252e%252e/enterprises/',
    '/admin/./cases',
    '/admin/cases/..',
    '/admin/cases%2f..%2f..%2fenterprises',
    '/admin/cases/..;/x',
    '/admin//evil.example',
    '/admin/sign-in/',
  ])('sends %j to the console home instead', (raw) => {
    expect(safeNext(raw)).toBe('/admin')
  })

  it('builds sign-in and stage addresses that carry it, and leaves the default out', () => {
    const asked = new URL('http://x/admin/cases?q=秤')
    const next = new URL(signInUrl(asked), 'http://x').searchParams.get('next')
    expect(next).toBe('/admin/cases?q=%E7%A7%A4')
    expect(decodeURIComponent(next!)).toBe('/admin/cases?q=秤')
    expect(withNext('/admin/totp', '/admin')).toBe('/admin/totp')
    expect(withNext('/admin/totp', 'https://evil.example')).toBe('/admin/totp')
  })
})

describe('the sign-in Origin check', () => {
  it('lets a same-host origin and a missing one through, and refuses any other', () => {
    expect(originMatchesHost(undefined, 'console.example:4321')).toBe(true)
    expect(originMatchesHost('https://console.example:4321', 'console.example:4321')).toBe(true)
    expect(originMatchesHost('https://console.example', 'console.example:4321')).toBe(false)
    expect(originMatchesHost('https://evil.example', 'console.example')).toBe(false)
    expect(originMatchesHost('null', 'console.example')).toBe(false)
  })
})
