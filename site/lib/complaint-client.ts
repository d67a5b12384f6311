import { resolveClientAddress } from '../../api/services/limits/client-address.ts'
import { serviceContext } from './services.ts'

/** The client's address for abuse limits, determined as the API does. */
export function clientAddressOf(request: Request, peer: () => string): string {
  return resolveClientAddress({
    trustProxy: serviceContext().config.TRUST_PROXY,
    forwardedFor: request.headers.get('x-forwarded-for'),
    peer,
  })
}
