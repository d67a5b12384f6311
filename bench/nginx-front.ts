import { existsSync, readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { startNginx } from '../test/support/nginx.ts'
import { Connections } from './http-client.ts'

/** The ids of an nginx master's worker processes, once it has started them. */
async function workersOf(master: number): Promise<number[]> {
  const file = `/proc/${master}/task/${master}/children`
  for (let waited = 0; waited < 5_000; waited += 50) {
    const children = existsSync(file) ? readFileSync(file, 'utf8').trim() : ''
    if (children !== '') return children.split(/\s+/).map(Number)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`nginx ${master} started no worker`)
}

export interface NginxFront {
  /** Its HTTPS port on 127.0.0.1. */
  port: number
  /** Keep-alive TLS connections to it, trusting its certificate. */
  connections: Connections
  /** The certificate it presents (self-signed). */
  ca: Buffer
  /** Its worker process (one, as test/support/nginx.ts runs it), for CPU figures. */
  worker: number
  stop: () => Promise<void>
}

/**
 * The bureau's nginx site (deploy/nginx/lishui-metrology.conf, via test/support/nginx.ts) in
 * front of one API process, as production runs it: TLS, HTTP/1.1 keep-alive from the load
 * generator, kept-alive connections to the API, the access log written, the filing form's count
 * cached. The load generator plays a balancer in front of nginx (the realip lines the site
 * describes), so each complaint keeps the visitor address it gives in X-Forwarded-For and the
 * per-address limits see as many visitors as without nginx.
 */
export async function startNginxFront(
  dir: string,
  apiPort: number,
  /** The API's count listener (OPEN_CASES_PORT), if it runs one. */
  countPort?: number,
): Promise<NginxFront> {
  const siteDir = path.join(dir, 'nginx-site')
  await mkdir(siteDir, { recursive: true })
  const nginx = await startNginx({
    upstreams: [`127.0.0.1:${apiPort}`],
    ...(countPort ? { countUpstreams: [`127.0.0.1:${countPort}`] } : {}),
    siteDir,
    prefix: path.join(dir, 'nginx'),
    balancer: '127.0.0.1',
  })
  const connections = new Connections({ maxSockets: 256, idleMs: 4_000, tls: { ca: nginx.ca } })
  const master = nginx.child.pid!
  // A benchmark stopped by a signal exits (bench/run.ts): nginx, its child, goes with it.
  const onExit = () => {
    try {
      process.kill(master, 'SIGTERM')
    } catch {
      // Gone already.
    }
  }
  process.on('exit', onExit)
  const stop = async () => {
    connections.destroy()
    await nginx.stop()
    process.off('exit', onExit)
  }
  const [worker] = await workersOf(master).catch(async (error: unknown) => {
    await stop()
    throw error
  })
  return { port: nginx.port, connections, ca: nginx.ca, worker: worker!, stop }
}
