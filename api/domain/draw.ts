import { createHash } from 'node:crypto'
import type { CreditGrade } from './credit.ts'

// 双随机 (DESIGN.md section 7): businesses drawn at random from a campaign's pool, weighted by
// credit grade (分级分类监管), and inspectors drawn at random for each. Everything the draw reads
// is published (seed, method, weights, pool), so anyone can re-run it and get the same list:
// /inspections/how-to-check describes these steps for a reader, and they must stay in step.

/** The method's name and version, recorded with every draw. Change the name if the steps change. */
export const drawMethod = 'weighted-es/sha256-xoshiro128ss/v1'

/** One business of the pool, with its grade at draw time. */
export interface PoolEntry {
  uscc: string
  grade: CreditGrade
  countyCode: string
}

/** An operator who may inspect: enabled county handlers of one county. */
export interface Inspector {
  id: string
  countyCode: string
}

/** 回避: this operator is never drawn for this business. */
interface Recusal {
  operatorId: string
  uscc: string
}

export interface DrawInput {
  seed: string
  pool: readonly PoolEntry[]
  weights: Record<CreditGrade, number>
  drawSize: number
  inspectorsPerVisit: number
  inspectors: readonly Inspector[]
  recusals: readonly Recusal[]
}

interface DrawnVisit {
  /** 1 for the first business drawn. */
  rank: number
  uscc: string
  countyCode: string
  /** Operator ids in the order drawn. */
  inspectorIds: string[]
}

export type DrawOutcome =
  | {
      ok: true
      /** The pool as the method read it (sorted by credit code): what is published. */
      pool: PoolEntry[]
      visits: DrawnVisit[]
    }
  /** Too few eligible inspectors in this business's county: nothing is drawn. */
  | { ok: false; uscc: string; countyCode: string; eligible: number }

/**
 * xoshiro128** 1.1 (Blackman and Vigna, https://prng.di.unimi.it/xoshiro128starstar.c), seeded
 * with the first 16 bytes of SHA-256 of the seed's UTF-8 bytes, read as four little-endian
 * 32-bit words. Small, well known and the same in every JavaScript engine; not for secrets (the
 * seed itself comes from crypto randomness and is public after the draw anyway).
 */
export function seededRandom(seed: string): () => number {
  const digest = createHash('sha256').update(seed, 'utf8').digest()
  let a = digest.readUInt32LE(0)
  let b = digest.readUInt32LE(4)
  let c = digest.readUInt32LE(8)
  let d = digest.readUInt32LE(12)
  const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k))
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0
    const t = b << 9
    c ^= a
    d ^= b
    b ^= c
    a ^= d
    c ^= t
    d = rotl(d, 11)
    // Strictly between 0 and 1, so its logarithm below is finite.
    return (result + 0.5) / 4294967296
  }
}

/** Credit codes compare by their characters (all ASCII): the same order everywhere. */
const byCode = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0)

/**
 * The draw, in two steps on one random stream:
 *
 * 1. Businesses (Efraimidis–Spirakis weighted sampling without replacement): the pool is sorted by
 *    credit code; each business in that order takes one number u from the stream and gets the key
 *    ln(u) / w (w: its grade's weight; the same order as u^(1/w), without underflow). The
 *    `drawSize` largest keys are drawn, largest first (ties: earlier in the pool). This is the
 *    same as picking one business at a time with probability w / (sum of the remaining weights).
 * 2. Inspectors, for each drawn business in rank order: the enabled handlers of its county who
 *    have not recused themselves from it, sorted by operator id (as numbers); `inspectorsPerVisit`
 *    of them picked by a partial Fisher–Yates shuffle: for i = 0, 1, ..., take j = i + floor(u ×
 *    (n − i)) and swap positions i and j; the first ones are drawn.
 *
 * If a drawn business's county has too few eligible inspectors, the whole draw is refused
 * (nothing is drawn), naming the county and the business.
 */
export function runDraw(input: DrawInput): DrawOutcome {
  const random = seededRandom(input.seed)
  const pool = [...input.pool].sort((x, y) => byCode(x.uscc, y.uscc))
  const keyed = pool.map((entry, index) => ({
    entry,
    index,
    key: Math.log(random()) / input.weights[entry.grade],
  }))
  keyed.sort((x, y) => y.key - x.key || x.index - y.index)
  const drawn = keyed.slice(0, input.drawSize).map((k) => k.entry)

  const recused = new Set(input.recusals.map((r) => `${r.operatorId}:${r.uscc}`))
  const visits: DrawnVisit[] = []
  for (const [i, business] of drawn.entries()) {
    const eligible = input.inspectors
      .filter((op) => op.countyCode === business.countyCode)
      .filter((op) => !recused.has(`${op.id}:${business.uscc}`))
      .map((op) => op.id)
      .sort((x, y) => Number(x) - Number(y) || byCode(x, y))
    const unique = [...new Set(eligible)]
    if (unique.length < input.inspectorsPerVisit) {
      return {
        ok: false,
        uscc: business.uscc,
        countyCode: business.countyCode,
        eligible: unique.length,
      }
    }
    for (let k = 0; k < input.inspectorsPerVisit; k++) {
      const j = k + Math.floor(random() * (unique.length - k))
      ;[unique[k], unique[j]] = [unique[j]!, unique[k]!]
    }
    visits.push({
      rank: i + 1,
      uscc: business.uscc,
      countyCode: business.countyCode,
      inspectorIds: unique.slice(0, input.inspectorsPerVisit),
    })
  }
  return { ok: true, pool, visits }
}

/**
 * Parses `A:1,B:2,C:4,D:8` (CREDIT_DRAW_WEIGHTS): every grade once, each a positive number at
 * most 1000. Returns a message saying what is wrong instead of throwing, for the config's error.
 */
export function parseDrawWeights(text: string): Record<CreditGrade, number> | string {
  const weights: Partial<Record<CreditGrade, number>> = {}
  for (const part of text.split(',')) {
    const match = /^\s*([ABCD])\s*:\s*(\d+(?:\.\d+)?)\s*$/.exec(part)
    if (!match) return `"${part.trim()}" is not GRADE:WEIGHT (e.g. A:1,B:2,C:4,D:8)`
    const grade = match[1] as CreditGrade
    const weight = Number(match[2])
    if (grade in weights) return `grade ${grade} is given twice`
    if (!(weight > 0 && weight <= 1000))
      return `the weight of ${grade} must be above 0, at most 1000`
    weights[grade] = weight
  }
  const missing = (['A', 'B', 'C', 'D'] as const).filter((g) => !(g in weights))
  if (missing.length > 0) return `no weight for grade ${missing.join(', ')}`
  return weights as Record<CreditGrade, number>
}

/** The weights as configured and published: `A:1,B:2,C:4,D:8`. */
export const formatDrawWeights = (weights: Record<CreditGrade, number>) =>
  (['A', 'B', 'C', 'D'] as const).map((g) => `${g}:${weights[g]}`).join(',')
