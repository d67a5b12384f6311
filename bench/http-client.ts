import net from 'node:net'
import tls from 'node:tls'

/**
 * The benchmarks' HTTP/1.1 client: keep-alive connections to 127.0.0.1, one request at a time on
 * each, requests written as one prepared buffer and answers read with a minimal parser (status,
 * Content-Length or chunked body, `Connection: close`). The load generator shares the machine's
 * two cores with what it measures; node:http's client spent about 0.4 ms of CPU a request
 * (a fifth of a core at 500 requests a second), and whatever it spends is taken from the
 * servers, so it is kept to the least that still speaks HTTP correctly. Over TLS (`tls`), to a
 * server whose certificate names localhost: nginx in front, as the bureau runs it.
 */
export interface Request {
  method: string
  path: string
  headers: Record<string, string | number>
  body?: string | undefined
}

interface Pending {
  request: Buffer
  resolve: (status: number) => void
  reject: (error: Error) => void
}

const headerEnd = Buffer.from('\r\n\r\n')
const crlf = Buffer.from('\r\n')

/** Reads one answer from the bytes a connection has received so far. */
class AnswerParser {
  private buffered: Buffer = Buffer.alloc(0)
  private status = 0
  private close = false
  /** Body bytes still due (Content-Length), or -1 while reading chunks, or null before headers. */
  private due: number | null = null

  /** Adds bytes; returns the status and whether the server closes, once the answer is whole. */
  push(bytes: Buffer): { status: number; close: boolean } | null {
    this.buffered = this.buffered.length === 0 ? bytes : Buffer.concat([this.buffered, bytes])
    if (this.due === null) {
      const end = this.buffered.indexOf(headerEnd)
      if (end === -1) return null
      const head = this.buffered.subarray(0, end).toString('latin1').split('\r\n')
      this.status = Number(head[0]!.split(' ')[1])
      let length: number | null = null
      let chunked = false
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':')
        const name = line.slice(0, colon).trim().toLowerCase()
        const value = line
          .slice(colon + 1)
          .trim()
          .toLowerCase()
        if (name === 'content-length') length = Number(value)
        else if (name === 'transfer-encoding') chunked = value.includes('chunked')
        else if (name === 'connection') this.close = value === 'close'
      }
      this.buffered = this.buffered.subarray(end + 4)
      this.due = chunked ? -1 : (length ?? 0)
    }
    if (this.due >= 0) {
      if (this.buffered.length < this.due) return null
      if (this.buffered.length > this.due) throw new Error('bytes after the answer')
      return this.done()
    }
    // Chunked: size line, data, CRLF; a zero size ends it (no trailers are expected).
    for (;;) {
      const lineEnd = this.buffered.indexOf(crlf)
      if (lineEnd === -1) return null
      const size = parseInt(this.buffered.subarray(0, lineEnd).toString('latin1'), 16)
      if (size === 0) {
        if (this.buffered.length < lineEnd + 4) return null
        return this.done()
      }
      if (this.buffered.length < lineEnd + 2 + size + 2) return null
      this.buffered = this.buffered.subarray(lineEnd + 2 + size + 2)
    }
  }

  private done() {
    const answer = { status: this.status, close: this.close }
    this.buffered = Buffer.alloc(0)
    this.due = null
    this.close = false
    return answer
  }
}

class Connection {
  readonly socket: net.Socket
  private readonly parser = new AnswerParser()
  private current: Pending | undefined
  private timer: NodeJS.Timeout | undefined
  private idleTimer: NodeJS.Timeout | undefined
  private gone = false

  constructor(
    port: number,
    private readonly onFree: (c: Connection) => void,
    private readonly onGone: (c: Connection) => void,
    private readonly idleMs: number,
    secure: TlsOptions | undefined,
  ) {
    const plain = net.connect({ host: '127.0.0.1', port, noDelay: true })
    this.socket = secure
      ? tls.connect({
          socket: plain,
          ca: secure.ca,
          servername: 'localhost',
          ALPNProtocols: ['http/1.1'],
        })
      : plain
    this.socket.on('data', (bytes: Buffer) => {
      let answer
      try {
        answer = this.parser.push(bytes)
      } catch (error) {
        this.fail(error as Error)
        return
      }
      if (!answer) return
      const pending = this.current
      // An answer nobody asked for (a server closing an idle connection may send one).
      if (!pending) return this.end()
      this.current = undefined
      clearTimeout(this.timer)
      if (answer.close) this.end()
      pending.resolve(answer.status)
      if (!answer.close) this.onFree(this)
    })
    this.socket.on('error', (error) => this.fail(error))
    this.socket.on('close', () => this.fail(new Error('connection closed')))
  }

