import type { KeyObject } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import {
  lockedKeyFingerprints,
  recordKeyFingerprints,
  sealedUnderKey,
  type KeyFingerprint,
} from '../../db/queries/pii-keys.ts'
import { hashKeyFingerprint, keyFingerprint, type PiiKeyring } from './pii.ts'

/** Why a process may not run with its personal-data keys; the message names the key. */
class PiiKeyMismatchError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'))
    this.name = 'PiiKeyMismatchError'
  }
}

/** The id PII_HASH_KEY is recorded under (kind `hash`). */
const hashKeyId = 'hash'

/**
 * Checks this process's personal-data keys against the fingerprints the database holds, before
 * anything is sealed (issue 26): refused, with every reason, when a recorded key id has another
 * key here, when the hash key differs, or when a recorded key is missing here (data sealed under
 * it could not be opened, and a replica still sealing with it would write what this one cannot
 * read). Otherwise the keys not recorded yet are recorded. Run at every start, in every mode.
 * `generated` says the keys were generated under DATA_DIR (no PII_KEYS), for the hint.
 */
export async function checkPiiKeys(
  ctx: { db: Kysely<Database>; privacy: { ring: PiiKeyring; hashKey: KeyObject } },
  options: { generated: boolean },
): Promise<void> {
  const { ring, hashKey } = ctx.privacy
  const mine: KeyFingerprint[] = [
    ...ring.ids.map((keyId) => ({
      kind: 'seal' as const,
      keyId,
      fingerprint: keyFingerprint(ring, keyId),
    })),
    { kind: 'hash', keyId: hashKeyId, fingerprint: hashKeyFingerprint(hashKey) },
  ]
  const hint = options.generated
    ? '本实例没有设置 PII_KEYS / PII_HASH_KEY，用的是在 DATA_DIR/secrets/pii.json 自行生成的密钥；连接同一数据库的实例必须使用同一组密钥。'
    : ''
  const problems = await ctx.db.transaction().execute(async (trx) => {
    const recorded = await lockedKeyFingerprints(trx)
    const found: string[] = []
    for (const row of recorded) {
      const own = mine.find((k) => k.kind === row.kind && k.keyId === row.keyId)
      if (row.kind === 'hash') {
        if (own && row.fingerprint && !own.fingerprint.equals(row.fingerprint)) {
          found.push(
            'PII_HASH_KEY 与数据库中登记的不是同一把密钥：电话号码、查询码的散列将对不上，已拒绝启动。请设置与其他实例相同的 PII_HASH_KEY。' +
              ' (PII_HASH_KEY differs from the key recorded in the database)',
          )
        }
      } else if (own) {
        if (row.fingerprint && !own.fingerprint.equals(row.fingerprint)) {
          found.push(
            `个人信息密钥 "${row.keyId}" 与数据库中登记的同名密钥不是同一把：用它加密的数据其他实例打不开，已拒绝启动。请给每个实例设置相同的 PII_KEYS。` +
              ` (PII key "${row.keyId}" differs from the key recorded under that id)`,
          )
        }
      } else if (await sealedUnderKey(trx, row.keyId)) {
        found.push(
          `数据库中有用个人信息密钥 "${row.keyId}" 加密的数据，但本实例的 PII_KEYS 里没有这把密钥，已拒绝启动。请把它加进 PII_KEYS（轮换后的旧密钥也要保留）。` +
            ` (the database holds data sealed under PII key "${row.keyId}", which this process lacks)`,
        )
      } else {
        found.push(
          `数据库登记过个人信息密钥 "${row.keyId}"（其他实例可能正在用它加密），但本实例的 PII_KEYS 里没有它，已拒绝启动。请给所有实例设置相同的 PII_KEYS；若已确认没有实例再用它，删除它的登记：DELETE FROM pii_key_fingerprints WHERE kind = 'seal' AND key_id = '${row.keyId}'` +
            ` (PII key "${row.keyId}" is recorded in the database but missing here)`,
        )
      }
    }
    if (found.length === 0) await recordKeyFingerprints(trx, mine)
    return found
  })
  if (problems.length > 0) {
    throw new PiiKeyMismatchError(hint ? [...problems, hint] : problems)
  }
}
