import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  randomFillSync,
  type KeyObject,
} from 'node:crypto'
import { normalizePhone } from '../domain/masks.ts'

/**
 * Personal data at rest (PIPL; DESIGN.md section 4): names and phones are sealed with AES-256-GCM
 * under a key named by id, so keys can be rotated; phones also get a keyed hash so that repeat
 * complaints from one number can be found without decrypting anything.
 */

const ivBytes = 12 // the size GCM is specified for (NIST SP 800-38D)
const tagBytes = 16
const keyBytes = 32
const keyIdPattern = /^[A-Za-z0-9_-]{1,32}$/

/** The keys that seal personal data. Key bytes are held apart, so logging a ring shows ids only. */
export interface PiiKeyring {
  /** Id of the key new data is sealed with. */
  readonly currentId: string
  /** Every id the ring can open, the current one first. */
  readonly ids: readonly string[]
}

// Key bytes stay out of reach of JSON.stringify, util.inspect and pino: a ring carries them in a
// function on a non-enumerable property, made once as KeyObjects (a raw Buffer key would be turned
// into one on every call). The property's key is a registered symbol because the built site
// bundles its own copy of this module and must open the ring the server made, which it finds in
// the installed deps (server/deps.ts).
const keysOfRing = Symbol.for('lishui-metrology.pii-keys')
type KeyedRing = PiiKeyring & { readonly [keysOfRing]?: (keyId: string) => KeyObject | undefined }

function decodeBase64(value: string): Buffer | undefined {
  // Buffer.from(…, 'base64') skips characters it does not know; a typo must not shorten a key.
  if (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return undefined
  return Buffer.from(value, 'base64')
}

/**
 * Parses `id:base64key` pairs separated by spaces; the first is the current key, the others are
 * kept to open data sealed before a rotation. Error messages never contain key material.
 */
export function parsePiiKeys(spec: string): PiiKeyring {
  const entries = spec.trim().split(/\s+/).filter(Boolean)
  if (entries.length === 0) throw new Error('expected at least one "id:base64key" pair')
  const keys = new Map<string, Buffer>()
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':')
    if (colon < 0) throw new Error(`pair ${i + 1}: expected "id:base64key", found no ":"`)
    const id = entry.slice(0, colon)
    if (!keyIdPattern.test(id)) {
      throw new Error(`pair ${i + 1}: key id must be 1–32 of A–Z, a–z, 0–9, "_" or "-"`)
    }
    if (keys.has(id)) throw new Error(`pair ${i + 1}: key id "${id}" is listed twice`)
    const key = decodeBase64(entry.slice(colon + 1))
    if (!key) throw new Error(`key "${id}": not valid base64`)
    if (key.length !== keyBytes) {
      throw new Error(`key "${id}": decodes to ${key.length} bytes, AES-256 needs exactly 32`)
    }
    keys.set(id, key)
  })
  const ids = [...keys.keys()]
  const keyObjects = new Map([...keys].map(([id, bytes]) => [id, createSecretKey(bytes)]))
  const ring: PiiKeyring = { currentId: ids[0]!, ids: Object.freeze(ids) }
  Object.defineProperty(ring, keysOfRing, { value: (keyId: string) => keyObjects.get(keyId) })
  return Object.freeze(ring)
}

function keyOf(ring: PiiKeyring, keyId: string): KeyObject {
  const keys = (ring as KeyedRing)[keysOfRing]
  if (!keys) throw new Error('not a keyring made by parsePiiKeys')
  const key = keys(keyId)
  if (!key)
    throw new Error(`PII key "${keyId}" is not in the keyring (ids: ${ring.ids.join(', ')})`)
  return key
}

// IVs are cut from a pool of CSPRNG output refilled 4 KiB at a time: one call to the generator per
// 341 IVs instead of one each (a third of the cost of sealing a short field).
const ivPool = Buffer.alloc(4096)
let ivPoolUsed = ivPool.length

/** 12 fresh random bytes; valid until the next call (encryptField copies them out at once). */
function freshIv(): Buffer {
  if (ivPoolUsed + ivBytes > ivPool.length) {
    randomFillSync(ivPool)
    ivPoolUsed = 0
  }
  ivPoolUsed += ivBytes
  return ivPool.subarray(ivPoolUsed - ivBytes, ivPoolUsed)
}

