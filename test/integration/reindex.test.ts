import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import type { EnterpriseDocument } from '../../api/search/enterprise-documents.ts'
import { toEnterpriseDocument } from '../../api/search/enterprise-indexer.ts'
import { reindexAll, type ReindexProgress } from '../../api/search/reindex.ts'
import { assertSucceeded, SearchTaskFailed } from '../../api/search/client.ts'
import { applyEnterpriseRecords } from '../../api/services/enterprises/apply.ts'
import { allEnterprises } from '../../db/queries/enterprises.ts'
import { insertSyntheticEnterprises } from '../../scripts/demo/bulk.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

const total = 100_000
let t: TestContext
const folders: string[] = []

beforeAll(async () => {
  t = await createTestContext()
  await insertSyntheticEnterprises(t.deps.db, total)
}, 120_000)
afterAll(async () => {
  await t.cleanup()
  for (const dir of folders) await rm(dir, { recursive: true, force: true })
})

/** A folder of Markdown notices, one per `slug`. */
async function noticeFolder(slugs: string[]) {
  const dir = await mkdtemp(path.join(tmpdir(), 'notices-'))
  folders.push(dir)
  for (const slug of slugs) {
    const text = [
      '---',
      `title: 加油机计量专项检查结果 ${slug}`,
      'date: 2026-11-20',
      'category: 专项检查结果',
      'summary: 全市加油站加油机计量专项检查已完成，结果如下。',
      '---',
      '',
      '检查加油机 1200 台，合格率 99.2%。',
    ].join('\n')
    await writeFile(path.join(dir, `${slug}.md`), text)
  }
  return dir
}

interface Probe {
  q: string
  status: number
  hits: number
}

describe('reindexAll', () => {
  it('rebuilds 100,000 businesses into a fresh index and swaps it in while searches keep answering', async () => {
    const { db, search } = t.deps
    const app = createApp(t.deps)
    const live = search.indexName('enterprises')

    // The live index before: every 50th business plus one that PostgreSQL no longer has, as
    // after a deletion the outbox missed.
    const firstBatch = []
    for await (const batch of allEnterprises(db, 5_000)) {
      firstBatch.push(...batch.filter((_, i) => i % 50 === 0))
    }
    const ghost: EnterpriseDocument = {
      ...toEnterpriseDocument(firstBatch[1]!),
      id: '91331102MA00000000',
      uscc: '91331102MA00000000',
      name: '莲都已注销幽灵超市',
    }
    assertSucceeded(
      await search.meili
        .index<EnterpriseDocument>(live)
        .addDocuments([...firstBatch.map(toEnterpriseDocument), ghost])
        .waitTask(),
    )

    const queries = ['菜场', '超市', '加油站', '眼镜', '莲都', firstBatch[0]!.uscc.slice(0, 10)]
    const probe = async (q: string): Promise<Probe> => {
      const res = await app.request(`/api/search?q=${encodeURIComponent(q)}`)
      const body = (await res.json()) as { enterprises?: unknown[] }
      return { q, status: res.status, hits: body.enterprises?.length ?? 0 }
    }
    for (const q of queries) expect(await probe(q)).toMatchObject({ status: 200 })
    const matchedBefore = new Set(
      (await Promise.all(queries.map(probe))).filter((p) => p.hits > 0).map((p) => p.q),
    )
    expect(matchedBefore.size).toBe(queries.length)

    // Searches every ~50 ms for as long as the rebuild runs.
    const probes: Probe[] = []
    let rebuilding = true
    const searching = (async () => {
      for (let i = 0; rebuilding; i++) {
        probes.push(await probe(queries[i % queries.length]!))
        await new Promise((r) => setTimeout(r, 50))
      }
    })()

    // Half-way through, an import renames a business that was already copied.
    const renamed = firstBatch[0]!
    let update: Promise<unknown> | undefined
    let updateCommitted = false
    const onProgress = (p: ReindexProgress) => {
      if (p.kind !== 'enterprises' || update || p.done < p.total / 2) return
      update = applyEnterpriseRecords({
        ctx: t.deps,
        input: {
          records: [
            {
              uscc: renamed.uscc,
              name: '莲都改名后的诚信菜场',
              countyCode: renamed.county,
              sectorCode: renamed.sector,
              address: renamed.address,
              certifiedAt: renamed.certifiedAt,
              validUntil: renamed.validUntil,
              status: renamed.status,
            },
          ],
          source: 'test',
          today: '2026-11-26',
        },
      }).then(() => (updateCommitted = true))
    }

    const result = await reindexAll({ db, search, logger: t.deps.logger, onProgress })
    const committedBeforeEnd = updateCommitted
    rebuilding = false
    await searching
    await update

    // Searches answered throughout, never empty for a query that matched before.
    expect(probes.length).toBeGreaterThan(20)
    expect(probes.filter((p) => p.status !== 200 || p.hits === 0)).toEqual([])

    // Counts agree with PostgreSQL.
    expect(result.consistent).toBe(true)
    expect(result.counts).toContainEqual({
      kind: 'enterprises',
      source: total,
      indexed: total,
      consistent: true,
    })

    // Same uid, new contents; no temporary index left behind.
    const { results } = await search.meili.getIndexes({ limit: 1000 })
    const ours = results.map((i) => i.uid).filter((uid) => uid.startsWith(live))
    expect(ours).toEqual([live])
    expect((await search.meili.index(live).getStats()).numberOfDocuments).toBe(total)
    await expect(search.meili.index(live).getDocument(ghost.id)).rejects.toThrow()

    // The rename committed during the rebuild is in the live index.
    expect(committedBeforeEnd).toBe(true)
    expect(result.caughtUp.upserted).toBeGreaterThanOrEqual(1)
    const doc = await search.meili.index<EnterpriseDocument>(live).getDocument(renamed.uscc)
    expect(doc.name).toBe('莲都改名后的诚信菜场')
  }, 180_000)

  it('creates the live index when it does not exist yet, from the notice files', async () => {
    const { db, search, logger } = t.deps
    const live = search.indexName('notices')
    assertSucceeded(await search.meili.deleteIndex(live).waitTask())

    const noticesDir = await noticeFolder(['2026-11-20-fuel', '2026-11-21-market'])
    const result = await reindexAll({ db, search, logger, noticesDir, kinds: ['notices'] })

    expect(result.counts).toEqual([{ kind: 'notices', source: 2, indexed: 2, consistent: true }])
    const settings = await search.meili.index(live).getSettings()
    expect(settings.filterableAttributes).toEqual(['category'])
  })

  it('leaves the live index as it was when Meilisearch rejects a document', async () => {
    const { db, search, logger } = t.deps
    const live = search.indexName('notices')
    const good = await noticeFolder(['2026-11-20-fuel'])
    await reindexAll({ db, search, logger, noticesDir: good, kinds: ['notices'] })

    // "bad id!" is not a valid document id, so the addition task fails.
    const bad = await noticeFolder(['2026-11-22-taxi', 'bad id!'])
    await expect(
      reindexAll({ db, search, logger, noticesDir: bad, kinds: ['notices'] }),
    ).rejects.toBeInstanceOf(SearchTaskFailed)

    const { results } = await search.meili.getIndexes({ limit: 1000 })
    expect(results.map((i) => i.uid).filter((uid) => uid.startsWith(live))).toEqual([live])
    const docs = await search.meili.index(live).getDocuments<{ id: string }>({ fields: ['id'] })
    expect(docs.results.map((d) => d.id)).toEqual(['2026-11-20-fuel'])
  })
})
