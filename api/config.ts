import { z } from 'zod'
import { parseHashKey, parsePiiKeys } from './privacy/pii.ts'
import { defaultDrawWeights } from './domain/credit.ts'
import { formatDrawWeights, parseDrawWeights } from './domain/draw.ts'
import { parseWebhookSecret } from './hotline/signature.ts'
import { isLoopbackHost } from './domain/loopback.ts'
import { parsePenaltyPublication } from './domain/penalty-publication.ts'

/**
 * The whole environment, parsed once at start-up. Nothing else in the code base reads
 * `process.env`: a wrong value stops the process with a message naming the variable.
 */
const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value)

const port = z.coerce.number().int().min(0).max(65535)

const configSchema = z
  .object({
    /** `production` turns on Secure cookies and hides internal error detail. */
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    /** Port the web server listens on. */
    PORT: port.default(4321),
    /** Address the web server binds to. */
    HOST: z.string().min(1).default('127.0.0.1'),
    /** PostgreSQL connection string; when unset an embedded server is started under DATA_DIR. */
    DATABASE_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^postgres(ql)?$/ }).optional()),
    /** Connections in the pool of each process. */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    /** Meilisearch address; when unset the packaged binary is started under DATA_DIR. */
    MEILI_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional()),
    /** Meilisearch API key with rights to manage indexes (the master key for the embedded one). */
    MEILI_MASTER_KEY: z.preprocess(emptyToUndefined, z.string().min(16).optional()),
    /** Prefix of every index name, so several environments can share one Meilisearch. */
    MEILI_INDEX_PREFIX: z
      .string()
      .regex(/^[a-z0-9_]*$/, 'only lower-case letters, digits and underscores')
      .default(''),
    /** Where embedded services, caches and generated secrets live. */
    DATA_DIR: z.string().min(1).default('.data'),
    /** Where the site is built (static files and the server entry); relative to the project. */
    SITE_OUT_DIR: z.string().min(1).default('dist'),
    /** pino level. */
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    /**
     * Largest request body of an `/api` route without a limit of its own (api/body-limits.ts lists
     * them all), in bytes.
     */
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(50 * 1024 * 1024)
      .default(1024 * 1024),
    /**
     * How long an idle keep-alive connection stays open, in ms. Above a load balancer's own idle
     * time (60 s for nginx upstreams and most cloud balancers), or the server closes a connection
     * the balancer is about to reuse and the client gets a 502 (issue 26). The headers timeout
     * follows it (1 s more, as Node needs).
     */
    KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(65_000),
    /**
     * How long one request may take to arrive whole, in ms (slow-body attacks). Unset, long
     * enough for the largest complaint from a slow phone (api/http/server-timeouts.ts).
     */
    REQUEST_TIMEOUT_MS: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(10_000).max(3_600_000).optional(),
    ),
    /**
     * A second port (on HOST) where the background thread answers the filing form's count of a
     * business's open cases (`GET /api/complaints/open-cases`) at idle CPU priority, so residents
     * asking it never slow the filing of complaints (issue 25; deploy/nginx routes the path
     * there). Unset: none; the web server answers the count itself, as it always does.
     */
    OPEN_CASES_PORT: z.preprocess(emptyToUndefined, port.min(1).optional()),
    /** Run the outbox worker inside the web process (turn off when workers run apart). */
    WORKER_ENABLED: z
      .enum(['true', 'false', '1', '0'])
      .default('true')
      .transform((v) => v === 'true' || v === '1'),
    /**
     * Early-warning detection (issue 24) in the outbox worker and the hourly sweep: `off` stops
     * it (operations, and the intake benchmark's baseline); complaints are still indexed.
     */
    WARNINGS_DETECTION: z.enum(['on', 'off']).default('on'),
    /** Load the demo list into an empty embedded database at start: `auto` does so only then. */
    DEMO_DATA: z.enum(['auto', 'never']).default('auto'),
    /**
     * Public address of the site, used in RSS, absolute links and the plaques' QR codes. Unset,
     * it is the address the web server listens on (HOST and PORT; see servedSiteUrl).
     */
    SITE_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional()),
    /**
     * Keys sealing personal data (AES-256-GCM): space-separated `id:base64` pairs of 32-byte keys,
     * the first used for new data, the others still read (rotation). Required in production; in
     * development a key is generated under DATA_DIR/secrets.
     */
    PII_KEYS: z.preprocess(emptyToUndefined, z.string().optional()),
    /** Key (base64, at least 32 bytes) of the keyed hashes of phones and query codes. */
    PII_HASH_KEY: z.preprocess(emptyToUndefined, z.string().optional()),
    /** Where complaint photos are stored; default DATA_DIR/photos. */
    PHOTO_DIR: z.preprocess(emptyToUndefined, z.string().optional()),
    /**
     * Where complaint photos live: `folder` (PHOTO_DIR, one machine) or `s3`, an S3-compatible
     * bucket (S3_*) that every replica shares.
     */
    PHOTO_STORE: z.enum(['folder', 's3']).default('folder'),
    /** The S3-compatible service's address (https://, or http:// to this machine only). */
    S3_ENDPOINT: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional()),
    /** The bucket holding the photos; it must not be public. */
    S3_BUCKET: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected a bucket name (a-z, 0-9, . and -)')
        .optional(),
    ),
    /** Put before every photo's key in the bucket, e.g. `lishui/photos/`; may be empty. */
    S3_PREFIX: z
      .string()
      .regex(/^([a-zA-Z0-9._-]+\/?)*$/, 'expected folder names separated by /, e.g. lishui/photos/')
      .default('')
      // Kept as a folder (ending in /), so that parsing it again gives the same value.
      .transform((p) => (p === '' || p.endsWith('/') ? p : `${p}/`)),
    /** The bucket's region (e.g. `oss-cn-hangzhou`, `ap-shanghai`); MinIO takes the default. */
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_ACCESS_KEY_ID: z.preprocess(emptyToUndefined, z.string().max(200).optional()),
    S3_SECRET_ACCESS_KEY: z.preprocess(emptyToUndefined, z.string().max(200).optional()),
    /** `true` for services addressed as endpoint/bucket (MinIO); Alibaba OSS wants `false`. */
    S3_FORCE_PATH_STYLE: z
      .enum(['true', 'false', '1', '0'])
      .default('false')
      .transform((v) => v === 'true' || v === '1'),
    /**
     * `AES256` asks the service to encrypt each photo at rest (SSE-S3); `off` for a service that
     * refuses the header (encrypt the bucket by its own settings then).
     */
    S3_SERVER_SIDE_ENCRYPTION: z.enum(['AES256', 'off']).default('AES256'),
    /** Largest complaint submission (three photos of 5 MB and the form), in bytes. */
    COMPLAINT_BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(100 * 1024 * 1024)
      .default(16 * 1024 * 1024),
    /** Complaints accepted per client address per hour (0 turns the limit off). */
    COMPLAINT_LIMIT_PER_ADDRESS: z.coerce.number().int().min(0).default(10),
    /** Complaints accepted per phone number per hour (0 turns the limit off). */
    COMPLAINT_LIMIT_PER_PHONE: z.coerce.number().int().min(0).default(5),
    /**
     * Open311 calls per api_key per minute, and per client address for a GET without a key
     * (0 turns the limit off).
     */
    OPEN311_LIMIT_PER_KEY: z.coerce.number().int().min(0).default(60),
    /** Requests (complaints) one Open311 api_key may file per hour (0 turns the limit off). */
    OPEN311_REQUESTS_PER_KEY: z.coerce.number().int().min(0).default(100),
    /** Public text searches per client address per minute (0 turns the limit off). */
    SEARCH_LIMIT_PER_ADDRESS: z.coerce.number().int().min(0).default(180),
    /**
     * Secrets that verify 12345 hotline events (Standard Webhooks `whsec_<base64>`), separated by
     * spaces while one is being rotated. Required in production; with the embedded default one is
     * generated under DATA_DIR/secrets and printed once.
     */
    HOTLINE_WEBHOOK_SECRET: z.preprocess(emptyToUndefined, z.string().optional()),
    /** The secret (`whsec_<base64>`) that signs callbacks to the hotline. */
    HOTLINE_CALLBACK_SECRET: z.preprocess(emptyToUndefined, z.string().optional()),
    /** Where callbacks to the hotline go; unset keeps them queued until it is set. */
    HOTLINE_CALLBACK_URL: z.preprocess(
      emptyToUndefined,
      z.url({ protocol: /^https?$/ }).optional(),
    ),
    /**
     * The SMTP server that sends notices to handlers by e-mail (issue 24):
     * `smtp://user:password@host:587` (STARTTLS, required in production unless the host is
     * loopback) or `smtps://user:password@host:465` (TLS from the start); user and password
     * URL-encoded. Unset, e-mail notices stay queued and the console says so.
     */
    NOTIFY_SMTP_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^smtps?$/ }).optional()),
    /** The From of notice e-mails, e.g. `丽水市市场监管局 <notice@example.gov.cn>`. */
    NOTIFY_MAIL_FROM: z.preprocess(emptyToUndefined, z.string().max(200).optional()),
    /**
     * The secret (`whsec_<base64>`) that signs notices to webhook recipients (the county's
     * 浙政钉 or chat robot relay). Unset, webhook notices stay queued and the console says so.
     */
    NOTIFY_WEBHOOK_SECRET: z.preprocess(emptyToUndefined, z.string().optional()),
    /**
     * Alibaba Cloud SMS (issue 25): the AccessKey pair of a RAM user allowed dysmsapi:SendSms.
     * With the province's gateway below, set one of the two; with neither, messages to residents
     * stay queued and the console says so.
     */
    SMS_ALIYUN_ACCESS_KEY_ID: z.preprocess(emptyToUndefined, z.string().max(100).optional()),
    SMS_ALIYUN_ACCESS_KEY_SECRET: z.preprocess(emptyToUndefined, z.string().max(200).optional()),
    /** Alibaba Cloud SMS's endpoint; http:// only to a loopback address (a test's receiver). */
    SMS_ALIYUN_ENDPOINT: z.url({ protocol: /^https?$/ }).default('https://dysmsapi.aliyuncs.com'),
    /** The province's government SMS gateway: messages are POSTed here, signed (Standard Webhooks). */
    SMS_GATEWAY_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional()),
    /** The secret (`whsec_<base64>`) that signs requests to the SMS gateway. */
    SMS_GATEWAY_SECRET: z.preprocess(emptyToUndefined, z.string().optional()),
    /**
     * How long a 行政处罚 stays public, by kind, in months from its decision date: `kind:months`
     * pairs (e.g. `warning:3,fine:12`); kinds not named keep their default
     * (api/domain/credit.ts defaultPenaltyPublicationMonths).
     */
    CREDIT_PENALTY_PUBLICATION: z
      .preprocess(emptyToUndefined, z.string().optional())
      // Kept as written (child processes get the configuration back as variables); read with
      // parsePenaltyPublication where it is used.
      .superRefine((text, ctx) => {
        try {
          parsePenaltyPublication(text)
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message })
        }
      }),
    /** Behind a reverse proxy: take the client address from the last X-Forwarded-For entry. */
    TRUST_PROXY: z
      .enum(['true', 'false', '1', '0'])
      .default('false')
      .transform((v) => v === 'true' || v === '1'),
    /**
     * 双随机 draw weights by credit grade (分级分类监管), e.g. `A:1,B:2,C:4,D:8`: a business is
     * drawn in proportion to its grade's weight; the weights are published with each draw.
     */
    CREDIT_DRAW_WEIGHTS: z
      .string()
      .default(formatDrawWeights(defaultDrawWeights))
      // Kept as text (a child process gets the configuration back as environment variables);
      // drawWeightsOf reads it.
      .superRefine((text, ctx) => {
        const weights = parseDrawWeights(text)
        if (typeof weights === 'string') ctx.addIssue({ code: 'custom', message: weights })
      }),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === 'production') {
      for (const name of [
        'PII_KEYS',
        'PII_HASH_KEY',
        'HOTLINE_WEBHOOK_SECRET',
        'HOTLINE_CALLBACK_SECRET',
      ] as const) {
        if (!config[name]) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'required in production (personal data must be sealed with keys you keep)',
          })
        }
      }
    }
    if (config.PII_KEYS) {
      try {
        parsePiiKeys(config.PII_KEYS)
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['PII_KEYS'], message: (error as Error).message })
      }
    }
    for (const name of ['HOTLINE_WEBHOOK_SECRET', 'HOTLINE_CALLBACK_SECRET'] as const) {
      const value = config[name]
      if (!value) continue
      const secrets = value.trim().split(/\s+/)
      if (name === 'HOTLINE_CALLBACK_SECRET' && secrets.length > 1) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'expected one secret' })
      }
      for (const [i, secret] of secrets.entries()) {
        try {
          parseWebhookSecret(secret)
        } catch (error) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `secret ${i + 1}: ${(error as Error).message}`,
          })
        }
      }
    }
    if (config.NOTIFY_SMTP_URL && !config.NOTIFY_MAIL_FROM) {
      ctx.addIssue({
        code: 'custom',
        path: ['NOTIFY_MAIL_FROM'],
        message: 'required with NOTIFY_SMTP_URL (the From of notice e-mails)',
      })
    }
    if (config.NOTIFY_WEBHOOK_SECRET) {
      try {
        parseWebhookSecret(config.NOTIFY_WEBHOOK_SECRET.trim())
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          path: ['NOTIFY_WEBHOOK_SECRET'],
          message: (error as Error).message,
        })
      }
    }
    for (const issue of smsConfigProblems(config)) ctx.addIssue({ code: 'custom', ...issue })
    for (const issue of photoStoreProblems(config)) ctx.addIssue({ code: 'custom', ...issue })
    if (
      config.REQUEST_TIMEOUT_MS !== undefined &&
      config.REQUEST_TIMEOUT_MS <= config.KEEP_ALIVE_TIMEOUT_MS + 1_000
    ) {
      // A request's headers may take the keep-alive time plus 1 s to arrive (server-timeouts.ts).
      ctx.addIssue({
        code: 'custom',
        path: ['REQUEST_TIMEOUT_MS'],
        message: `must be more than KEEP_ALIVE_TIMEOUT_MS + 1000 (${config.KEEP_ALIVE_TIMEOUT_MS + 1_000})`,
      })
    }
    if (config.OPEN_CASES_PORT !== undefined && config.OPEN_CASES_PORT === config.PORT) {
      ctx.addIssue({
        code: 'custom',
        path: ['OPEN_CASES_PORT'],
        message: `must differ from PORT (${config.PORT}): the count has a listener of its own`,
      })
    }
    if (config.PII_HASH_KEY) {
      try {
        parseHashKey(config.PII_HASH_KEY)
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['PII_HASH_KEY'], message: (error as Error).message })
      }
    }
  })
  .transform((config) => ({ ...config, SITE_URL: config.SITE_URL ?? servedSiteUrl(config) }))

