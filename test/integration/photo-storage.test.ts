// The photo storage contract (api/photos/storage.ts PhotoStorage), one suite run against both
// backends: the folder on this machine, and the S3-compatible bucket every replica shares, on a
// real S3-compatible server on loopback (test/support/s3-server.ts). What only one backend does
// (files, modes, temporary files; private objects, signatures) is tested beside it.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../api/config.ts'
import { createS3Storage, type S3PhotoStorage } from '../../api/photos/s3-storage.ts'
import {
  createFolderStorage,
  isValidPhotoKey,
  type PhotoStorage,
} from '../../api/photos/storage.ts'
import { photoStorageFromConfig } from '../../api/wiring/deps-from-config.ts'
import { startS3Server, type S3TestServer } from '../support/s3-server.ts'
import { jpeg, png } from '../unit/photos-fixtures.ts'

let s3: S3TestServer
let folderRoot: string
const s3Stores: S3PhotoStorage[] = []

beforeAll(async () => {
  s3 = await startS3Server()
  folderRoot = await mkdtemp(path.join(os.tmpdir(), 'photo-storage-'))
})

afterAll(async () => {
  for (const store of s3Stores) await store.destroy()
  // Set once started: a failed start leaves nothing to stop.
  await (s3 as S3TestServer | undefined)?.stop()
  await rm(folderRoot, { recursive: true, force: true })
})

/** A store over one namespace (a folder, or a key prefix in the bucket), as a replica opens it. */
type Open = (namespace: string) => PhotoStorage

const backends: [string, Open][] = [
  ['a folder', (namespace) => createFolderStorage(path.join(folderRoot, namespace))],
  [
    'an S3-compatible bucket',
    (namespace) => {
      const store = createS3Storage({
        bucket: s3.bucket,
        prefix: `${namespace}/`,
        endpoint: s3.endpoint,
        region: s3.region,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
        forcePathStyle: true,
        serverSideEncryption: true,
        // Small pages, so that every listing of more than three photos turns pages.
        listPageSize: 3,
      })
      s3Stores.push(store)
      return store
    },
  ],
]

interface RecordedRequest {
  method: string
  path: string
  headers: http.IncomingHttpHeaders
}

/**
 * A proxy in front of `target` that records each request's method, path and headers. It passes
 * the Host header on as received, so that signatures made for the proxy's address still hold.
 */
async function recordingProxy(target: string) {
  const requests: RecordedRequest[] = []
  const upstream = new URL(target)
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers })
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    forward.on('error', () => res.destroy())
    req.pipe(forward)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** Waits into the next whole second: S3 keeps LastModified to the second. */
const nextSecond = () => sleep(1050 - (Date.now() % 1000))