  send(pending: Pending) {
    clearTimeout(this.idleTimer)
    this.current = pending
    this.timer = setTimeout(() => this.fail(new Error('timeout')), 10_000)
    this.socket.write(pending.request)
  }

  /** Waits idle, closing itself before the server's keep-alive would. */
  idle() {
    this.idleTimer = setTimeout(() => this.end(), this.idleMs)
  }

  end() {
    this.fail(new Error('connection ended'))
  }

  private fail(error: Error) {
    clearTimeout(this.timer)
    clearTimeout(this.idleTimer)
    const pending = this.current
    this.current = undefined
    if (!this.gone) {
      this.gone = true
      this.onGone(this)
    }
    this.socket.destroy()
    pending?.reject(error)
  }
}

/** The certificate authority a TLS server's certificate (for localhost) must chain to. */
export interface TlsOptions {
  ca: Buffer
}

/** Keep-alive connections to one port at most; requests wait in order for a free one. */
export class Connections {
  private readonly pools = new Map<number, { idle: Connection[]; open: Set<Connection> }>()
  private readonly waiting = new Map<number, Pending[]>()
  private readonly maxSockets: number
  private readonly idleMs: number
  private readonly tls: TlsOptions | undefined
  private destroyed = false

  constructor(options: { maxSockets: number; idleMs: number; tls?: TlsOptions }) {
    this.maxSockets = options.maxSockets
    this.idleMs = options.idleMs
    this.tls = options.tls
  }

  /** Sends a request; resolves with the status once the whole answer is read. */
  request(port: number, r: Request): Promise<number> {
    const body = r.body === undefined ? undefined : Buffer.from(r.body)
    let head = `${r.method} ${r.path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n`
    for (const [name, value] of Object.entries(r.headers)) head += `${name}: ${value}\r\n`
    if (body) head += `content-length: ${body.length}\r\n`
    head += '\r\n'
    const request = body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head)
    return new Promise((resolve, reject) => {
      this.dispatch(port, { request, resolve, reject })
    })
  }

  destroy() {
    this.destroyed = true
    for (const pool of this.pools.values()) for (const c of [...pool.open]) c.end()
    for (const queue of this.waiting.values())
      for (const p of queue.splice(0)) p.reject(new Error('destroyed'))
  }

  private pool(port: number) {
    let pool = this.pools.get(port)
    if (!pool) this.pools.set(port, (pool = { idle: [], open: new Set() }))
    return pool
  }

  private dispatch(port: number, pending: Pending) {
    if (this.destroyed) return pending.reject(new Error('destroyed'))
    const pool = this.pool(port)
    const idle = pool.idle.pop()
    if (idle) return idle.send(pending)
    if (pool.open.size < this.maxSockets) {
      const connection = new Connection(
        port,
        (c) => this.free(port, c),
        (c) => {
          pool.open.delete(c)
          const at = pool.idle.indexOf(c)
          if (at !== -1) pool.idle.splice(at, 1)
          // A request waiting for a connection gets a new one in place of this.
          const next = this.waiting.get(port)?.shift()
          if (next) queueMicrotask(() => this.dispatch(port, next))
        },
        this.idleMs,
        this.tls,
      )
      pool.open.add(connection)
      return connection.send(pending)
    }
    let queue = this.waiting.get(port)
    if (!queue) this.waiting.set(port, (queue = []))
    queue.push(pending)
  }

  private free(port: number, connection: Connection) {
    const next = this.waiting.get(port)?.shift()
    if (next) return connection.send(next)
    this.pool(port).idle.push(connection)
    connection.idle()
  }
}
