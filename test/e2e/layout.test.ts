import AxeBuilder from '@axe-core/playwright'
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { createDb, type Db } from '../../db/client.ts'
import { demoStation } from '../../scripts/demo/credit.ts'
import { launchBrowser, watchedPage } from '../support/browser.ts'

/**
 * Issue 23, acceptance 2 and 6 for the public pages: every kind of page a resident opens fits a
 * cheap phone (320 × 640), a phone at 200 % zoom (360 × 740 halves to 180 × 370 CSS pixels) and a
 * phone with text at 200 % (the root font size doubled), with JavaScript on and off: nothing
 * scrolls sideways, axe finds nothing, the demo note sits inside a landmark. Then 关怀模式,
 * switched on without JavaScript, gives 18 px body text on every page after it.
 */
let browser: Browser
let db: Db
const paths: string[] = []
let activeUscc = ''
let revokedUscc = ''
const notFound = new Set(['/no-such-page', '/verify/91331102MA2A00000X', '/verify/91331126ABC'])

/**
 * axe runs in the first view only: what it checks (names, roles, contrast, landmarks) does not
 * change with the width, and running it on every page in three views took most of the suite's
 * time. Every view checks the sideways scroll and the banner's landmark.
 */
const views: Record<
  string,
  { options: BrowserContextOptions; largeText?: boolean; axe?: boolean }
> = {
  'a 320 × 640 phone': { options: { viewport: { width: 320, height: 640 } }, axe: true },
  // Browser zoom at 200 % is what a device pixel ratio of 2 on half the CSS width is.
  'a 360 × 740 phone at 200 % zoom': {
    options: { viewport: { width: 180, height: 370 }, deviceScaleFactor: 2 },
  },
  'a 360 × 740 phone with text at 200 %': {
    options: { viewport: { width: 360, height: 740 } },
    largeText: true,
  },
}

async function statusUscc(status: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('enterprises')
    .select('uscc')
    .where('status', '=', status as never)
    .orderBy('uscc')
    .executeTakeFirst()
  return row?.uscc
}

beforeAll(async () => {
  browser = await launchBrowser()
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
  activeUscc = (await statusUscc('active'))!
  revokedUscc = (await statusUscc('revoked'))!
  const more = (await Promise.all(['suspended', 'expired'].map(statusUscc))).filter(
    (u): u is string => u !== undefined,
  )
  const inspections = await (await fetch(new URL('/inspections', inject('siteUrl')))).text()
  const inspection = /href="(\/inspections\/[0-9a-zA-Z-]+\/?)"/.exec(
    inspections.replace(/href="\/inspections\/how-to-check\/?"/g, ''),
  )?.[1]
  paths.push(
    '/',
    '/enterprises/',
    '/enterprises/county/331102/',
    '/enterprises/status/revoked/',
    `/enterprises/${activeUscc}/`,
    `/enterprises/${revokedUscc}/`,
    `/enterprises/${demoStation.uscc}/`,
    ...more.map((u) => `/enterprises/${u}/`),
    `/verify/${activeUscc}`,
    `/verify/${revokedUscc}`,
    `/verify/${demoStation.uscc}`,
    '/verify/91331102MA2A00000X',
    // A code too short to be a credit code.
    '/verify/91331126ABC',
    '/search?q=%E8%8F%9C%E5%9C%BA',
    '/notices/',
    '/notices/2026-10-15-market-inspection-q3/',
    '/inspections',
    '/inspections/how-to-check',
    '/statistics/',
    ...(inspection ? [inspection] : []),
    '/commitments/v1/',
    '/developers/12345',
    '/developers/',
    '/data/',
    '/complaints/track',
    '/complaints/recover',
    '/complaints/privacy',
    '/no-such-page',
  )
}, 60_000)

afterAll(async () => {
  await browser.close()
  await db.destroy()
})

/**
 * How wide the page is, and when it is too wide, what sticks out, so that a failure names its
 * cause: runs of text past the right edge (a long word in running text is no element of its own),
 * elements past it, and the innermost elements whose content is wider than their box while they
 * do not scroll it (which is how a pseudo-element's overflow shows). What a scrolling or clipping
 * box holds is left out: it cannot widen the page.
 */
