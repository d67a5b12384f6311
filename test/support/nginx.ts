import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { freePort, waitForPort } from '../../scripts/stack/ports.ts'
import { thisMachine, type BrowserMachine } from './browser-setup.ts'
import { alive } from './processes.ts'

const root = path.resolve(import.meta.dirname, '../..')

/** The site as the bureau installs it. */
const nginxSiteFile = path.join(root, 'deploy', 'nginx', 'lishui-metrology.conf')

/** Debian's nginx; the tests never download one of their own. */
const nginxPath = '/usr/sbin/nginx'

/** Where Debian's libnginx-mod-http-brotli-static installs the module brotli_static needs. */
const brotliStaticModule = '/usr/lib/nginx/modules/ngx_http_brotli_static_module.so'

/** nginx and the module that serves the build's `.br` copies (deploy/nginx/lishui-metrology.conf). */
const nginxPackages = ['nginx', 'libnginx-mod-http-brotli-static'] as const

const nginxInstallCommand = `sudo apt-get install ${nginxPackages.join(' ')}`

const pleaseRun = (missing: readonly string[]) =>
  `nginx 测试需要 Debian 的 nginx 和 brotli_static 模块，本机缺少：${missing.join('、')}。` +
  `请运行：${nginxInstallCommand}，然后重新运行测试。`

const missingParts = (machine: BrowserMachine) =>
  [
    !machine.exists(nginxPath) && `nginx（${nginxPath}）`,
    !machine.exists(brotliStaticModule) && 'libnginx-mod-http-brotli-static',
  ].filter((part): part is string => typeof part === 'string')

/**
 * Makes sure Debian's nginx with the brotli_static module is installed, as the browser tests make
 * sure of Chromium (test/support/browser-setup.ts): as root, with apt-get; otherwise stops with
 * the one command to run. On a machine with systemd, installing Debian's nginx also starts its
 * default site on port 80; the tests run their own nginx beside it.
 */
async function ensureNginx(machine: BrowserMachine = thisMachine): Promise<void> {
  const missing = missingParts(machine)
  if (missing.length === 0) return
  if (!machine.isRoot || !machine.exists('/usr/bin/apt-get')) throw new Error(pleaseRun(missing))
  machine.log(
    `nginx: installing ${nginxPackages.join(' ')} with apt-get (missing: ${missing.join(', ')})`,
  )
  const apt = (args: readonly string[]) =>
    machine.run('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], { streamOutput: true })
  for (const step of [['update'], ['install', '-y', '--no-install-recommends', ...nginxPackages]]) {
    const { code } = await apt(step)
    if (code !== 0)
      throw new Error(`apt-get ${step.join(' ')} 失败（退出码 ${code}）。${pleaseRun(missing)}`)
  }
  const still = missingParts(machine)
  if (still.length > 0) throw new Error(pleaseRun(still))
}

/** Runs a command to its end; its output (both streams) and exit code. */
function run(command: string, args: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (c: Buffer) => (output += c.toString()))
    child.stderr.on('data', (c: Buffer) => (output += c.toString()))
    child.once('error', (error) => resolve({ code: 127, output: String(error) }))
    child.once('close', (code) => resolve({ code: code ?? 1, output }))
  })
}

/** A self-signed certificate for localhost and 127.0.0.1 (P-256), valid a day. */
export async function selfSignedCertificate(dir: string) {
  await mkdir(dir, { recursive: true })
  const cert = path.join(dir, 'fullchain.pem')
  const key = path.join(dir, 'privkey.pem')
  const { code, output } = await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ])
  if (code !== 0) throw new Error(`openssl req failed (${code}):\n${output}`)
  return { cert, key, pem: await readFile(cert) }
}

export interface NginxSiteOptions {
  /** The replicas, as `host:port`. */
  upstreams: readonly string[]
  /**
   * The replicas' count listeners (OPEN_CASES_PORT), as `host:port`; the replicas answer the
   * count themselves when none is given, and stand behind these when some are.
   */
  countUpstreams?: readonly string[]
  /** HTTPS port, on 127.0.0.1. */
  listenPort: number
  /** HTTP port (the redirect to HTTPS), on 127.0.0.1. */
  httpPort: number
  /** Holds fullchain.pem and privkey.pem. */
  certDir: string
  /** The static files nginx serves: SITE_OUT_DIR/current/client. */
  siteDir: string
  /** Where the access and error logs go, and the cache of the filing form's counts. */
  logDir: string
  /**
   * A balancer in front of nginx at this address, whose last X-Forwarded-For entry names the
   * visitor: the realip lines deploy/nginx/lishui-metrology.conf describes for a cloud balancer.
   */
  balancer?: string
}

