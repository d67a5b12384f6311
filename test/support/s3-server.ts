import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { stopProcessTree } from './processes.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export interface S3TestServer {
  endpoint: string
  bucket: string
  region: string
  accessKeyId: string
  secretAccessKey: string
  /** The product's configuration for this bucket (api/config.ts), under `prefix`. */
  env: (prefix?: string) => Record<string, string>
  /** Stops the server (its own process) and removes its data. */
  stop: () => Promise<void>
}

/**
 * Starts a real S3-compatible server (test/support/s3-server-child.ts) on a free loopback port,
 * with one bucket, credentials of its own and its data in a temporary folder.
 */
export async function startS3Server(): Promise<S3TestServer> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 's3-test-'))
  const bucket = 'photos'
  const accessKeyId = `AKTEST${randomBytes(6).toString('hex').toUpperCase()}`
  const secretAccessKey = randomBytes(24).toString('base64url')
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '--import', 'tsx', 'test/support/s3-server-child.ts'],
    {
      cwd: root,
      env: {
        ...process.env,
        S3_TEST_DIR: directory,
        S3_TEST_BUCKET: bucket,
        S3_TEST_ACCESS_KEY_ID: accessKeyId,
        S3_TEST_SECRET_ACCESS_KEY: secretAccessKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  const port = await new Promise<number>((resolve, reject) => {
    const failed = (why: string) => reject(new Error(`the S3 test server ${why}:\n${output}`))
    const timer = setTimeout(() => failed('did not start in 30 s'), 30_000)
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const line = /^\{"port":(\d+)\}$/m.exec(output)
      if (line) {
        clearTimeout(timer)
        resolve(Number(line[1]))
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      failed(`exited with ${code}`)
    })
  })
  const endpoint = `http://127.0.0.1:${port}`
  const region = 'us-east-1'
  return {
    endpoint,
    bucket,
    region,
    accessKeyId,
    secretAccessKey,
    env: (prefix = '') => ({
      PHOTO_STORE: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_PREFIX: prefix,
      S3_REGION: region,
      S3_ACCESS_KEY_ID: accessKeyId,
      S3_SECRET_ACCESS_KEY: secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    }),
    stop: async () => {
      await stopProcessTree(child, 5_000)
      await rm(directory, { recursive: true, force: true })
    },
  }
}