async function sidewaysScroll(
  page: Page,
): Promise<{ scroll: number; width: number; culprits: string[] }> {
  return page.evaluate(() => {
    const width = window.innerWidth
    const scroll = document.documentElement.scrollWidth
    if (scroll <= width) return { scroll, width, culprits: [] }
    const past = (right: number) => right > width + 0.5
    const inScrollBox = (node: Node) => {
      for (let up = node.parentElement; up && up !== document.body; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== 'visible') return true
      }
      return false
    }
    const nameOf = (el: Element) =>
      el.tagName.toLowerCase() +
      (el.id ? `#${el.id}` : '') +
      [...el.classList].map((c) => `.${c}`).join('')
    const texts: string[] = []
    const textParents: Element[] = []
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement
      if (!parent || inScrollBox(node)) continue
      const range = document.createRange()
      range.selectNodeContents(node)
      const right = Math.max(...[...range.getClientRects()].map((r) => r.right))
      // Inside an element that sticks out itself, the element is the one to name.
      if (past(right) && !past(parent.getBoundingClientRect().right)) {
        textParents.push(parent)
        const text = (node.textContent ?? '').trim().replace(/\s+/g, ' ')
        texts.push(`text "${text.slice(0, 40)}" in ${nameOf(parent)} reaches ${Math.round(right)}`)
      }
    }
    const edges: string[] = []
    const wide: Element[] = []
    for (const el of document.body.querySelectorAll('*')) {
      if (inScrollBox(el)) continue
      const box = el.getBoundingClientRect()
      if (past(box.right)) edges.push(`${nameOf(el)} reaches ${Math.round(box.right)}`)
      else if (
        el.scrollWidth > el.clientWidth + 1 &&
        getComputedStyle(el).overflowX === 'visible' &&
        past(box.left + el.scrollWidth)
      ) {
        wide.push(el)
      }
    }
    const innermost = wide
      .filter((el) => !wide.some((other) => other !== el && el.contains(other)))
      .filter((el) => !textParents.some((parent) => el.contains(parent)))
      .map((el) => `${nameOf(el)} holds ${el.scrollWidth} px in ${el.clientWidth}`)
    return { scroll, width, culprits: [...texts, ...edges, ...innermost].slice(0, 6) }
  })
}

/** What is wrong with the page as it stands: sideways scroll, axe violations, a stray banner. */
async function problemsOf(
  page: Page,
  path: string,
  { largeText, axe }: { largeText: boolean; axe: boolean },
): Promise<string[]> {
  if (largeText) {
    await page.evaluate(() => {
      document.documentElement.style.fontSize = '200%'
    })
  }
  const found: string[] = []
  const overflow = await sidewaysScroll(page)
  if (overflow.scroll > overflow.width) {
    found.push(
      `${path} scrolls sideways: ${overflow.scroll} > ${overflow.width} (${overflow.culprits.join('; ')})`,
    )
  }
  const banner = await page.evaluate(() =>
    [...document.querySelectorAll('.demo-banner')].map(
      (el) => el.closest('header, main, footer, nav, aside, [role="region"][aria-label]') !== null,
    ),
  )
  if (banner.length !== 1 || !banner[0]) found.push(`${path}: demo note outside a landmark`)
  const { violations } = axe
    ? await new AxeBuilder({ page })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
        .analyze()
    : { violations: [] }
  for (const v of violations) {
    found.push(`${path} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
  }
  // Said as soon as found: the whole walk takes minutes, and the next fix need not wait for it.
  for (const problem of found) console.warn(problem)
  return found
}

/**
 * Pages checked at once in a walk: the browser lays out and audits one page while the server
 * answers the next: 296 s for the file one page at a time, 165 s three at a time. The walks are
 * bound by two cores, so running the six views side by side as well made it slower (198 s).
 */
const pagesAtOnce = 3

/** `run` over `items`, at most `width` at a time; the results in the items' order. */
async function inTurns<T, R>(
  items: readonly T[],
  width: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const at = next++
      results[at] = await run(items[at]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker))
  return results
}

/** A fresh context for one check, closed after it. */
async function withContext<T>(
  options: BrowserContextOptions,
  run: (page: Page) => Promise<T>,
): Promise<T> {
  const context = await browser.newContext({
    baseURL: inject('siteUrl'),
    locale: 'zh-CN',
    ...options,
  })
  try {
    const { page, problems } = await watchedPage(context)
    const result = await run(page)
    // A missing page's 404 is its answer, not a failure.
    expect(problems.filter((p) => !p.includes('/no-such-page'))).toEqual([])
    return result
  } finally {
    await context.close()
  }
}

/** A context like `options` whose pages load without their own scripts (requests refused). */
async function contextWithoutScripts(options: BrowserContextOptions) {
  const context = await browser.newContext({
    ...options,
    baseURL: inject('siteUrl'),
    locale: 'zh-CN',
  })
  await context.route('**/*', (route) =>
    route.request().resourceType() === 'script' ? route.abort() : route.continue(),
  )
  return context
}

/** axe over the page as it is without its own scripts, in a contextWithoutScripts. */
async function axeWithoutPageScripts(context: BrowserContext, path: string) {
  const page = await context.newPage()
  try {
    await page.goto(path)
    const { violations } = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .analyze()
    return violations.map(
      (v) =>
        `${path} (scripts blocked) ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    )
  } finally {
    await page.close()
  }
}

