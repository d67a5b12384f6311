import { createSecretKey, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  normalizeQueryCode,
  normalizeTrackingNo,
  trackingNoPattern,
} from '../../api/domain/tracking-codes.ts'
import { queryCodeHash, queryCodeMatches } from '../../api/services/complaints/codes.ts'

describe('reading a query code as a resident types it', () => {
  it('reads full-width, lower-case, spaced and hyphen-less codes as the printed one', () => {
    for (const typed of [
      'K7QM-3XPA',
      'k7qm-3xpa',
      'K7QM3XPA',
      ' k7qm 3xpa ',
      'ｋ７ｑｍ－３ｘｐａ',
      'Ｋ７ＱＭ３ＸＰＡ',
      'ｋ７ｑｍ\u3000３ｘｐａ',
      'K7QM—3XPA',
      'K7QM\u30fc3XPA',
      '\tK7QM_3XPA\n',
    ]) {
      expect(normalizeQueryCode(typed), typed).toBe('K7QM3XPA')
    }
  })

  it('keeps only characters a code can have, so a look-alike typed for one still fails', () => {
    // O, 0, 1, I and L are never in a code: dropping them leaves a code too short to match.
    expect(normalizeQueryCode('K7QO-3XPA')).toBe('K7Q3XPA')
    expect(normalizeQueryCode('K7Q1-3XPA')).toBe('K7Q3XPA')
    expect(normalizeQueryCode('<script>')).toBe('SCRPT')
    expect(normalizeQueryCode('查询码')).toBe('')
  })

  it('matches the stored hash whichever way the code is typed, and only the right code', () => {
    const key = createSecretKey(randomBytes(32))
    const no = 'JL20261206-4827-3915'
    const stored = queryCodeHash(key, no, 'K7QM-3XPA')
    for (const typed of ['ｋ７ｑｍ－３ｘｐａ', 'k7qm3xpa', 'K7QM 3XPA']) {
      expect(queryCodeMatches(key, no, typed, stored), typed).toBe(true)
    }
    for (const wrong of ['K7QM-3XPB', 'K7QM-3XP', 'K7QM-3XPAA', '']) {
      expect(queryCodeMatches(key, no, wrong, stored), wrong).toBe(false)
    }
  })
})

describe('reading a tracking number as a resident types it', () => {
  it('reads full-width, lower-case, hyphen-less and oddly dashed numbers as the printed one', () => {
    for (const typed of [
      'ｊｌ２０２６１２０６４８２７３９１５',
      'ＪＬ２０２６１２０６－４８２７－３９１５',
      'jl2026120648273915',
      'JL20261206 4827 3915',
      'JL20261206ー4827ー3915',
      'JL20261206﹣4827﹣3915',
      'JL20261206·4827·3915',
      ' JL20261206--4827--3915 ',
    ]) {
      expect(normalizeTrackingNo(typed), typed).toBe('JL20261206-4827-3915')
    }
    expect(normalizeTrackingNo('ｊｌ２０２６１１２６ ０００４２')).toBe('JL20261126-00042')
  })

  it('still refuses what cannot be a number', () => {
    for (const bad of ['JL202612064827', 'AB20261206-4827-3915', '受理编号', '']) {
      expect(trackingNoPattern.test(normalizeTrackingNo(bad)), bad).toBe(false)
    }
  })
})