/** Replaces `from` in `text`, which must hold it exactly once: the site file has drifted if not. */
function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const pattern =
    typeof from === 'string' ? new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g') : from
  const found = text.match(new RegExp(pattern.source, 'g'))?.length ?? 0
  if (found !== 1) {
    throw new Error(
      `deploy/nginx/lishui-metrology.conf: expected ${String(from)} once, found ${found}`,
    )
  }
  return text.replace(new RegExp(pattern.source), () => to)
}

/**
 * The bureau's nginx site (deploy/nginx/lishui-metrology.conf) with a test's replicas, loopback
 * ports, certificate, build folder and logs in place of the production ones; everything else as
 * written.
 */
export async function renderNginxSite(options: NginxSiteOptions): Promise<string> {
  let site = await readFile(nginxSiteFile, 'utf8')
  if (options.balancer) {
    site = replaceOnce(
      site,
      '    access_log /var/log/nginx/lishui-metrology.access.log;',
      `    set_real_ip_from ${options.balancer};\n    real_ip_header X-Forwarded-For;\n` +
        '    access_log /var/log/nginx/lishui-metrology.access.log;',
    )
  }
  const server = (upstream: string, flags = 'max_fails=1 fail_timeout=10s') =>
    `    server ${upstream} ${flags};`
  const servers = options.upstreams.map((upstream) => server(upstream)).join('\n')
  site = replaceOnce(
    site,
    /( {4}server 127\.0\.0\.1:\d+ max_fails=1 fail_timeout=10s;\n)+(?=\n {4}# Idle connections)/,
    `${servers}\n`,
  )
  // The listeners first, the replicas only while none answers; the replicas alone without them.
  const counts = [
    ...(options.countUpstreams ?? []).map((upstream) => server(upstream)),
    ...options.upstreams.map((upstream) =>
      options.countUpstreams ? server(upstream, 'backup') : server(upstream),
    ),
  ].join('\n')
  site = replaceOnce(
    site,
    /( {4}server 127\.0\.0\.1:\d+(?: max_fails=1 fail_timeout=10s| backup);\n)+(?= {4}keepalive 16;)/,
    `${counts}\n`,
  )
  site = replaceOnce(
    site,
    '    listen 443 ssl http2;',
    `    listen 127.0.0.1:${options.listenPort} ssl http2;`,
  )
  site = replaceOnce(site, '    listen [::]:443 ssl http2;\n', '')
  site = replaceOnce(site, '    listen 80;', `    listen 127.0.0.1:${options.httpPort};`)
  site = replaceOnce(site, '    listen [::]:80;\n', '')
  site = replaceOnce(
    site,
    '/etc/ssl/lishui-metrology/fullchain.pem',
    path.join(options.certDir, 'fullchain.pem'),
  )
  site = replaceOnce(
    site,
    '/etc/ssl/lishui-metrology/privkey.pem',
    path.join(options.certDir, 'privkey.pem'),
  )
  site = replaceOnce(site, '/opt/lishui-metrology/dist/current/client', options.siteDir)
  site = replaceOnce(site, '/var/www/acme', path.join(options.logDir, 'acme'))
  site = replaceOnce(
    site,
    '/var/lib/nginx/lishui-metrology-counts',
    path.join(options.logDir, 'cache-counts'),
  )
  site = replaceOnce(
    site,
    '/var/log/nginx/lishui-metrology.access.log',
    path.join(options.logDir, 'access.log'),
  )
  site = replaceOnce(
    site,
    '/var/log/nginx/lishui-metrology.error.log',
    path.join(options.logDir, 'error.log'),
  )
  return site
}

/**
 * A main nginx.conf like Debian's (the brotli_static module, mime types), with every file nginx writes under
 * `prefix`, in the foreground, including `siteFile` in its http block.
 */
export function renderNginxConf(prefix: string, siteFile: string): string {
  const at = (name: string) => path.join(prefix, name)
  return [
    'daemon off;',
    'master_process on;',
    'worker_processes 1;',
    `pid ${at('nginx.pid')};`,
    `error_log ${at('error.log')} warn;`,
    // As root nginx would hand its workers to "nobody", who cannot read a test's folders.
    ...(process.getuid?.() === 0 ? ['user root;'] : []),
    // Debian's nginx.conf includes modules-enabled/, whose paths are relative to Debian's prefix;
    // the one module the site needs, by its full path.
    `load_module ${brotliStaticModule};`,
    // Each visitor's connection and its request's connection to a replica count: 300 visitors at
    // once (the replica test's search burst) need 600. Debian's own nginx.conf has 768 per worker
    // and a worker per core; deploy/README.md says to raise it for the bureau's traffic.
    'worker_rlimit_nofile 8192;',
    'events { worker_connections 4096; }',
    'http {',
    '    include /etc/nginx/mime.types;',
    '    default_type application/octet-stream;',
    '    sendfile on;',
    `    access_log ${at('access.log')};`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
      (kind) => `    ${kind}_temp_path ${at(`temp-${kind}`)};`,
    ),
    `    include ${siteFile};`,
    '}',
    '',
  ].join('\n')
}

