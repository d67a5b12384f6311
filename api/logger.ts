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

export type { Logger }