/**
 * The walked paths that may look different with JavaScript off: those whose HTML has a script or
 * a <noscript> element, or all of them if a style asks whether scripting is on.
 */
async function scriptedPaths(): Promise<string[]> {
  const site = inject('siteUrl')
  const pages = await Promise.all(
    paths.map(async (path) => ({ path, html: await (await fetch(new URL(path, site))).text() })),
  )
  const sheets = new Set(
    pages.flatMap(({ html }) =>
      [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g)].map((m) => m[1]!),
    ),
  )
  // The site's own stylesheet is linked, so there is something to read.
  expect(sheets.size).toBeGreaterThan(0)
  const asksScripting = (css: string) => /@media[^{]*scripting/.test(css)
  if (pages.some(({ html }) => asksScripting(html))) return paths
  for (const sheet of sheets) {
    if (asksScripting(await (await fetch(new URL(sheet, site))).text())) return paths
  }
  return pages.filter(({ html }) => /<(no)?script\b/i.test(html)).map(({ path }) => path)
}

const phone = { viewport: { width: 360, height: 740 } }
const zoomed = { viewport: { width: 180, height: 370 }, deviceScaleFactor: 2 }

describe('the compact header (issue 23, item 5)', () => {
  test('on a phone the header and the demo note take at most 100 px, the menu opens without JavaScript', async () => {
    await withContext({ ...phone, javaScriptEnabled: false }, async (page) => {
      await page.goto('/enterprises/')
      const height = await page
        .locator('header.site-header')
        .evaluate((el) => el.getBoundingClientRect().height)
      expect(height).toBeLessThanOrEqual(100)
      expect(await page.locator('header.site-header .demo-banner').count()).toBe(1)
      const directory = page.locator('.menu').getByRole('link', { name: '诚信计量单位名录' })
      await expect.poll(() => directory.isVisible()).toBe(false)
      await page.getByText('菜单', { exact: true }).click()
      expect(await directory.isVisible()).toBe(true)
      expect(await directory.getAttribute('aria-current')).toBe('page')
      await page.locator('.menu').getByRole('link', { name: '进度查询' }).click()
      await page.waitForURL((url) => url.pathname === '/complaints/track')
    })
  })

  test('at 200 % zoom the plaque check answers within the first screen', async () => {
    await withContext({ ...zoomed, javaScriptEnabled: false }, async (page) => {
      await page.goto(`/verify/${activeUscc}`)
      const top = await page
        .locator('.plain-answer')
        .evaluate((el) => el.getBoundingClientRect().top)
      expect(top).toBeLessThan(370)
    })
  })

  test('the home page puts the complaint entry in the first phone screen, before the progress figure', async () => {
    await withContext({ ...phone, javaScriptEnabled: false }, async (page) => {
      await page.goto('/')
      const entry = page.getByRole('link', { name: '在线投诉举报' })
      const entryTop = await entry.evaluate((el) => el.getBoundingClientRect().bottom)
      const figureTop = await page
        .locator('.progress-figure')
        .evaluate((el) => el.getBoundingClientRect().top)
      expect(entryTop).toBeLessThanOrEqual(740)
      expect(entryTop).toBeLessThan(figureTop)
    })
  })

  test('at 200 % zoom the home page progress figure is not cut', async () => {
    await withContext({ ...zoomed, javaScriptEnabled: false }, async (page) => {
      await page.goto('/')
      const cut = await page.locator('.progress-figure .token').evaluateAll((els) =>
        els.map((el) => {
          const box = el.getBoundingClientRect()
          return box.right > window.innerWidth || el.getClientRects().length > 1
        }),
      )
      expect(cut).toEqual([false, false])
    })
  })
})

