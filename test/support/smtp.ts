import type { AddressInfo } from 'node:net'
import { simpleParser, type ParsedMail } from 'mailparser'
import { SMTPServer } from 'smtp-server'

interface ReceivedMail {
  /** RCPT TO of the envelope: who the server was asked to deliver to. */
  recipients: string[]
  /** The message as sent, byte for byte. */
  raw: string
  parsed: ParsedMail
}

/**
 * A real SMTP server on 127.0.0.1 (the `smtp-server` library speaks the protocol) that asks for
 * `user` and `password` and keeps every message it accepts, parsed with `mailparser`.
 */
export interface MailServer {
  url: string
  received: ReceivedMail[]
  /** Logins refused, to prove the credentials of the URL are the ones sent. */
  refusedLogins: number
  stop: () => Promise<void>
}

export async function startMailServer(user: string, password: string): Promise<MailServer> {
  const received: ReceivedMail[] = []
  const state = { refusedLogins: 0 }
  const server = new SMTPServer({
    // Plain text on loopback: no certificate to make, and AUTH allowed without TLS.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) {
        callback(null, { user })
        return
      }
      state.refusedLogins += 1
      callback(new Error('Invalid username or password'))
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks)
        simpleParser(raw)
          .then((parsed) => {
            received.push({
              recipients: session.envelope.rcptTo.map((r) => r.address),
              raw: raw.toString('utf8'),
              parsed,
            })
            callback()
          })
          .catch((error: unknown) => callback(error as Error))
      })
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.server.address() as AddressInfo
  return {
    url: `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    received,
    get refusedLogins() {
      return state.refusedLogins
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
