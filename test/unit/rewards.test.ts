import { describe, expect, it } from 'vitest'
import {
  claimDeadlineOf,
  claimExpired,
  fenToYuan,
  mayClaim,
  mayTakeStep,
  proposalRefusal,
  rewardClaimDays,
  stepRefusal,
  yuanToFen,
  type RewardCase,
} from '../../api/domain/rewards.ts'

/** 举报奖励's pure rules (issue 25, item 5): who may be rewarded, in which order, until when. */

const rewardable: RewardCase = {
  kind: 'report',
  status: 'resolved',
  finding: 'substantiated',
  followUp: 'penalized',
  penaltyCount: 0,
}

describe('which case a reward may be proposed on', () => {
  it('takes a handled 举报, 查实 or 部分查实, that led to a penalty', () => {
    expect(proposalRefusal(rewardable)).toBeNull()
    expect(proposalRefusal({ ...rewardable, status: 'closed' })).toBeNull()
    expect(proposalRefusal({ ...rewardable, finding: 'partly_substantiated' })).toBeNull()
    // A penalty entered with the case's number counts whatever the follow-up says.
    expect(proposalRefusal({ ...rewardable, followUp: 'ordered', penaltyCount: 1 })).toBeNull()
  })

  it('refuses a 投诉, an open case, an unfounded one and one without a penalty', () => {
    expect(proposalRefusal({ ...rewardable, kind: 'complaint' })).toContain('只适用于举报')
    expect(proposalRefusal({ ...rewardable, status: 'in_progress' })).toContain('办结后')
    expect(proposalRefusal({ ...rewardable, status: 'review' })).toContain('办结后')
    for (const finding of ['unfounded', 'unverifiable', null] as const) {
      expect(proposalRefusal({ ...rewardable, finding })).toContain('查实')
    }
    expect(proposalRefusal({ ...rewardable, followUp: 'ordered' })).toContain('立案查处')
  })
})

describe('the order of the steps', () => {
  it('proposes first or after a refusal, decides a proposal, pays a claimed one', () => {
    expect(mayTakeStep('propose', null)).toBe(true)
    expect(mayTakeStep('propose', 'refused')).toBe(true)
    expect(mayTakeStep('propose', 'proposed')).toBe(false)
    expect(mayTakeStep('propose', 'approved')).toBe(false)
    expect(mayTakeStep('approve', 'proposed')).toBe(true)
    expect(mayTakeStep('refuse', 'proposed')).toBe(true)
    expect(mayTakeStep('approve', 'approved')).toBe(false)
    expect(mayTakeStep('approve', null)).toBe(false)
    expect(mayTakeStep('record_payment', 'claimed')).toBe(true)
    expect(mayTakeStep('record_payment', 'approved')).toBe(false)
    expect(mayTakeStep('record_payment', 'paid')).toBe(false)
  })

  it('says why a step cannot be taken', () => {
    expect(stepRefusal('propose', 'proposed')).toContain('等待市局审批')
    expect(stepRefusal('record_payment', 'approved')).toContain('确认领取方式后')
    expect(stepRefusal('record_payment', 'paid')).toContain('已经登记发放')
    expect(stepRefusal('approve', 'approved')).toContain('已经审批')
  })
})

describe('the claim period', () => {
  it('ends at the end of the Beijing day the rules’ period after approval', () => {
    // Approved at 23:30 on 1 December (Beijing): the period's last day is 1 March.
    const approvedAt = new Date('2026-12-01T23:30:00+08:00')
    const deadline = claimDeadlineOf(approvedAt)
    expect(rewardClaimDays).toBe(90)
    expect(deadline.toISOString()).toBe(new Date('2027-03-02T00:00:00+08:00').toISOString())
    const approved = { state: 'approved' as const, claimDeadline: deadline }
    expect(mayClaim(approved, new Date(deadline.getTime() - 1))).toBe(true)
    expect(claimExpired(approved, new Date(deadline.getTime() - 1))).toBe(false)
    expect(mayClaim(approved, deadline)).toBe(false)
    expect(claimExpired(approved, deadline)).toBe(true)
    // Once claimed, the period no longer matters.
    expect(claimExpired({ state: 'claimed', claimDeadline: deadline }, deadline)).toBe(false)
  })
})

describe('amounts', () => {
  it('reads yuan as people type them, to fen, and writes fen as yuan', () => {
    expect(yuanToFen('1234.56')).toBe(123456)
    expect(yuanToFen('2000')).toBe(200000)
    expect(yuanToFen('0.5')).toBe(50)
    expect(yuanToFen('1,234.5 元')).toBe(123450)
    expect(yuanToFen('１２３４．５６')).toBe(123456)
    expect(yuanToFen('12.345')).toBeNull()
    expect(yuanToFen('-5')).toBeNull()
    expect(yuanToFen('一千')).toBeNull()
    expect(yuanToFen('')).toBeNull()
    expect(fenToYuan(123456)).toBe('1234.56')
    expect(fenToYuan(50)).toBe('0.50')
    expect(fenToYuan(200000)).toBe('2000.00')
  })
})