async function fontSize(page: Page, selector: string): Promise<number> {
  return page
    .locator(selector)
    .first()
    .evaluate((el) => parseFloat(getComputedStyle(el).fontSize))
}

describe('the 12345 contract on a zoomed phone (issue 23, acceptance 2)', () => {
  test('tables keep readable columns and code its lines, each scrolling in a box the keyboard reaches', async () => {
    await withContext({ ...zoomed, javaScriptEnabled: false }, async (page) => {
      await page.goto('/developers/12345')
      const { narrowest, rootFont, brokenLines, boxes } = await page.evaluate(() => ({
        narrowest: Math.min(
          ...[...document.querySelectorAll('.contract td')].map(
            (td) => td.getBoundingClientRect().width,
          ),
        ),
        rootFont: parseFloat(getComputedStyle(document.documentElement).fontSize),
        // A code line shown on more than one line: a signed body must be read as sent.
        brokenLines: [...document.querySelectorAll('.contract pre code')].filter((code) => {
          const range = document.createRange()
          range.selectNodeContents(code)
          const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)))
          return tops.size > code.textContent.split('\n').length
        }).length,
        boxes: [...document.querySelectorAll('.contract *')]
          .filter(
            (el) =>
              el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'auto',
          )
          .map((el) => ({
            tabIndex: el.getAttribute('tabindex'),
            role: el.getAttribute('role'),
            name: document.getElementById(el.getAttribute('aria-labelledby') ?? '')?.textContent,
          })),
      }))
      expect.soft(narrowest).toBeGreaterThanOrEqual(5 * rootFont)
      expect.soft(brokenLines).toBe(0)
      // Four tables and most code samples are wider than a zoomed phone.
      expect.soft(boxes.length).toBeGreaterThan(4)
      for (const box of boxes) {
        expect.soft({ tabIndex: box.tabIndex, role: box.role }).toEqual({
          tabIndex: '0',
          role: 'region',
        })
        expect.soft(box.name?.trim()).toBeTruthy()
      }
    })
  })
})