describe.each(backends)('photo storage in %s', (_name, open) => {
  /** A namespace of the test's own, so that tests never see each other's photos. */
  const fresh = () => open(`t${randomBytes(4).toString('hex')}`)

  it('gives back the bytes and content type it was given', async () => {
    const storage = fresh()
    const bytes = jpeg().bytes
    await storage.put('complaints/42/abc123', bytes, 'image/jpeg')
    expect(await storage.get('complaints/42/abc123')).toEqual({ bytes, contentType: 'image/jpeg' })
  })

  it('answers undefined for a key never stored, and deletes a missing key quietly', async () => {
    const storage = fresh()
    expect(await storage.get('complaints/1/none')).toBeUndefined()
    await expect(storage.delete('complaints/1/none')).resolves.toBeUndefined()
  })

  it('deletes what it stored, and deleting it again is not an error', async () => {
    const storage = fresh()
    await storage.put('a', png().bytes, 'image/png')
    await storage.delete('a')
    expect(await storage.get('a')).toBeUndefined()
    await expect(storage.delete('a')).resolves.toBeUndefined()
    expect(await storage.list('a', new Date(Date.now() + 3600_000))).toEqual([])
  })

  it('replaces a photo stored again under the same key, even with another type', async () => {
    const storage = fresh()
    await storage.put('p/1', jpeg().bytes, 'image/jpeg')
    await storage.put('p/1', png().bytes, 'image/png')
    expect(await storage.get('p/1')).toEqual({ bytes: png().bytes, contentType: 'image/png' })
    expect(await storage.list('p', new Date(Date.now() + 3600_000))).toEqual(['p/1'])
  })

  it('rejects keys that could leave its namespace or name odd objects', async () => {
    const storage = fresh()
    const bad = [
      '',
      '../x',
      'a/../../x',
      '/etc/passwd',
      'A',
      'a.jpg',
      'a//b',
      'a/',
      '-a',
      'a\\b',
      'x'.repeat(202),
    ]
    for (const key of bad) {
      expect(isValidPhotoKey(key), key).toBe(false)
      await expect(storage.put(key, png().bytes, 'image/png'), key).rejects.toThrow(TypeError)
      await expect(storage.get(key), key).rejects.toThrow(TypeError)
      await expect(storage.delete(key), key).rejects.toThrow(TypeError)
      await expect(storage.list(key, new Date()), key).rejects.toThrow(TypeError)
    }
    expect(isValidPhotoKey('complaints/2026/0001/9f86d081_0')).toBe(true)
    expect(isValidPhotoKey('x'.repeat(201))).toBe(true)
  })

  it('refuses a content type it cannot keep', async () => {
    const storage = fresh()
    await expect(storage.put('a', png().bytes, 'text/html')).rejects.toThrow(TypeError)
    expect(await storage.get('a')).toBeUndefined()
  })

  it('lists the keys under a folder stored before a time, and no others', async () => {
    const storage = fresh()
    const old = ['c/1/a', 'c/1/b', 'c/1/deep/c', 'c/1/d', 'c/1/e']
    for (const key of old) await storage.put(key, png().bytes, 'image/png')
    // Beside the folder, not in it.
    await storage.put('c/10/x', png().bytes, 'image/png')
    await storage.put('c/2/y', png().bytes, 'image/png')
    await nextSecond()
    const cut = new Date()
    await nextSecond()
    await storage.put('c/1/new', png().bytes, 'image/png')

    expect((await storage.list('c/1', cut)).sort()).toEqual([...old].sort())
    expect((await storage.list('c/1', new Date(Date.now() + 3600_000))).sort()).toEqual(
      [...old, 'c/1/new'].sort(),
    )
    expect(await storage.list('c/1', new Date(Date.now() - 3600_000))).toEqual([])
    expect(await storage.list('c/9', new Date(Date.now() + 3600_000))).toEqual([])
  })

  it('lists every key of a folder holding many photos', async () => {
    const storage = fresh()
    const keys = Array.from({ length: 40 }, (_, i) => `many/k${String(i).padStart(2, '0')}`)
    await Promise.all(keys.map((key) => storage.put(key, png().bytes, 'image/png')))
    const listed = await storage.list('many', new Date(Date.now() + 3600_000))
    expect(listed.sort()).toEqual(keys)
  })

  it('shares its photos with a second replica opened on the same store', async () => {
    const namespace = `r${randomBytes(4).toString('hex')}`
    const first = open(namespace)
    const second = open(namespace)
    const bytes = jpeg().bytes
    await first.put('complaints/20261207/shared', bytes, 'image/jpeg')
    expect(await second.get('complaints/20261207/shared')).toEqual({
      bytes,
      contentType: 'image/jpeg',
    })
    expect(await second.list('complaints/20261207', new Date(Date.now() + 3600_000))).toEqual([
      'complaints/20261207/shared',
    ])
    await second.delete('complaints/20261207/shared')
    expect(await first.get('complaints/20261207/shared')).toBeUndefined()
    expect(await second.get('complaints/20261207/shared')).toBeUndefined()
  })

  it('keeps stores of different namespaces apart', async () => {
    const one = fresh()
    const other = fresh()
    await one.put('k', png().bytes, 'image/png')
    expect(await other.get('k')).toBeUndefined()
    await other.delete('k')
    expect(await one.get('k')).toBeDefined()
  })
})

