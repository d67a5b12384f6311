/** Host names of this machine: the only ones plain http:// (or SMTP without TLS) may go to. */
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

export const isLoopbackHost = (hostname: string) =>
  loopbackHosts.has(hostname) || hostname.startsWith('127.')