describe('关怀模式 (issue 23, acceptance 6)', () => {
  test('switched on without JavaScript, body text is 18 px on every page after, until switched off', async () => {
    await withContext({ ...phone, javaScriptEnabled: false }, async (page) => {
      // Hints are 16 px even outside care mode.
      await page.goto('/')
      expect(await fontSize(page, '.hint')).toBeGreaterThanOrEqual(16)
      await page.goto('/enterprises/county/331102/')
      expect(await fontSize(page, 'body')).toBe(16)
      await page.getByRole('button', { name: '关怀模式', exact: true }).click()
      // Back on the page it was switched on from.
      await page.waitForURL((url) => url.pathname === '/enterprises/county/331102/')
      expect(await fontSize(page, 'body')).toBeGreaterThanOrEqual(18)
      for (const path of ['/', `/enterprises/${activeUscc}/`, `/verify/${activeUscc}`, '/search']) {
        await page.goto(path)
        expect(await fontSize(page, 'body'), path).toBeGreaterThanOrEqual(18)
        expect(await fontSize(page, 'p'), path).toBeGreaterThanOrEqual(18)
        const smallest = await page.evaluate(() =>
          Math.min(
            ...[
              ...document.querySelectorAll(
                '.hint, .generated, .breadcrumbs, .site-footer p, .badge',
              ),
            ].map((el) => parseFloat(getComputedStyle(el).fontSize)),
          ),
        )
        expect(smallest, path).toBeGreaterThanOrEqual(16)
        const targets = await page
          .locator('header button:visible, header summary:visible, main button:visible')
          .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().height))
        expect(Math.min(...targets), path).toBeGreaterThanOrEqual(44)
      }
      await page.getByRole('button', { name: '退出关怀模式' }).click()
      await page.waitForURL((url) => url.pathname === '/search')
      expect(await fontSize(page, 'body')).toBe(16)
      await page.goto('/')
      expect(await fontSize(page, 'body')).toBe(16)
    })
  })

  test('the switch returns only to a page of this site', async () => {
    const res = await fetch(new URL('/care-mode', inject('siteUrl')), {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: inject('siteUrl'),
      },
      body: 'care=on&back=%2F%2Fevil.example%2F',
    })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/')
    expect(res.headers.get('set-cookie')).toMatch(/^care=1;/)
  })
})

describe('plain answers (issue 23, item 7)', () => {
  const answerOf = (page: Page) =>
    page.locator('.plain-answer-sentence').evaluate((el) => el.textContent.trim())
  const factLabels = (page: Page) => page.locator('.facts dt').allInnerTexts()
  const date = String.raw`\d{4}年\d{1,2}月\d{1,2}日`

  test('a certified business and its plaque check lead with "is certified, valid until"', async () => {
    await withContext(
      { viewport: { width: 320, height: 640 }, javaScriptEnabled: false },
      async (page) => {
        for (const path of [`/enterprises/${activeUscc}/`, `/verify/${activeUscc}`]) {
          await page.goto(path)
          expect(await answerOf(page), path).toMatch(
            new RegExp(`^是丽水市诚信计量单位，有效期至${date}$`),
          )
          expect(await factLabels(page), path).toContain('有效期至')
          // The code stays on one line on a 320 px phone.
          const code = page.locator('.facts dd.code')
          const lines = await code.evaluate((el) => {
            const range = document.createRange()
            range.selectNodeContents(el)
            return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size
          })
          expect(lines, path).toBe(1)
          expect(await code.innerText()).toBe(activeUscc)
          // The genuine plaque, and how to tell it.
          expect(await page.getByRole('heading', { name: '如何识别真牌匾' }).count(), path).toBe(1)
          const plaque = page.locator('.plaque-figure img')
          expect(
            await plaque.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
          ).toBe(true)
        }
      },
    )
  })

  test('a revoked business never shows its validity date as current', async () => {
    await withContext(
      { viewport: { width: 320, height: 640 }, javaScriptEnabled: false },
      async (page) => {
        for (const path of [`/enterprises/${revokedUscc}/`, `/verify/${revokedUscc}`]) {
          await page.goto(path)
          expect(await answerOf(page), path).toMatch(
            new RegExp(`^已撤销诚信计量单位认定（${date}）$`),
          )
          const labels = await factLabels(page)
          expect(labels, path).toContain('原有效期至')
          expect(labels, path).not.toContain('有效期至')
        }
      },
    )
  })

  test('a business that is not certified says so first', async () => {
    await withContext(
      { viewport: { width: 320, height: 640 }, javaScriptEnabled: false },
      async (page) => {
        for (const path of [`/enterprises/${demoStation.uscc}/`, `/verify/${demoStation.uscc}`]) {
          await page.goto(path)
          expect(await answerOf(page), path).toBe('未认定诚信计量单位')
        }
      },
    )
  })

  test('the plaque picture carries a QR code that opens this site’s check', async () => {
    const res = await fetch(new URL('/plaque.svg', inject('siteUrl')))
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/)
    const svg = await res.text()
    expect(svg).toContain('诚信计量单位')
    expect(svg).toContain('<path')
  })
})

