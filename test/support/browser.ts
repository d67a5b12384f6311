import { existsSync } from 'node:fs'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { inject } from 'vitest'
import { chromiumPath, installCommand } from './browser-setup.ts'

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `浏览器测试需要 Debian 的 Chromium，但 ${chromiumPath} 不存在。请运行：${installCommand}`,
    )
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}

export interface Session {
  browser: Browser
  baseUrl: string
  /** A visitor with JavaScript on. */
  withJs: BrowserContext
  /** A visitor with JavaScript off: every page must still work. */
  withoutJs: BrowserContext
  close: () => Promise<void>
}

/** One browser per test file, with a context for JavaScript on and one for JavaScript off. */
export async function openSession(
  viewport: { width: number; height: number } = { width: 1280, height: 900 },
): Promise<Session> {
  const browser = await launchBrowser()
  const baseUrl = inject('siteUrl')
  const options = { baseURL: baseUrl, locale: 'zh-CN', viewport }
  const withJs = await browser.newContext(options)
  const withoutJs = await browser.newContext({ ...options, javaScriptEnabled: false })
  return {
    browser,
    baseUrl,
    withJs,
    withoutJs,
    close: async () => {
      await withJs.close()
      await withoutJs.close()
      await browser.close()
    },
  }
}

export interface WatchedPage {
  page: Page
  /** Console errors (CSP violations among them), failed loads and uncaught exceptions. */
  problems: string[]
}

/**
 * A page that records what a visitor would never see but a tester must: console errors, which
 * is where Chromium reports Content-Security-Policy violations, and uncaught script errors.
 */
export async function watchedPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage()
  const problems: string[] = []
  // One line per distinct problem: a blocked style on every table cell is still one problem.
  const report = (problem: string) => {
    if (!problems.includes(problem)) problems.push(problem)
  }
  page.on('console', (message) => {
    const text = message.text()
    if (message.type() === 'error' || /Content Security Policy/i.test(text)) {
      report(`console ${message.type()} on ${page.url()}: ${text}`)
    }
  })
  page.on('pageerror', (error) => report(`page error on ${page.url()}: ${error.message}`))
  page.on('response', (response) => {
    if (response.status() >= 400 && response.url().startsWith(inject('siteUrl'))) {
      report(`HTTP ${response.status()} for ${response.url()}`)
    }
  })
  return { page, problems }
}

/** The visible text of every element matching `selector`, whitespace collapsed. */
export async function textsOf(page: Page, selector: string): Promise<string[]> {
  const texts = await page.locator(selector).allInnerTexts()
  return texts.map((t) => t.replace(/\s+/g, ' ').trim())
}