export type Config = z.infer<typeof configSchema>

/** What is wrong with the SMS settings: pairs set together, one transport at most. */
function smsConfigProblems(config: {
  NODE_ENV: string
  SMS_ALIYUN_ACCESS_KEY_ID?: string | undefined
  SMS_ALIYUN_ACCESS_KEY_SECRET?: string | undefined
  SMS_ALIYUN_ENDPOINT: string
  SMS_GATEWAY_URL?: string | undefined
  SMS_GATEWAY_SECRET?: string | undefined
}): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = []
  const aliyun = Boolean(config.SMS_ALIYUN_ACCESS_KEY_ID || config.SMS_ALIYUN_ACCESS_KEY_SECRET)
  const gateway = Boolean(config.SMS_GATEWAY_URL || config.SMS_GATEWAY_SECRET)
  if (aliyun && !(config.SMS_ALIYUN_ACCESS_KEY_ID && config.SMS_ALIYUN_ACCESS_KEY_SECRET)) {
    problems.push({
      path: [
        config.SMS_ALIYUN_ACCESS_KEY_ID
          ? 'SMS_ALIYUN_ACCESS_KEY_SECRET'
          : 'SMS_ALIYUN_ACCESS_KEY_ID',
      ],
      message: 'SMS_ALIYUN_ACCESS_KEY_ID and SMS_ALIYUN_ACCESS_KEY_SECRET go together',
    })
  }
  if (gateway && !(config.SMS_GATEWAY_URL && config.SMS_GATEWAY_SECRET)) {
    problems.push({
      path: [config.SMS_GATEWAY_URL ? 'SMS_GATEWAY_SECRET' : 'SMS_GATEWAY_URL'],
      message: 'SMS_GATEWAY_URL and SMS_GATEWAY_SECRET go together',
    })
  }
  if (aliyun && gateway) {
    problems.push({
      path: ['SMS_GATEWAY_URL'],
      message:
        'set either Alibaba Cloud SMS (SMS_ALIYUN_*) or the gateway (SMS_GATEWAY_*), not both',
    })
  }
  if (config.SMS_GATEWAY_SECRET) {
    try {
      parseWebhookSecret(config.SMS_GATEWAY_SECRET.trim())
    } catch (error) {
      problems.push({ path: ['SMS_GATEWAY_SECRET'], message: (error as Error).message })
    }
  }
  for (const name of ['SMS_ALIYUN_ENDPOINT', 'SMS_GATEWAY_URL'] as const) {
    const value = config[name]
    if (!value) continue
    const url = new URL(value)
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      problems.push({ path: [name], message: 'must be https:// (http:// only to this machine)' })
    }
  }
  return problems
}

