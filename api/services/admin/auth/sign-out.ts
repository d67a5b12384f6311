import type { ServiceContext } from '../../../deps.ts'
import { recordAudit } from '../audit.ts'
import { endSession, type ConsoleSession } from '../sessions.ts'

/** Ends this session (the operator's others stay: signing out on one computer is not on all). */
export async function signOut({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { session: ConsoleSession; clientAddress: string }
}): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await endSession(trx, input.session.tokenHash, ctx.sessionCache)
    await recordAudit(trx, {
      operator: input.session.operator,
      action: 'auth.sign_out',
      clientAddress: input.clientAddress,
    })
  })
}
