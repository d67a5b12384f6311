/**
 * Search as you type on /search. Without JavaScript the form submits and the server renders the
 * results; with it, results follow the text box (debounced, stale requests aborted) and the
 * summary sits in a polite live region so screen readers hear the count, not every row.
 */
import { statusLabels } from '../../api/domain/certification.ts'
import type { CertificationStatus } from '../../db/database.ts'

interface EnterpriseHit {
  uscc: string
  name: string
  countyName: string
  sectorName: string
  status: CertificationStatus
  validUntil: string
}

interface NoticeHit {
  slug: string
  title: string
  date: string
  category: string
}

interface Found {
  enterprises: EnterpriseHit[]
  /** Known only when the directory API answered (filters chosen). */
  total: number | null
  notices: NoticeHit[]
  /** The county and sector the words were read as (莲都加油站 → 莲都区 · 加油站). */
  understood: string[]
}

interface Understood {
  county?: { label: string }
  sector?: { label: string }
}

const labelsOf = (u: Understood | null | undefined): string[] =>
  [u?.county?.label, u?.sector?.label].filter((l): l is string => !!l)

const limit = 20
const debounceMs = 200

function element(tag: string, className?: string, text?: string): HTMLElement {
  const node = document.createElement(tag)
  if (className) node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

function link(href: string, text: string): HTMLAnchorElement {
  const a = document.createElement('a')
  a.href = href
  a.textContent = text
  return a
}

function metaItem(label: string, value: Node | string, className: string): HTMLElement {
  const wrapper = element('div')
  wrapper.append(element('dt', undefined, label))
  const dd = element('dd', className)
  dd.append(value)
  wrapper.append(dd)
  return wrapper
}

function enterpriseRow(e: EnterpriseHit): HTMLElement {
  const li = element('li', 'enterprise-row')
  const heading = element('h3', 'row-name')
  heading.append(link(`/enterprises/${encodeURIComponent(e.uscc)}/`, e.name))
  const meta = element('dl', 'row-meta')
  meta.append(
    metaItem('区县', e.countyName, 'row-county'),
    metaItem('行业', e.sectorName, 'row-sector'),
    metaItem(
      '状态',
      element('span', `badge badge-${e.status}`, statusLabels[e.status]),
      'row-status',
    ),
    metaItem('有效期至', e.validUntil, 'row-valid'),
  )
  li.append(heading, meta)
  return li
}

function noticeRow(n: NoticeHit): HTMLElement {
  const li = element('li')
  li.append(
    link(`/notices/${encodeURIComponent(n.slug)}/`, n.title),
    element('span', 'notice-meta', `${n.category} · ${n.date}`),
  )
  return li
}

function render(results: HTMLElement, found: Found, q: string) {
  const section = element('section')
  section.append(element('h2', undefined, '诚信计量单位'))
  if (found.enterprises.length === 0) {
    const empty = element('div', 'empty')
    empty.append(
      element('p', undefined, q ? `没有找到与“${q}”相符的单位。` : '没有符合所选条件的单位。'),
      element(
        'p',
        undefined,
        '建议：检查错别字；只输入名称中的两三个字，例如“菜场”；或去掉筛选条件再试。',
      ),
    )
    section.append(empty)
  } else {
    const list = element('ol', 'enterprise-list')
    list.append(...found.enterprises.map(enterpriseRow))
    section.append(list)
    const shownAll = found.total !== null && found.total <= found.enterprises.length
    if (!shownAll && found.enterprises.length >= limit) {
      section.append(
        element('p', 'hint', `这里只显示前 ${limit} 个，按回车或点“搜索”查看全部结果。`),
      )
    }
  }
  results.replaceChildren(section)
  if (found.understood.length > 0) {
    // As the page says it (search.astro): what the words were read as, and the way back.
    const read = element('p', 'search-understood', `已按 ${found.understood.join(' · ')} 筛选（`)
    const params = new URLSearchParams({ q, typed: '1' })
    read.append(link(`/search?${params.toString()}`, `按原词“${q}”搜索`), '）')
    results.prepend(read)
  }
  if (q && found.notices.length > 0) {
    const notices = element('section', 'notice-hits')
    const list = element('ul', 'link-list')
    list.append(...found.notices.map(noticeRow))
    notices.append(element('h2', undefined, '公告'), list)
    results.append(notices)
  }
}

function summaryOf(found: Found): string {
  const count = found.total ?? found.enterprises.length
  if (count === 0) return '没有找到符合条件的单位。'
  const notices = found.notices.length > 0 ? `，${found.notices.length} 条公告` : ''
  return found.total === null && count >= limit
    ? `找到 ${limit} 个以上单位${notices}。`
    : `找到 ${count} 个单位${notices}。`
}

class Limited extends Error {}

async function fetchFound(params: URLSearchParams, signal: AbortSignal): Promise<Found> {
  const filtered = ['county', 'sector', 'status'].some((k) => params.get(k))
  const query = new URLSearchParams()
  for (const [key, value] of params) if (value && key !== 'page') query.set(key, value)
  // The public search answers text alone; the directory API applies filters.
  const url = filtered
    ? `/api/enterprises?${query.toString()}&pageSize=${limit}`
    : `/api/search?${query.toString()}&limit=${limit}`
  const response = await fetch(url, { signal, headers: { accept: 'application/json' } })
  if (response.status === 429) {
    // Too many searches this minute: the answer says how long to wait.
    const body = (await response.json()) as { error?: { message?: string } }
    throw new Limited(body.error?.message ?? '搜索太频繁，请稍后再试。')
  }
  if (!response.ok) throw new Error(`HTTP ${response.status}`)
  if (filtered) {
    const body = (await response.json()) as {
      items: EnterpriseHit[]
      total: number
      understood?: Understood | null
    }
    return {
      enterprises: body.items,
      total: body.total,
      notices: [],
      understood: labelsOf(body.understood),
    }
  }
  const body = (await response.json()) as {
    enterprises: EnterpriseHit[]
    notices: NoticeHit[]
    understood?: Understood | null
  }
  return {
    enterprises: body.enterprises,
    total: null,
    notices: body.notices,
    understood: labelsOf(body.understood),
  }
}

function start() {
  const form = document.querySelector<HTMLFormElement>('#search-form')
  const input = document.querySelector<HTMLInputElement>('#search-q')
  const summary = document.querySelector<HTMLElement>('#search-summary')
  const results = document.querySelector<HTMLElement>('#search-results')
  if (!form || !input || !summary || !results) return

  let timer: ReturnType<typeof setTimeout> | undefined
  let inFlight: AbortController | undefined

  const run = async () => {
    inFlight?.abort()
    const params = new URLSearchParams()
    for (const [key, value] of new FormData(form)) {
      if (typeof value === 'string' && value.trim()) params.set(key, value.trim())
    }
    const q = params.get('q') ?? ''
    if ([...params.keys()].length === 0) {
      summary.textContent = '请输入搜索词，或选择区县、行业、认定状态。'
      results.replaceChildren()
      return
    }
    const controller = new AbortController()
    inFlight = controller
    results.setAttribute('aria-busy', 'true')
    try {
      const found = await fetchFound(params, controller.signal)
      if (controller.signal.aborted) return
      render(results, found, q)
      summary.textContent = summaryOf(found)
    } catch (error) {
      if (controller.signal.aborted) return
      summary.textContent =
        error instanceof Limited ? error.message : '自动搜索暂时不可用，请按回车或点“搜索”提交。'
    } finally {
      if (inFlight === controller) results.removeAttribute('aria-busy')
    }
  }

  const schedule = () => {
    clearTimeout(timer)
    timer = setTimeout(() => void run(), debounceMs)
  }
  input.addEventListener('input', schedule)
  form.addEventListener('change', (event) => {
    if (event.target instanceof HTMLSelectElement) schedule()
  })
}

start()