/** What is wrong with the photo store settings: an S3 store needs its bucket and keys. */
function photoStoreProblems(config: {
  PHOTO_STORE: 'folder' | 's3'
  S3_ENDPOINT?: string | undefined
  S3_BUCKET?: string | undefined
  S3_ACCESS_KEY_ID?: string | undefined
  S3_SECRET_ACCESS_KEY?: string | undefined
}): { path: string[]; message: string }[] {
  if (config.PHOTO_STORE !== 's3') return []
  const problems: { path: string[]; message: string }[] = []
  for (const name of ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
    if (!config[name]) problems.push({ path: [name], message: 'required with PHOTO_STORE=s3' })
  }
  if (config.S3_ENDPOINT) {
    const url = new URL(config.S3_ENDPOINT)
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      problems.push({
        path: ['S3_ENDPOINT'],
        message: 'must be https:// (photos are personal data; http:// only to this machine)',
      })
    }
  }
  return problems
}

/**
 * The address the web server answers on for HOST and PORT: a server listening on every
 * interface is reached here at 127.0.0.1. With PORT 0 the port is chosen when the server
 * listens; the product fills it in then (server/product.ts).
 */
export function servedSiteUrl(
  { HOST, PORT }: { HOST: string; PORT: number },
  port: number = PORT,
): string {
  const host = HOST === '0.0.0.0' || HOST === '::' ? '127.0.0.1' : HOST
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}