describe('photo storage in an S3-compatible bucket, as the server sees it', () => {
  const raw = (secretAccessKey = s3.secretAccessKey) => {
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey },
    })
    return client
  }

  it('is the one the configuration names (PHOTO_STORE=s3), and reads what a replica wrote', async () => {
    const prefix = `cfg${randomBytes(4).toString('hex')}/`
    const fromConfig = photoStorageFromConfig(parseConfig(s3.env(prefix)))
    const replica = createS3Storage({
      bucket: s3.bucket,
      prefix,
      endpoint: s3.endpoint,
      region: s3.region,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      forcePathStyle: true,
      serverSideEncryption: true,
    })
    s3Stores.push(replica)
    await replica.put('visits/7/x', jpeg().bytes, 'image/jpeg')
    expect(await fromConfig.get('visits/7/x')).toEqual({
      bytes: jpeg().bytes,
      contentType: 'image/jpeg',
    })
    await fromConfig.delete('visits/7/x')
    expect(await replica.get('visits/7/x')).toBeUndefined()
  })

  it('stores each photo as one object under the prefix, with its content type', async () => {
    const prefix = `obj${randomBytes(4).toString('hex')}/`
    const store = createS3Storage({
      bucket: s3.bucket,
      prefix,
      endpoint: s3.endpoint,
      region: s3.region,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      forcePathStyle: true,
      serverSideEncryption: true,
    })
    s3Stores.push(store)
    await store.put('complaints/1/a', png().bytes, 'image/png')
    const client = raw()
    try {
      const head = await client.send(
        new HeadObjectCommand({ Bucket: s3.bucket, Key: `${prefix}complaints/1/a` }),
      )
      expect(head.ContentType).toBe('image/png')
      expect(head.ContentLength).toBe(png().bytes.byteLength)
      const listed = await client.send(
        new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }),
      )
      expect(listed.Contents?.map((o) => o.Key)).toEqual([`${prefix}complaints/1/a`])
    } finally {
      client.destroy()
    }
  })

  it('asks for encryption at rest and sets no ACL, so photos stay as private as the bucket', async () => {
    // The loopback server has no ACL model (it serves any object to an unsigned GET) and ignores
    // encryption: what the store asks for is read on the wire, through a recording proxy.
    const proxy = await recordingProxy(s3.endpoint)
    try {
      const store = createS3Storage({
        bucket: s3.bucket,
        prefix: `wire${randomBytes(4).toString('hex')}/`,
        endpoint: proxy.endpoint,
        region: s3.region,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
        forcePathStyle: true,
        serverSideEncryption: true,
      })
      s3Stores.push(store)
      await store.put('p', jpeg().bytes, 'image/jpeg')
      expect(await store.get('p')).toBeDefined()
      const put = proxy.requests.find((r) => r.method === 'PUT')
      expect(put?.headers['x-amz-server-side-encryption']).toBe('AES256')
      expect(put?.headers['content-type']).toBe('image/jpeg')
      const aclHeaders = proxy.requests.flatMap((r) =>
        Object.keys(r.headers).filter((h) => h.startsWith('x-amz-grant') || h === 'x-amz-acl'),
      )
      expect(aclHeaders).toEqual([])
      expect(proxy.requests.every((r) => !r.path.includes('acl'))).toBe(true)
      expect(
        proxy.requests.every((r) => r.headers.authorization?.startsWith('AWS4-HMAC-SHA256')),
      ).toBe(true)
    } finally {
      await proxy.close()
    }
  })

  it('does not ask for encryption when S3_SERVER_SIDE_ENCRYPTION is off', async () => {
    const proxy = await recordingProxy(s3.endpoint)
    try {
      const store = photoStorageFromConfig(
        parseConfig({
          ...s3.env(`plain${randomBytes(4).toString('hex')}/`),
          S3_ENDPOINT: proxy.endpoint,
          S3_SERVER_SIDE_ENCRYPTION: 'off',
        }),
      )
      await store.put('p', jpeg().bytes, 'image/jpeg')
      const put = proxy.requests.find((r) => r.method === 'PUT')
      expect(put).toBeDefined()
      expect(put?.headers['x-amz-server-side-encryption']).toBeUndefined()
    } finally {
      await proxy.close()
    }
  })

  it('runs against a server that checks signatures: a wrong secret is refused', async () => {
    const wrong = createS3Storage({
      bucket: s3.bucket,
      prefix: 'any/',
      endpoint: s3.endpoint,
      region: s3.region,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: `${s3.secretAccessKey}x`,
      forcePathStyle: true,
      serverSideEncryption: true,
    })
    s3Stores.push(wrong)
    await expect(wrong.put('p', jpeg().bytes, 'image/jpeg')).rejects.toThrow(
      /signature .* does not match/i,
    )
    await expect(wrong.list('x', new Date())).rejects.toThrow(/signature/i)
    const client = raw(`${s3.secretAccessKey}x`)
    try {
      await expect(
        client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'any/p' })),
      ).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' })
    } finally {
      client.destroy()
    }
  })
})
