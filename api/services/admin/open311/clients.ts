import {
  insertOpen311Client,
  listOpen311Clients,
  revokeOpen311Client,
  type Open311ClientRow,
} from '../../../../db/queries/open311.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { decryptField, encryptField } from '../../../privacy/pii.ts'
import { apiKeyHash, apiKeyPrefix, newApiKey } from '../../open311/keys.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import type { NewOpen311Client, Open311ClientView } from './schemas.ts'

export const open311ClientNotFoundMessage = '没有找到这个接入应用，或它的密钥已经注销。'

/** The contact is sealed to its key's prefix, so it cannot be moved to another row. */
const contactAad = (keyPrefix: string) => `open311_clients:${keyPrefix}:contact`

function clientView(ctx: ServiceContext, row: Open311ClientRow): Open311ClientView {
  return {
    id: row.id,
    name: row.name,
    contact: decryptField(
      ctx.privacy.ring,
      row.piiKeyId,
      row.contactSealed,
      contactAad(row.keyPrefix),
    ),
    keyPrefix: row.keyPrefix,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdByName,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    requests: Number(row.requests ?? 0),
  }
}

/** Every registered app, newest first. */
export async function listOpen311ClientViews(ctx: ServiceContext): Promise<Open311ClientView[]> {
  return (await listOpen311Clients(ctx.db)).map((row) => clientView(ctx, row))
}

/**
 * Registers an app and issues its key (city_admin; audited without the key). Only the key's
 * keyed hash and prefix are stored: the answer is the one time anybody sees it.
 */
export async function createOpen311Client({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { fields: NewOpen311Client; clientAddress: string }
}): Promise<{ client: Open311ClientView; apiKey: string }> {
  const apiKey = newApiKey()
  const keyPrefix = apiKeyPrefix(apiKey)
  const contact = encryptField(ctx.privacy.ring, input.fields.contact, contactAad(keyPrefix))
  const created = await ctx.db.transaction().execute(async (trx) => {
    const row = await insertOpen311Client(trx, {
      name: input.fields.name,
      piiKeyId: contact.keyId,
      contactSealed: contact.sealed,
      keyHash: apiKeyHash(ctx.privacy.hashKey, apiKey),
      keyPrefix,
      createdBy: operator.id,
    })
    await recordAudit(trx, {
      operator,
      action: 'api_client.created',
      clientAddress: input.clientAddress,
      detail: { clientId: row.id, name: row.name, keyPrefix },
    })
    return row
  })
  return {
    client: {
      id: created.id,
      name: created.name,
      contact: input.fields.contact,
      keyPrefix,
      createdAt: created.createdAt.toISOString(),
      createdBy: operator.username,
      revokedAt: null,
      requests: 0,
    },
    apiKey,
  }
}

/** Revokes an app's key at once: its next call is refused (city_admin; audited). */
export async function revokeOpen311Key({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { id: string; clientAddress: string }
}): Promise<Open311ClientView> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await revokeOpen311Client(trx, input.id, operator.id)
    if (!row) throw new ApiError('NOT_FOUND', open311ClientNotFoundMessage)
    await recordAudit(trx, {
      operator,
      action: 'api_client.key_revoked',
      clientAddress: input.clientAddress,
      detail: { clientId: row.id, name: row.name, keyPrefix: row.keyPrefix },
    })
  })
  const view = (await listOpen311ClientViews(ctx)).find((c) => c.id === input.id)
  if (!view) throw new ApiError('NOT_FOUND', open311ClientNotFoundMessage)
  return view
}
