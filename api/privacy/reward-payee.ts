import { maskName } from '../domain/masks.ts'
import { decryptField, encryptField, rewardPayeeAad, type PiiKeyring } from './pii.ts'

/** How a reporter receives a reward by bank transfer: personal data, sealed as one field. */
export interface RewardPayee {
  /** 收款人姓名 */
  payeeName: string
  /** 开户银行 */
  bankName: string
  /** 银行账号 (digits only) */
  accountNo: string
}

/** Seals the receiving details to that case's reward, so they open for no other field. */
export function sealPayee(ring: PiiKeyring, trackingNo: string, payee: RewardPayee) {
  return encryptField(ring, JSON.stringify(payee), rewardPayeeAad(trackingNo))
}

export function openPayee(
  ring: PiiKeyring,
  row: { trackingNo: string; payeeSealed: Buffer; payeeKeyId: string },
): RewardPayee {
  return JSON.parse(
    decryptField(ring, row.payeeKeyId, row.payeeSealed, rewardPayeeAad(row.trackingNo)),
  ) as RewardPayee
}

/** 张*, the bank as given, and only the account's last four digits: what a console page shows. */
export function maskPayee(payee: RewardPayee): RewardPayee {
  return {
    payeeName: maskName(payee.payeeName),
    bankName: payee.bankName,
    accountNo: `**** **** ${payee.accountNo.slice(-4)}`,
  }
}
