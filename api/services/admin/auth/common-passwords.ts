import { dictionary } from '@zxcvbn-ts/language-common'

let common: ReadonlySet<string> | undefined

/**
 * Whether a password is one of the 49,233 most common ones in leaked-password corpora (the list
 * zxcvbn-ts ships as `passwords-common`, MIT-licensed, installed with the package: no network at
 * run time). ASVS 2.1.7 asks for such a check; case is ignored, since `Password1234` is guessed
 * as early as `password1234`.
 */
export function isCommonPassword(password: string): boolean {
  // Built on first use: decompressing the list takes a few milliseconds not every process needs.
  common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()))
  return common.has(password.trim().toLowerCase())
}
