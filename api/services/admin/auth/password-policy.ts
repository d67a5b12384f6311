import { randomInt } from 'node:crypto'
import { isCommonPassword } from './common-passwords.ts'
import { passwordMaxLength } from './password-hash.ts'

/**
 * NIST SP 800-63B: length is what makes a password strong; no composition rules, but no password
 * from a list of common ones.
 */
export const passwordMinLength = 12

/**
 * What is wrong with a new password, in Chinese, each saying how to fix it; empty when it may be
 * used. Length counts characters as people see them (a Chinese character is one).
 */
export function newPasswordProblems(input: {
  username: string
  newPassword: string
  currentPassword: string
}): string[] {
  const { username, newPassword, currentPassword } = input
  const problems: string[] = []
  const length = Array.from(newPassword).length
  if (length < passwordMinLength) {
    problems.push(`新密码至少需要 ${passwordMinLength} 个字符（现在是 ${length} 个），请加长。`)
  }
  if (newPassword.length > passwordMaxLength) {
    problems.push(`新密码最多 ${passwordMaxLength} 个字符，请缩短。`)
  }
  if (username !== '' && newPassword.toLowerCase().includes(username.toLowerCase())) {
    problems.push('新密码不能包含用户名，请换一个。')
  }
  if (isCommonPassword(newPassword)) {
    problems.push(
      '这个密码是最常见的密码之一（如 123456789012），很容易被猜中，请换一个别人想不到的，例如几个不相关的词组成的短句。',
    )
  }
  if (newPassword === currentPassword) {
    problems.push('新密码不能与当前密码相同，请换一个。')
  }
  return problems
}

// No 0/O, 1/l/I: the one-time password is read off a screen and typed in by hand.
const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'

/** 20 random characters in groups of five (about 115 bits), e.g. `h7Kd2-…`. */
export function newOneTimePassword(): string {
  const chars = Array.from({ length: 20 }, () => alphabet[randomInt(alphabet.length)]!)
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join('')).join('-')
}
