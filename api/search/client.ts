import { Meilisearch, MeilisearchRequestError, type Settings, type Task } from 'meilisearch'
import { nodeHttpClient } from './http-client.ts'
import { searchWords, toMeiliSynonyms } from './synonyms.ts'

/**
 * The indexes this product keeps. Only the public ones may be queried by the public search route;
 * `complaints` is private to case handlers.
 */
export const indexKinds = ['enterprises', 'notices', 'complaints'] as const
export type IndexKind = (typeof indexKinds)[number]

export interface SearchClient {
  meili: Meilisearch
  /** The live name of an index (with the environment's prefix). */
  indexName: (kind: IndexKind) => string
}

export function createSearchClient(options: {
  url: string
  apiKey?: string | undefined
  prefix: string
  timeoutMs?: number
}): SearchClient {
  const meili = new Meilisearch({
    host: options.url,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    timeout: options.timeoutMs ?? 5_000,
    // Uncompressed answers: on loopback or a private network compression only costs time, and
    // fetch's default (br, gzip) made Meilisearch's last chunk arrive ~40 ms late (bench/search.ts).
    requestInit: { headers: { 'Accept-Encoding': 'identity' } },
    // Deprecated upstream (meilisearch-js#1824) but kept on purpose: with fetch, /api/search had a
    // p99 of 57–60 ms at 300 req/s; over node:http, 23 ms (bench/search.ts). The version is pinned,
    // and a removal would fail type checking at the upgrade.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    httpClient: nodeHttpClient(options.url),
    defaultWaitOptions: { timeout: 60_000, interval: 25 },
  })
  return { meili, indexName: (kind) => `${options.prefix}${kind}` }
}

/** Thrown when Meilisearch finished a task with an error: the caller retries, nothing is lost. */
export class SearchTaskFailed extends Error {
  constructor(task: Task) {
    super(
      `Meilisearch task ${task.uid} (${task.type}) ${task.status}: ${task.error?.message ?? ''}`,
    )
    this.name = 'SearchTaskFailed'
  }
}

/** Waits for Meilisearch's verdict on a task and turns a failure into an exception. */
export function assertSucceeded(task: Task): Task {
  if (task.status !== 'succeeded') throw new SearchTaskFailed(task)
  return task
}

const chineseFields = ['name', 'address', 'title', 'summary', 'body', 'merchantName', 'description']

/**
 * The bureau's synonyms (content/search/synonyms.json) for the public indexes. Typos are among
 * them because Meilisearch forgives a typo only in words of five characters or more
 * (minWordSizeForTypos), longer than most Chinese words: 加由站 would find nothing.
 */
const synonyms = toMeiliSynonyms(searchWords)

const indexSettings: Record<IndexKind, Settings> = {
  enterprises: {
    searchableAttributes: ['name', 'address', 'uscc', 'countyName', 'sectorName'],
    // `certified` tells certified businesses from market entities; `grade` is the credit grade.
    filterableAttributes: ['county', 'sector', 'status', 'grade', 'certified'],
    sortableAttributes: ['name', 'certifiedAt', 'validUntil'],
    displayedAttributes: ['*'],
    localizedAttributes: [{ attributePatterns: chineseFields, locales: ['cmn'] }],
    synonyms,
    pagination: { maxTotalHits: 200_000 },
  },
  notices: {
    searchableAttributes: ['title', 'summary', 'body', 'category'],
    filterableAttributes: ['category'],
    sortableAttributes: ['date'],
    localizedAttributes: [{ attributePatterns: chineseFields, locales: ['cmn'] }],
    synonyms,
  },
  complaints: {
    searchableAttributes: [
      'trackingNo',
      'merchantName',
      'merchantUscc',
      'address',
      'description',
      'countyName',
    ],
    filterableAttributes: [
      'status',
      'county',
      'category',
      'kind',
      'channel',
      'dueAt',
      'receivedAt',
      'enterpriseUscc',
    ],
    sortableAttributes: ['priority', 'dueAt', 'receivedAt'],
    // Word proximity within an attribute, not by exact distance: a third less indexing CPU
    // (measured on 10,000 complaints), and the queue search ranks by filters and words anyway.
    proximityPrecision: 'byAttribute',
    localizedAttributes: [{ attributePatterns: chineseFields, locales: ['cmn'] }],
    pagination: { maxTotalHits: 100_000 },
  },
}

/**
 * Creates the index if missing and applies its settings, waiting for both tasks. Both steps may
 * be repeated: so an answer lost on the way (Meilisearch busy applying another replica's settings
 * at start, past the client's 5 s per request) is asked again, up to five times over about 15 s.
 */
export async function ensureIndex(search: SearchClient, kind: IndexKind, uid?: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureIndexOnce(search, kind, uid)
      return
    } catch (error) {
      if (!(error instanceof MeilisearchRequestError) || attempt >= 5) throw error
      await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt))
    }
  }
}

async function ensureIndexOnce(search: SearchClient, kind: IndexKind, uid?: string) {
  const name = uid ?? search.indexName(kind)
  const created = await search.meili.createIndex(name, { primaryKey: 'id' }).waitTask()
  if (created.status === 'failed' && created.error?.code !== 'index_already_exists') {
    assertSucceeded(created)
  }
  assertSucceeded(await search.meili.index(name).updateSettings(indexSettings[kind]).waitTask())
}
