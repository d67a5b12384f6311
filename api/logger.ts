import { pino, type DestinationStream, type Logger } from 'pino'

/**
 * Paths that may carry personal data or secrets. pino removes them before a line is written, so a
 * careless `log.info({ body })` still cannot leak a phone number (PIPL; DESIGN.md section 4).
 */
export const redactedPaths = [
  'name',
  'phone',
  'queryCode',
  'password',
  'contact_name',
  'contact_phone',
  '*.name',
  '*.phone',
  '*.queryCode',
  '*.password',
  '*.contact_name',
  '*.contact_phone',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-query-code"]',
]

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: null,
    redact: { paths: redactedPaths, censor: '[redacted]' },
  }
  return destination ? pino(options, destination) : pino(options)
}

/**
 * What a log line may say of an error raised over personal data: its kind only. The message of a
 * parse error quotes the text it could not read, which may be a resident's name or phone.
 */
export const errorKind = (error: unknown) => (error instanceof Error ? error.name : 'unknown')

export type { Logger }
