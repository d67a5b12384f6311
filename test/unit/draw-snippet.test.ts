import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { defaultDrawWeights, creditGrades } from '../../api/domain/credit.ts'
import { runDraw, type PoolEntry } from '../../api/domain/draw.ts'
import { redrawSnippet } from '../../site/lib/draw-snippet.ts'

// The snippet /inspections/how-to-check gives the public must pick what the draw picked: a
// reader re-running a published draw with it gets the published list.

type Redraw = (
  seed: string,
  pool: Array<{ uscc: string; grade: string }>,
  weights: Record<string, number>,
  drawSize: number,
) => Promise<string[]>

// Run as a reader would, in a context of its own with only what a browser gives it.
const redraw = runInNewContext(
  `${redrawSnippet.slice(0, redrawSnippet.indexOf('// 用法'))}; redraw`,
  { crypto, TextEncoder, DataView, Math },
) as Redraw

describe('the public re-run snippet', () => {
  it('picks the same businesses in the same order as the draw, for many seeds', async () => {
    const pool: PoolEntry[] = Array.from({ length: 40 }, (_, i) => ({
      uscc: `91331102MA${String((i * 7919) % 1000).padStart(7, '0')}X`,
      grade: creditGrades[i % 4]!,
      countyCode: '331102',
    }))
    for (let i = 0; i < 50; i++) {
      const seed = `复核-${i}`
      const outcome = runDraw({
        seed,
        pool,
        weights: defaultDrawWeights,
        drawSize: 7,
        inspectorsPerVisit: 2,
        inspectors: [
          { id: '1', countyCode: '331102' },
          { id: '2', countyCode: '331102' },
        ],
        recusals: [],
      })
      if (!outcome.ok) throw new Error('refused')
      expect(await redraw(seed, outcome.pool, defaultDrawWeights, 7)).toEqual(
        outcome.visits.map((v) => v.uscc),
      )
    }
  })
})