/** Whether the site's address waits for the port the server is given (PORT 0, no SITE_URL). */
export const siteUrlAwaitsPort = (config: Pick<Config, 'SITE_URL'>) =>
  new URL(config.SITE_URL).port === '0'

/** The draw weights by grade of a parsed configuration (checked when it was parsed). */
export function drawWeightsOf(config: Pick<Config, 'CREDIT_DRAW_WEIGHTS'>) {
  const weights = parseDrawWeights(config.CREDIT_DRAW_WEIGHTS)
  if (typeof weights === 'string') throw new ConfigError([`CREDIT_DRAW_WEIGHTS: ${weights}`])
  return weights
}

export class ConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`配置有误 (invalid configuration):\n${issues.map((i) => `  - ${i}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

const secretVariables = new Set([
  'PII_KEYS',
  'PII_HASH_KEY',
  'MEILI_MASTER_KEY',
  'DATABASE_URL',
  'HOTLINE_WEBHOOK_SECRET',
  'HOTLINE_CALLBACK_SECRET',
  'NOTIFY_SMTP_URL',
  'NOTIFY_WEBHOOK_SECRET',
  'SMS_ALIYUN_ACCESS_KEY_SECRET',
  'SMS_GATEWAY_SECRET',
  'S3_SECRET_ACCESS_KEY',
])