/** `nginx -t` on a configuration: its exit code and what it printed. */
export function checkNginxConf(prefix: string, confFile: string) {
  return run(nginxPath, ['-t', '-p', prefix, '-e', path.join(prefix, 'error.log'), '-c', confFile])
}

export interface RunningNginx {
  /** `https://localhost:<port>` */
  url: string
  port: number
  httpPort: number
  /** The self-signed certificate a client trusts for `url`. */
  ca: Buffer
  prefix: string
  child: ChildProcess
  stop: () => Promise<void>
}

/**
 * Starts Debian's nginx with the bureau's site in front of `upstreams`, serving `siteDir`, on
 * loopback ports of its own with a fresh self-signed certificate; `stop` ends it by its PID and
 * removes its folder. Fails with nginx's own words if `nginx -t` refuses the configuration.
 */
export async function startNginx(options: {
  upstreams: readonly string[]
  countUpstreams?: readonly string[]
  siteDir: string
  prefix: string
  balancer?: string
}): Promise<RunningNginx> {
  await ensureNginx()
  const { prefix } = options
  await rm(prefix, { recursive: true, force: true })
  await mkdir(path.join(prefix, 'acme'), { recursive: true })
  const certificate = await selfSignedCertificate(path.join(prefix, 'tls'))
  const [port, httpPort] = [await freePort(), await freePort()]
  const siteFile = path.join(prefix, 'site.conf')
  await writeFile(
    siteFile,
    await renderNginxSite({
      upstreams: options.upstreams,
      listenPort: port,
      httpPort,
      certDir: path.join(prefix, 'tls'),
      siteDir: options.siteDir,
      logDir: prefix,
      ...(options.balancer ? { balancer: options.balancer } : {}),
      ...(options.countUpstreams ? { countUpstreams: options.countUpstreams } : {}),
    }),
  )
  const confFile = path.join(prefix, 'nginx.conf')
  await writeFile(confFile, renderNginxConf(prefix, siteFile))
  const checked = await checkNginxConf(prefix, confFile)
  if (checked.code !== 0) throw new Error(`nginx -t refused the site:\n${checked.output}`)

  const child = spawn(
    nginxPath,
    ['-p', prefix, '-e', path.join(prefix, 'error.log'), '-c', confFile],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr.on('data', (c: Buffer) => (output += c.toString()))
  const stop = async () => {
    const pid = child.pid
    if (pid && alive(pid)) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      // SIGQUIT: nginx's graceful stop (workers finish their requests); the master exits last.
      child.kill('SIGQUIT')
      const timer = setTimeout(() => alive(pid) && child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
    await rm(prefix, { recursive: true, force: true })
  }
  try {
    await waitForPort(port, 10_000)
  } catch (error) {
    await stop()
    throw new Error(`nginx did not listen:\n${output}`, { cause: error })
  }
  if (!existsSync(path.join(prefix, 'nginx.pid'))) {
    await stop()
    throw new Error(`nginx wrote no pid file:\n${output}`)
  }
  return {
    url: `https://localhost:${port}`,
    port,
    httpPort,
    ca: certificate.pem,
    prefix,
    child,
    stop,
  }
}
