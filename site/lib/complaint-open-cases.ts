import { countOpenCasesAbout } from '../../api/services/complaints/open-cases.ts'
import type { ComplaintFormValues } from './complaints.ts'
import { serviceContext } from './services.ts'

/**
 * The sentence a complaint form shows once its business is identified: how many cases naming it
 * are being handled (issue 25), or undefined when none is, or the fields identify no business.
 */
export async function openCasesMessageFor(
  values: ComplaintFormValues,
): Promise<string | undefined> {
  const answer = await countOpenCasesAbout({
    ctx: serviceContext(),
    input: {
      county: values.county,
      merchantName: values.merchantName,
      merchantUscc: values.merchantUscc,
      address: values.address,
    },
  }).catch((error: unknown) => {
    // A help, not a step: the form works without it.
    serviceContext().logger.warn({ err: error }, 'open cases of a business not counted')
    return undefined
  })
  return answer?.message ?? undefined
}
