import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  ConfigError,
  configWarnings,
  parseConfig,
  servedSiteUrl,
  siteUrlAwaitsPort,
} from '../../api/config.ts'
import { createLogger } from '../../api/logger.ts'
import { devStarters } from '../../scripts/stack/product.ts'
import { startProduct } from '../../server/product.ts'

describe('configuration', () => {
  it('has working defaults for a first start', () => {
    const config = parseConfig({})
    expect(config).toMatchObject({ PORT: 4321, HOST: '127.0.0.1', DATA_DIR: '.data' })
    expect(config.DATABASE_URL).toBeUndefined()
    expect(config.MEILI_URL).toBeUndefined()
  })

  it('takes the site address from the port and host it serves on when SITE_URL is unset', () => {
    expect(parseConfig({}).SITE_URL).toBe('http://127.0.0.1:4321')
    expect(parseConfig({ PORT: '4931' }).SITE_URL).toBe('http://127.0.0.1:4931')
    expect(parseConfig({ PORT: '4931', SITE_URL: '' }).SITE_URL).toBe('http://127.0.0.1:4931')
    expect(parseConfig({ HOST: 'metrology.local', PORT: '8080' }).SITE_URL).toBe(
      'http://metrology.local:8080',
    )
    // Listening on every interface: reached here on the loopback address.
    expect(parseConfig({ HOST: '0.0.0.0', PORT: '4931' }).SITE_URL).toBe('http://127.0.0.1:4931')
    expect(parseConfig({ HOST: '::1', PORT: '4931' }).SITE_URL).toBe('http://[::1]:4931')
  })

  it('keeps an explicit SITE_URL whatever the port', () => {
    const config = parseConfig({ PORT: '4931', SITE_URL: 'https://jl.lishui.gov.cn' })
    expect(config.SITE_URL).toBe('https://jl.lishui.gov.cn')
    expect(siteUrlAwaitsPort(config)).toBe(false)
  })

  it('leaves the port of the site address to the server when the system picks it', () => {
    const config = parseConfig({ PORT: '0' })
    expect(siteUrlAwaitsPort(config)).toBe(true)
    expect(servedSiteUrl(config, 40123)).toBe('http://127.0.0.1:40123')
    expect(siteUrlAwaitsPort(parseConfig({ PORT: '0', SITE_URL: 'http://127.0.0.1:8000' }))).toBe(
      false,
    )
  })

  it('treats an empty variable as unset', () => {
    expect(parseConfig({ DATABASE_URL: '', MEILI_URL: '' }).DATABASE_URL).toBeUndefined()
  })

  it('names every wrong variable and what it got', () => {
    let error: unknown
    try {
      parseConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    const message = (error as ConfigError).message
    expect(message).toContain('PORT')
    expect(message).toContain('"eighty"')
    expect(message).toContain('DATABASE_URL')
    expect(message).toContain('LOG_LEVEL')
  })

  const production = {
    NODE_ENV: 'production',
    PII_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
    PII_HASH_KEY: Buffer.alloc(32, 2).toString('base64'),
    HOTLINE_WEBHOOK_SECRET: `whsec_${Buffer.alloc(24, 3).toString('base64')}`,
    HOTLINE_CALLBACK_SECRET: `whsec_${Buffer.alloc(24, 4).toString('base64')}`,
  }

  it('warns in production when the client address is not taken from a proxy', () => {
    expect(configWarnings(parseConfig(production))).toEqual([
      expect.stringContaining('TRUST_PROXY is off'),
    ])
    expect(configWarnings(parseConfig({ ...production, TRUST_PROXY: 'true' }))).toEqual([])
    expect(configWarnings(parseConfig({}))).toEqual([])
  })

  it('takes a count listener port apart from the web port, and none when empty', () => {
    expect(parseConfig({}).OPEN_CASES_PORT).toBeUndefined()
    expect(parseConfig({ OPEN_CASES_PORT: '' }).OPEN_CASES_PORT).toBeUndefined()
    expect(parseConfig({ PORT: '4321', OPEN_CASES_PORT: '4331' }).OPEN_CASES_PORT).toBe(4331)
    expect(() => parseConfig({ PORT: '4321', OPEN_CASES_PORT: '4321' })).toThrow(
      /OPEN_CASES_PORT: must differ from PORT \(4321\)/,
    )
    expect(() => parseConfig({ OPEN_CASES_PORT: '0' })).toThrow(/OPEN_CASES_PORT/)
  })

  it('keeps idle connections longer than a balancer by default, and lets both timeouts be set', () => {
    const defaults = parseConfig({})
    expect(defaults.KEEP_ALIVE_TIMEOUT_MS).toBeGreaterThan(60_000)
    expect(defaults.REQUEST_TIMEOUT_MS).toBeUndefined()
    const set = parseConfig({ KEEP_ALIVE_TIMEOUT_MS: '75000', REQUEST_TIMEOUT_MS: '90000' })
    expect([set.KEEP_ALIVE_TIMEOUT_MS, set.REQUEST_TIMEOUT_MS]).toEqual([75_000, 90_000])
    expect(() =>
      parseConfig({ KEEP_ALIVE_TIMEOUT_MS: '75000', REQUEST_TIMEOUT_MS: '70000' }),
    ).toThrow(/REQUEST_TIMEOUT_MS: must be more than KEEP_ALIVE_TIMEOUT_MS \+ 1000/)
    expect(() => parseConfig({ KEEP_ALIVE_TIMEOUT_MS: 'soon' })).toThrow(/KEEP_ALIVE_TIMEOUT_MS/)
    expect(
      configWarnings(
        parseConfig({ ...production, TRUST_PROXY: 'true', KEEP_ALIVE_TIMEOUT_MS: '5000' }),
      ),
    ).toEqual([expect.stringContaining('KEEP_ALIVE_TIMEOUT_MS is 5000')])
  })

  it('puts that warning in the log before `npm start` starts anything', async () => {
    const lines: string[] = []
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) })
    // Services nobody listens on: the start fails at once, after the warning.
    const config = parseConfig({
      ...production,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
      MEILI_URL: 'http://127.0.0.1:1',
    })
    await expect(startProduct(config, logger, devStarters)).rejects.toThrow()
    expect(lines.filter((l) => l.includes('TRUST_PROXY is off'))).toHaveLength(1)
  })

  it('refuses production without keys for personal data', () => {
    expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(
      /PII_KEYS: required in production/,
    )
    expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(/PII_HASH_KEY: required/)
    expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(
      /HOTLINE_WEBHOOK_SECRET: required in production/,
    )
    expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(
      /HOTLINE_CALLBACK_SECRET: required in production/,
    )
    const key = Buffer.alloc(32, 7).toString('base64')
    const hotline = `whsec_${Buffer.alloc(32, 5).toString('base64')}`
    expect(
      parseConfig({
        NODE_ENV: 'production',
        PII_KEYS: `k1:${key}`,
        PII_HASH_KEY: key,
        HOTLINE_WEBHOOK_SECRET: hotline,
        HOTLINE_CALLBACK_SECRET: hotline,
      }).PII_KEYS,
    ).toBe(`k1:${key}`)
  })

  it('takes several hotline secrets while one rotates, and names a malformed one unechoed', () => {
    const a = `whsec_${Buffer.alloc(32, 1).toString('base64')}`
    const b = `whsec_${Buffer.alloc(32, 2).toString('base64')}`
    expect(parseConfig({ HOTLINE_WEBHOOK_SECRET: `${a} ${b}` }).HOTLINE_WEBHOOK_SECRET).toBe(
      `${a} ${b}`,
    )
    let message = ''
    try {
      parseConfig({
        HOTLINE_WEBHOOK_SECRET: `${a} not-a-secret-xyz`,
        HOTLINE_CALLBACK_SECRET: `${a} ${b}`,
      })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(
      /HOTLINE_WEBHOOK_SECRET: secret 2: expected a value starting with "whsec_"/,
    )
    expect(message).toMatch(/HOTLINE_CALLBACK_SECRET: expected one secret/)
    expect(message).not.toContain('not-a-secret-xyz')
    expect(message).not.toContain(a)
  })

  it('names a wrong secret without echoing its value', () => {
    const short = Buffer.alloc(16, 9).toString('base64')
    let message = ''
    try {
      parseConfig({ PII_KEYS: `k1:${short}`, PII_HASH_KEY: short })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain('PII_KEYS')
    expect(message).toContain('PII_HASH_KEY')
    expect(message).toContain('(value hidden)')
    expect(message).not.toContain(short)
  })

  it('takes the notice transports as optional, and names a wrong one without echoing it', () => {
    const secret = `whsec_${Buffer.alloc(32, 5).toString('base64')}`
    const config = parseConfig({
      NOTIFY_SMTP_URL: 'smtps://notice:s3cret@mail.example.gov.cn:465',
      NOTIFY_MAIL_FROM: '丽水市市场监管局 <notice@example.gov.cn>',
      NOTIFY_WEBHOOK_SECRET: secret,
    })
    expect(config.NOTIFY_WEBHOOK_SECRET).toBe(secret)
    expect(parseConfig({}).NOTIFY_SMTP_URL).toBeUndefined()
    let message = ''
    try {
      parseConfig({
        NOTIFY_SMTP_URL: 'https://notice:s3cret@mail.example.gov.cn',
        NOTIFY_WEBHOOK_SECRET: 'not-a-secret-xyz',
      })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain('NOTIFY_SMTP_URL')
    expect(message).toMatch(/NOTIFY_WEBHOOK_SECRET: expected a value starting with "whsec_"/)
    expect(message).not.toContain('s3cret')
    expect(message).not.toContain('not-a-secret-xyz')
    expect(() => parseConfig({ NOTIFY_SMTP_URL: 'smtp://mail.example.gov.cn:587' })).toThrow(
      /NOTIFY_MAIL_FROM: required with NOTIFY_SMTP_URL/,
    )
  })

  it('takes one SMS transport at most, each with both of its settings, secrets unechoed', () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`
    const aliyun = parseConfig({
      SMS_ALIYUN_ACCESS_KEY_ID: 'LTAI5tKey',
      SMS_ALIYUN_ACCESS_KEY_SECRET: 'aliyun-s3cret',
    })
    expect(aliyun.SMS_ALIYUN_ENDPOINT).toBe('https://dysmsapi.aliyuncs.com')
    expect(
      parseConfig({ SMS_GATEWAY_URL: 'https://sms.zj.example/send', SMS_GATEWAY_SECRET: secret })
        .SMS_GATEWAY_URL,
    ).toBe('https://sms.zj.example/send')
    const problems = (env: Record<string, string>) => {
      try {
        parseConfig(env)
        return ''
      } catch (error) {
        return (error as Error).message
      }
    }
    expect(problems({ SMS_ALIYUN_ACCESS_KEY_ID: 'LTAI5tKey' })).toContain(
      'SMS_ALIYUN_ACCESS_KEY_SECRET: SMS_ALIYUN_ACCESS_KEY_ID and SMS_ALIYUN_ACCESS_KEY_SECRET go together',
    )
    expect(problems({ SMS_GATEWAY_SECRET: secret })).toContain(
      'SMS_GATEWAY_URL: SMS_GATEWAY_URL and SMS_GATEWAY_SECRET go together',
    )
    const both = problems({
      SMS_ALIYUN_ACCESS_KEY_ID: 'LTAI5tKey',
      SMS_ALIYUN_ACCESS_KEY_SECRET: 'aliyun-s3cret',
      SMS_GATEWAY_URL: 'https://sms.zj.example/send',
      SMS_GATEWAY_SECRET: 'not-a-secret-xyz',
    })
    expect(both).toContain('not both')
    expect(both).toMatch(/SMS_GATEWAY_SECRET: expected a value starting with "whsec_"/)
    expect(both).not.toContain('aliyun-s3cret')
    expect(both).not.toContain('not-a-secret-xyz')
    expect(
      problems({ SMS_GATEWAY_URL: 'http://sms.zj.example/send', SMS_GATEWAY_SECRET: secret }),
    ).toContain('SMS_GATEWAY_URL: must be https://')
    expect(
      problems({ SMS_GATEWAY_URL: 'http://127.0.0.1:8080/send', SMS_GATEWAY_SECRET: secret }),
    ).toBe('')
  })

  it('keeps photos in a folder by default, and in S3 only with a bucket and both keys', () => {
    expect(parseConfig({}).PHOTO_STORE).toBe('folder')
    const s3 = parseConfig({
      PHOTO_STORE: 's3',
      S3_ENDPOINT: 'https://oss-cn-hangzhou.aliyuncs.com',
      S3_BUCKET: 'lishui-photos',
      S3_PREFIX: 'complaints',
      S3_REGION: 'oss-cn-hangzhou',
      S3_ACCESS_KEY_ID: 'LTAI5tPhotos',
      S3_SECRET_ACCESS_KEY: 'photo-s3cret-value',
    })
    expect(s3).toMatchObject({
      S3_PREFIX: 'complaints/',
      S3_FORCE_PATH_STYLE: false,
      S3_SERVER_SIDE_ENCRYPTION: 'AES256',
    })
    // A child process gets the configuration back as variables: parsing again gives the same.
    const again = parseConfig(
      Object.fromEntries(Object.entries(s3).map(([k, v]) => [k, v === undefined ? '' : String(v)])),
    )
    expect(again).toEqual(s3)
    let message = ''
    try {
      parseConfig({
        PHOTO_STORE: 's3',
        S3_ENDPOINT: 'http://minio.internal:9000',
        S3_SECRET_ACCESS_KEY: `photo-s3cret-${'x'.repeat(200)}`,
      })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain('S3_BUCKET: required with PHOTO_STORE=s3')
    expect(message).toContain('S3_ACCESS_KEY_ID: required with PHOTO_STORE=s3')
    expect(message).toContain('S3_ENDPOINT: must be https://')
    expect(message).toContain('S3_SECRET_ACCESS_KEY')
    expect(message).not.toContain('photo-s3cret')
    expect(() =>
      parseConfig({
        PHOTO_STORE: 's3',
        S3_ENDPOINT: 'http://127.0.0.1:9000',
        S3_BUCKET: 'photos',
        S3_ACCESS_KEY_ID: 'id',
        S3_SECRET_ACCESS_KEY: 'secret',
        S3_FORCE_PATH_STYLE: 'true',
      }),
    ).not.toThrow()
  })

  // Starts a Node process that compiles scripts/start.ts: a second or two on an idle machine, more
  // than the unit default of 5 s while the rest of the suite loads both cores.
  it(
    'stops `npm start` before it starts anything when a variable is wrong',
    { timeout: 60_000 },
    () => {
      const root = path.resolve(import.meta.dirname, '../..')
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
        cwd: root,
        env: { ...process.env, PORT: '99999', DATA_DIR: '/nonexistent/never-created' },
        encoding: 'utf8',
        timeout: 50_000,
      })
      expect(result.status).toBe(78)
      expect(result.stderr).toContain('PORT')
    },
  )
})
