import { createHash } from 'node:crypto'
import https from 'node:https'
import path from 'node:path'
import { startNginx } from './nginx.ts'
import { startRoundRobinProxy } from './round-robin-proxy.ts'

/**
 * What the replica tests send requests through: the bureau's own nginx site (deploy/nginx) or the
 * few lines of node:http in round-robin-proxy.ts. `request` takes a path and fetch's options, with
 * the resident it stands for named in an `x-test-client` header (an IPv4 address); it answers
 * with a fetch Response either way.
 */
export interface Balancer {
  kind: 'nginx' | 'node'
  /** The public address: what SITE_URL and a browser's Origin say. */
  url: string
  request: (pathname: string, init?: RequestInit) => Promise<Response>
  stop: () => Promise<void>
}

const root = path.resolve(import.meta.dirname, '../..')

/** The node:http balancer: it sets X-Forwarded-For from `x-test-client` itself. */
export async function nodeBalancer(upstreams: readonly string[]): Promise<Balancer> {
  const proxy = await startRoundRobinProxy(upstreams.map((u) => `http://${u}`))
  return {
    kind: 'node',
    url: proxy.url,
    request: (pathname, init) => fetch(`${proxy.url}${pathname}`, init),
    stop: proxy.stop,
  }
}

/**
 * A loopback address of its own for each resident: nginx appends the address it sees to
 * X-Forwarded-For, so residents are told apart by connecting from 127.x.y.z (all of 127/8 is
 * loopback on Linux).
 */
function loopbackFor(client: string): string {
  const [a, b, c] = createHash('sha256').update(client).digest()
  return `127.${(a! % 250) + 1}.${b}.${(c! % 250) + 1}`
}

/**
 * The bureau's nginx site (test/support/nginx.ts renders deploy/nginx/lishui-metrology.conf) over
 * HTTPS with a self-signed certificate, serving the static pages from `siteDir`, in front of the
 * replicas. Each resident connects from a loopback address of their own (loopbackFor); a kept-
 * alive agent per address, as a browser keeps its connection.
 */
export async function nginxBalancer(
  upstreams: readonly string[],
  siteDir: string,
  label: string,
): Promise<Balancer> {
  const nginx = await startNginx({
    upstreams,
    siteDir,
    prefix: path.join(root, '.data', 'test', `${label}-nginx-${process.pid}`),
  })
  const agents = new Map<string, https.Agent>()
  const agentFor = (address: string) => {
    let agent = agents.get(address)
    if (!agent) {
      agent = new https.Agent({ keepAlive: true, ca: nginx.ca, localAddress: address })
      agents.set(address, agent)
    }
    return agent
  }
  const request = async (pathname: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers)
    const client = headers.get('x-test-client') ?? '127.0.0.1'
    headers.delete('x-test-client')
    let body: Buffer | undefined
    if (init.body instanceof FormData) {
      // Let fetch's own encoder write the multipart body and its boundary.
      const encoded = new Request('http://x/', { method: 'POST', body: init.body })
      body = Buffer.from(await encoded.arrayBuffer())
      headers.set('content-type', encoded.headers.get('content-type')!)
    } else if (init.body !== undefined && init.body !== null) {
      body = Buffer.from(init.body as string)
    }
    if (body) headers.set('content-length', String(body.length))
    const url = new URL(pathname, nginx.url)
    return new Promise<Response>((resolve, reject) => {
      const req = https.request(
        url,
        {
          method: init.method ?? 'GET',
          headers: Object.fromEntries(headers),
          agent: agentFor(loopbackFor(client)),
          signal: init.signal ?? undefined,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('error', reject)
          res.on('end', () => {
            const answer = new Headers()
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined)
                answer.set(name, Array.isArray(value) ? value.join(', ') : value)
            }
            const status = res.statusCode ?? 502
            const empty = status === 204 || status === 304
            resolve(new Response(empty ? null : Buffer.concat(chunks), { status, headers: answer }))
          })
        },
      )
      req.on('error', reject)
      req.end(body)
    })
  }
  return {
    kind: 'nginx',
    url: nginx.url,
    request,
    stop: async () => {
      for (const agent of agents.values()) agent.destroy()
      await nginx.stop()
    },
  }
}
