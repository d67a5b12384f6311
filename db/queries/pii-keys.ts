import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database, PiiKeyFingerprintTable } from '../database.ts'

export interface KeyFingerprint {
  kind: PiiKeyFingerprintTable['kind']
  keyId: string
  fingerprint: Buffer
}

/**
 * Every recorded key, the table locked against other writers until the transaction ends: two
 * processes starting at once compare and record one after the other, so the second sees what
 * the first recorded.
 */
export async function lockedKeyFingerprints(
  trx: Transaction<Database>,
): Promise<{ kind: 'seal' | 'hash'; keyId: string; fingerprint: Buffer | null }[]> {
  await sql`LOCK TABLE pii_key_fingerprints IN SHARE ROW EXCLUSIVE MODE`.execute(trx)
  return trx
    .selectFrom('piiKeyFingerprints')
    .select(['kind', 'keyId', 'fingerprint'])
    .orderBy('kind')
    .orderBy('keyId')
    .execute()
}

/**
 * Records keys not recorded yet and fills in the fingerprints of ids found in data before
 * fingerprints were kept; a recorded fingerprint is never replaced.
 */
export async function recordKeyFingerprints(
  trx: Transaction<Database>,
  keys: readonly KeyFingerprint[],
): Promise<void> {
  if (keys.length === 0) return
  await trx
    .insertInto('piiKeyFingerprints')
    .values(keys.map((k) => ({ kind: k.kind, keyId: k.keyId, fingerprint: k.fingerprint })))
    .onConflict((oc) =>
      oc
        .columns(['kind', 'keyId'])
        .doUpdateSet({ fingerprint: (eb) => eb.ref('excluded.fingerprint') })
        .where('piiKeyFingerprints.fingerprint', 'is', null),
    )
    .execute()
}

/**
 * Whether anything is still sealed under `keyId`, in any table that seals personal data. Scans
 * those tables (an index on key ids would cost every insert), so it is asked only when a
 * process lacks a recorded key, which is refused either way: it says which refusal.
 */
export async function sealedUnderKey(db: Kysely<Database>, keyId: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    SELECT EXISTS (SELECT 1 FROM complaints WHERE pii_key_id = ${keyId})
        OR EXISTS (SELECT 1 FROM complaints WHERE rating_key_id = ${keyId})
        OR EXISTS (SELECT 1 FROM operators WHERE totp_key_id = ${keyId})
        OR EXISTS (SELECT 1 FROM hotline_inbox WHERE pii_key_id = ${keyId})
        OR EXISTS (SELECT 1 FROM idempotency_keys WHERE pii_key_id = ${keyId})
        OR EXISTS (SELECT 1 FROM complaint_drafts WHERE pii_key_id = ${keyId})
        OR EXISTS (SELECT 1 FROM open311_clients WHERE pii_key_id = ${keyId})
        OR EXISTS (SELECT 1 FROM reporter_rewards WHERE payee_key_id = ${keyId}) AS found
  `.execute(db)
  return rows[0]?.found ?? false
}
