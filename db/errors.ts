/**
 * The database went away (shut down, crashed, unreachable) rather than refusing the request: the
 * client may retry, so this is 503, not 500. SQLSTATE class 08 is connection exceptions; 57P0x
 * are shutdowns.
 */
export function isDatabaseUnavailable(err: Error): boolean {
  const code = (err as { code?: unknown }).code
  if (typeof code === 'string' && (/^08/.test(code) || /^57P0[1-3]$/.test(code))) return true
  if (typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(code))
    return true
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
    err.message,
  )
}

/**
 * Whether a failed write may still have committed: the connection was lost after the statement
 * went out, so only the database knows. False when the database answered with an error (the
 * statement was rolled back) or the connection was never made.
 */
export function mayHaveCommitted(err: unknown): boolean {
  if (!(err instanceof Error) || !isDatabaseUnavailable(err)) return false
  const code = (err as { code?: unknown }).code
  if (code === 'ECONNREFUSED') return false
  return !/timeout exceeded when trying to connect/.test(err.message)
}
