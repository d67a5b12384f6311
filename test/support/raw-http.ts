import net from 'node:net'

/**
 * One HTTP/1.1 connection on a raw socket, as a plain client uses it: requests one after another
 * on the same socket, no reconnecting and no reading of `Keep-Alive` hints. Any close or reset
 * by the server is kept as the reason the next exchange fails.
 */
export class RawConnection {
  private received = Buffer.alloc(0)
  private pending: { resolve: (status: number) => void; reject: (e: Error) => void } | undefined
  /** Why the connection ended, once it has. */
  ended: string | undefined

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (data: Buffer) => {
      this.received = Buffer.concat([this.received, data])
      this.settle()
    })
    socket.on('end', () => this.end('the server closed the connection'))
    socket.on('error', (error: NodeJS.ErrnoException) => this.end(error.code ?? error.message))
    socket.on('close', () => this.end('the connection closed'))
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new RawConnection(socket)))
      socket.once('error', reject)
    })
  }

  /** Sends one GET and resolves with the status once the whole answer has arrived. */
  get(path: string): Promise<number> {
    if (this.ended) return Promise.reject(new Error(this.ended))
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject }
      this.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`)
    })
  }

  close() {
    this.socket.destroy()
  }

  private end(reason: string) {
    this.ended ??= reason
    const pending = this.pending
    this.pending = undefined
    pending?.reject(new Error(this.ended))
  }

  /** Resolves the pending exchange when a whole answer (by length or chunked) is in. */
  private settle() {
    const headerEnd = this.received.indexOf('\r\n\r\n')
    if (!this.pending || headerEnd < 0) return
    const head = this.received.subarray(0, headerEnd).toString('latin1')
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0)
    const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1]
    const bodyStart = headerEnd + 4
    let end: number
    if (length !== undefined) {
      end = bodyStart + Number(length)
      if (this.received.length < end) return
    } else {
      const last = this.received.indexOf('\r\n0\r\n\r\n', bodyStart - 2)
      if (last < 0) return
      end = last + 7
    }
    this.received = this.received.subarray(end)
    const pending = this.pending
    this.pending = undefined
    pending.resolve(status)
  }
}
