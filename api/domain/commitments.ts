// 经营者自我承诺 (DESIGN.md section 7): who signs is recorded by role, from this closed list, so
// a person's name or ID number can never be stored or published as the signer.

/** The roles that sign a business's commitment. */
export const signerRoles = ['法定代表人', '主要负责人', '负责人', '经营者', '授权代表'] as const
export type SignerRole = (typeof signerRoles)[number]

export const isSignerRole = (value: string): value is SignerRole =>
  (signerRoles as readonly string[]).includes(value)

/** A published commitment text's version: the file name under content/commitments/. */
export const commitmentVersionPattern = /^[a-z0-9][a-z0-9-]{0,39}$/

/** Where a commitment text is published on the site. */
export const commitmentTextUrl = (version: string) => `/commitments/${version}/`