/** The text whose HMAC under a key is that key's fingerprint (versioned, should it change). */
const fingerprintText = 'pii key fingerprint v1'

/**
 * A fingerprint of the ring's key `keyId`: HMAC-SHA256 of a fixed text under it. It tells two
 * keys apart and reveals nothing of either, so it can be stored where the keys never go (the
 * database: key-check.ts compares every process's keys with it).
 */
export function keyFingerprint(ring: PiiKeyring, keyId: string): Buffer {
  return createHmac('sha256', keyOf(ring, keyId)).update(fingerprintText).digest()
}

/** The fingerprint of the keyed-hash key (PII_HASH_KEY), as keyFingerprint makes it. */
export function hashKeyFingerprint(hashKey: KeyObject): Buffer {
  return createHmac('sha256', hashKey).update(fingerprintText).digest()
}

/** A sealed field: store both; `sealed` is iv (12 bytes) ‖ GCM tag (16) ‖ ciphertext. */
export interface SealedField {
  keyId: string
  sealed: Buffer
}

/**
 * Seals `plaintext` under the ring's current key with a fresh random IV. `aad` names the row and
 * field (`complaints:<id>:phone`); opening needs the same string, so a sealed value copied into
 * another row or column fails instead of showing someone else's data.
 */
export function encryptField(ring: PiiKeyring, plaintext: string, aad: string): SealedField {
  if (aad === '') throw new Error('aad must name the row and field the value belongs to')
  const iv = freshIv()
  const cipher = createCipheriv('aes-256-gcm', keyOf(ring, ring.currentId), iv)
  cipher.setAAD(Buffer.from(aad, 'utf8'))
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return { keyId: ring.currentId, sealed: Buffer.concat([iv, cipher.getAuthTag(), ciphertext]) }
}

/**
 * The aad of a complaint's sealed name or phone: every place that seals or opens them (intake, a
 * 12345 ticket's case, a correction, the console) names the field the same way.
 */
export const contactAad = (trackingNo: string, field: 'name' | 'phone') =>
  `complaints:${trackingNo}:${field}`

/** What a resident's rating comment is sealed to: that case's comment, no other field. */
export const ratingCommentAad = (trackingNo: string) => `rating:${trackingNo}:comment`

/** What a reporter's receiving details (payee, bank, account) are sealed to: that case's reward. */
export const rewardPayeeAad = (trackingNo: string) => `reward:${trackingNo}:payee`

/** Opens a field sealed by encryptField; throws on an unknown key, a wrong aad or any tampering. */
export function decryptField(ring: PiiKeyring, keyId: string, sealed: Buffer, aad: string): string {
  const key = keyOf(ring, keyId)
  if (sealed.length < ivBytes + tagBytes) throw new Error('sealed value is too short')
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, ivBytes), {
    authTagLength: tagBytes,
  })
  decipher.setAAD(Buffer.from(aad, 'utf8'))
  decipher.setAuthTag(sealed.subarray(ivBytes, ivBytes + tagBytes))
  try {
    return Buffer.concat([
      decipher.update(sealed.subarray(ivBytes + tagBytes)),
      decipher.final(),
    ]).toString('utf8')
  } catch (error) {
    throw new Error(`sealed value failed authentication (wrong key, wrong aad or altered)`, {
      cause: error,
    })
  }
}

/**
 * Parses the key of the keyed hashes (phones, query codes, client addresses): base64 of at least
 * 32 bytes. Held as a KeyObject, made once: HMAC with a raw Buffer key costs four times as much
 * per call, and a KeyObject does not print its bytes.
 */
export function parseHashKey(base64: string): KeyObject {
  const key = decodeBase64(base64.trim())
  if (!key) throw new Error('not valid base64')
  if (key.length < keyBytes) {
    throw new Error(`decodes to ${key.length} bytes, at least 32 are needed`)
  }
  return createSecretKey(key)
}

/**
 * Keyed hash (HMAC-SHA256) of the normalized phone, to match repeat contacts without storing the
 * number in the clear. The `phone:` prefix keeps it apart from other hashes under the same key.
 */
export function phoneHash(hashKey: KeyObject, phone: string): Buffer {
  if ((hashKey.symmetricKeySize ?? 0) < keyBytes)
    throw new Error('hash key must be at least 32 bytes')
  return createHmac('sha256', hashKey)
    .update(`phone:${normalizePhone(phone)}`)
    .digest()
}
