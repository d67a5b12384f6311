// An S3-compatible server on loopback for the photo storage tests (@20minutes/s3rver, the fork of
// s3rver that checks SigV4 signatures), in a process of its own. Reads S3_TEST_DIR, S3_TEST_BUCKET,
// S3_TEST_ACCESS_KEY_ID and S3_TEST_SECRET_ACCESS_KEY; listens on a free port of 127.0.0.1 and
// prints `{"port":N}` once the bucket exists; stops on SIGTERM.
//
// Started with --openssl-legacy-provider: the server encrypts ListObjectsV2 continuation tokens
// with DES, which OpenSSL 3 keeps in its legacy provider.
import { AsyncLocalStorage } from 'node:async_hooks'
import { createRequire } from 'node:module'
import type { Server } from 'node:http'

const require = createRequire(import.meta.url)

interface S3rverOptions {
  address: string
  port: number
  directory: string
  silent: boolean
  configureBuckets: { name: string }[]
}
interface S3rverApp {
  middleware: ((ctx: { path: string }, next: () => Promise<void>) => Promise<void>)[]
  run: () => Promise<{ port: number }>
  close: () => Promise<void>
  httpServer: Server
}
type Encode = (segment: string, index?: number, parts?: string[]) => string

// The server builds the canonical URI of a bucket-level request (a listing) without the trailing
// slash the AWS SDK v3 sends and signs (`GET /bucket/?list-type=2`), so every listing would fail
// its signature check. The canonical URI is the path as sent (SigV4): this restores the slash,
// and nothing else, before the server's modules read the helper.
const utils = require('@20minutes/s3rver/lib/utils') as { encodeURIComponentRFC3986: Encode }
const requestPath = new AsyncLocalStorage<string>()
const encode = utils.encodeURIComponentRFC3986
utils.encodeURIComponentRFC3986 = (segment, index, parts) => {
  const encoded = encode(segment)
  const bucketLevel = parts?.length === 2 && index === 1
  return bucketLevel && requestPath.getStore()?.endsWith('/') ? `${encoded}/` : encoded
}

const S3rver = require('@20minutes/s3rver') as new (options: S3rverOptions) => S3rverApp
const { DUMMY_ACCOUNT } = require('@20minutes/s3rver/lib/models/account') as {
  DUMMY_ACCOUNT: { createKeyPair: (id: string, secret: string) => void }
}

const need = (name: string) => {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set`)
  return value
}

DUMMY_ACCOUNT.createKeyPair(need('S3_TEST_ACCESS_KEY_ID'), need('S3_TEST_SECRET_ACCESS_KEY'))
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory: need('S3_TEST_DIR'),
  silent: true,
  configureBuckets: [{ name: need('S3_TEST_BUCKET') }],
})
server.middleware.unshift((ctx, next) => requestPath.run(ctx.path, next))
const { port } = await server.run()
process.stdout.write(`${JSON.stringify({ port })}\n`)
process.once('SIGTERM', () => {
  server.httpServer.closeAllConnections()
  void server.close().then(() => process.exit(0))
})