/** Parses an environment; throws a ConfigError that names every wrong variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env)
  if (result.success) return result.data
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.join('.')
      // Secrets are never echoed, not even when wrong.
      const got = secretVariables.has(name)
        ? env[name]
          ? '(value hidden)'
          : 'null'
        : JSON.stringify(env[name] ?? null)
      return `${name}: ${issue.message} (got ${got})`
    }),
  )
}

/**
 * What a valid configuration may still have wrong, for the log at start. In production the web
 * process usually sits behind a reverse proxy; without TRUST_PROXY every visitor then has the
 * proxy's address, and the per-address limits (complaints, searches) hold for everyone together.
 */
export function configWarnings(config: Config): string[] {
  if (config.NODE_ENV !== 'production') return []
  const warnings: string[] = []
  if (!config.TRUST_PROXY) {
    warnings.push(
      'TRUST_PROXY is off: behind a reverse proxy every visitor shares its address, and the ' +
        'complaint and search limits per address then apply to all of them together; set ' +
        'TRUST_PROXY=true when a proxy appends X-Forwarded-For',
    )
  }
  if (config.KEEP_ALIVE_TIMEOUT_MS <= 60_000) {
    warnings.push(
      `KEEP_ALIVE_TIMEOUT_MS is ${config.KEEP_ALIVE_TIMEOUT_MS}: load balancers keep idle ` +
        'connections for 60 s, and one the server closes first answers a 502; keep it above ' +
        "the balancer's idle timeout",
    )
  }
  return warnings
}

let cached: Config | undefined

/** The process configuration, read from `process.env` on first use. */
export function loadConfig(): Config {
  cached ??= parseConfig(process.env)
  return cached
}