describe('12345 is a number to tap (issue 23, item 8)', () => {
  test('every page that names 12345 links it to tel:12345', async () => {
    await withContext({ javaScriptEnabled: false }, async (page) => {
      for (const path of [
        '/',
        `/enterprises/${revokedUscc}/`,
        `/verify/${activeUscc}`,
        `/verify/${demoStation.uscc}`,
        '/notices/2026-05-12-world-metrology-day/',
        '/complaints/new',
        '/complaints/track',
        '/complaints/recover',
        '/complaints/privacy',
        '/no-such-page',
      ]) {
        await page.goto(path)
        const { bare, tel } = await page.evaluate(() => {
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
          const bare: string[] = []
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (
              /(?<!\d)12345(?!\d)/.test(node.textContent ?? '') &&
              !node.parentElement?.closest('a')
            ) {
              bare.push(node.textContent!.trim())
            }
          }
          return { bare, tel: document.querySelectorAll('a[href="tel:12345"]').length }
        })
        expect(bare, path).toEqual([])
        expect(tel, path).toBeGreaterThan(0)
      }
    })
  })
})

describe('every public page fits and passes axe (issue 23, acceptance 2)', () => {
  test('a page that scrolls sideways is reported with what sticks out', async () => {
    await withContext(zoomed, async (page) => {
      await page.setContent(`
        <style>
          body { margin: 0; position: relative }
          .arrow::after { content: '→'; display: inline-block; width: 400px }
        </style>
        <ol><li>本平台用 standardwebhooksstandardwebhooks 库签名</li></ol>
        <p class="arrow">下一步</p>
        <span class="badge" style="position: absolute; left: 150px; width: 100px">徽标</span>
        <div style="overflow-x: auto"><table class="wide"><tr><td style="min-width: 900px">宽表</td></tr></table></div>
      `)
      const { scroll, width, culprits } = await sidewaysScroll(page)
      expect(scroll).toBeGreaterThan(width)
      expect(culprits).toEqual([
        expect.stringMatching(/^text "本平台用 standardwebhooks.*" in li reaches \d+$/),
        'span.badge reaches 250',
        'p.arrow holds 400 px in 180',
      ])
    })
  })

  for (const [name, view] of Object.entries(views)) {
    for (const javaScriptEnabled of [true, false]) {
      test(`on ${name}, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, async () => {
        const context = await browser.newContext({
          ...view.options,
          baseURL: inject('siteUrl'),
          locale: 'zh-CN',
          javaScriptEnabled,
        })
        // axe runs on timers, which never fire with JavaScript off: the page as it is without
        // its scripts is checked in a context that blocks them instead.
        const withoutScripts =
          (view.axe ?? false) && !javaScriptEnabled
            ? await contextWithoutScripts(view.options)
            : undefined
        // A page without a script or <noscript> element, under stylesheets that never ask about
        // scripting, is the same page with JavaScript off: the walk with JavaScript on speaks for
        // it, and only the others are walked again.
        const walk = javaScriptEnabled ? paths : await scriptedPaths()
        try {
          const check = async (path: string) => {
            const { page } = await watchedPage(context)
            const res = await page.goto(path)
            expect(res?.status(), path).toBe(notFound.has(path) ? 404 : 200)
            const found = await problemsOf(page, path, {
              largeText: view.largeText ?? false,
              axe: (view.axe ?? false) && javaScriptEnabled,
            })
            await page.close()
            if (withoutScripts) found.push(...(await axeWithoutPageScripts(withoutScripts, path)))
            return found
          }
          // The search page's live search is one of them.
          expect(walk.length).toBeGreaterThan(0)
          expect((await inTurns(walk, pagesAtOnce, check)).flat()).toEqual([])
        } finally {
          await withoutScripts?.close()
          await context.close()
        }
      }, 900_000)
    }
  }
})
