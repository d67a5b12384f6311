/**
 * The complaint form with JavaScript on. Everything here is a help: the form posts and the server
 * answers the same without it. The script gives the form a submission token (so a repeated post
 * files one complaint), keeps a double click from sending twice, works out the shortfall as the
 * figures are typed, checks chosen photos against the limits, and offers directory businesses.
 */
import { unitLabels } from '../../api/domain/complaints.ts'
import { shortfallAmount } from '../../api/services/complaints/shortfall.ts'
import { quantityUnits, type QuantityUnit } from '../../db/database.ts'
import { startMerchantSuggestions } from './complaint-merchant.ts'
import { startOpenCases } from './complaint-open-cases.ts'

const maxPhotos = 3
const maxPhotoBytes = 5 * 1024 * 1024

/** randomUUID exists only in secure contexts (HTTPS, localhost); the fallback is as random. */
function newToken(): string {
  if (window.isSecureContext) return crypto.randomUUID()
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('')
}

function control<T extends HTMLElement>(id: string, type: new () => T): T | undefined {
  const node = document.getElementById(id)
  return node instanceof type ? node : undefined
}

function startToken(form: HTMLFormElement) {
  const token = form.elements.namedItem('idempotencyToken')
  // A form the server showed again already carries its token; keep it.
  if (token instanceof HTMLInputElement && !token.value) token.value = newToken()
}

function startSubmitGuard(form: HTMLFormElement) {
  const button = control('complaint-submit', HTMLButtonElement)
  const status = control('complaint-submit-status', HTMLElement)
  if (!button) return
  const label = button.textContent
  let submitting = false
  form.addEventListener('submit', (event) => {
    if (submitting) {
      event.preventDefault()
      return
    }
    submitting = true
    // The button has no name, so disabling it now takes nothing out of the posted form.
    button.disabled = true
    button.textContent = '正在提交…'
    if (status) status.textContent = '正在提交，请稍候，不要关闭页面。'
  })
  // Back from the receipt (the page restored from the back-forward cache): the form works again.
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted) return
    submitting = false
    button.disabled = false
    button.textContent = label
    if (status) status.textContent = ''
  })
}

/** A typed figure: undefined when blank, NaN when not a number a person would write. */
function figure(input: HTMLInputElement | undefined): number | undefined {
  const text = input?.value.trim() ?? ''
  if (text === '') return undefined
  const n = Number(text)
  return Number.isFinite(n) && n >= 0 ? n : Number.NaN
}

const isUnit = (value: string): value is QuantityUnit =>
  (quantityUnits as readonly string[]).includes(value)

/** "少了 0.2 斤，折合 ¥3.60", computed by the same function the server stores. */
function shortfallText(
  claimed: number | undefined,
  measured: number | undefined,
  unitPrice: number | undefined,
  unit: string,
): string {
  if (claimed === undefined || measured === undefined) return ''
  if ([claimed, measured, unitPrice].some((n) => Number.isNaN(n))) return '请填写数字，例如 0.8。'
  if (measured >= claimed) return '实际数量不少于标称数量，没有短缺；请核对两个数字。'
  const missing = Math.round((claimed - measured) * 1000) / 1000
  const unitLabel = isUnit(unit) ? ` ${unitLabels[unit]}` : ''
  const text = `少了 ${missing}${unitLabel}`
  if (unitPrice === undefined) return text
  const amount = shortfallAmount({
    claimedQuantity: claimed,
    measuredQuantity: measured,
    unitPrice,
  })
  return `${text}，折合 ¥${amount.toFixed(2)}`
}

function startShortfall() {
  const claimed = control('complaint-claimedQuantity', HTMLInputElement)
  const measured = control('complaint-measuredQuantity', HTMLInputElement)
  const price = control('complaint-unitPrice', HTMLInputElement)
  const unit = control('complaint-unit', HTMLSelectElement)
  const output = control('complaint-shortfall', HTMLOutputElement)
  const priceLabel = document.querySelector<HTMLLabelElement>('label[for="complaint-unitPrice"]')
  if (!claimed || !measured || !price || !unit || !output) return

  let timer: ReturnType<typeof setTimeout> | undefined
  const update = () => {
    output.value = shortfallText(figure(claimed), figure(measured), figure(price), unit.value)
    if (priceLabel) {
      priceLabel.textContent = isUnit(unit.value)
        ? `单价（元/${unitLabels[unit.value]}）`
        : '单价（元/单位）'
    }
  }
  // A short pause, so the live region speaks the result rather than every keystroke.
  const schedule = () => {
    clearTimeout(timer)
    timer = setTimeout(update, 300)
  }
  for (const input of [claimed, measured, price]) input.addEventListener('input', schedule)
  unit.addEventListener('change', update)
  update()
}

function startPhotoCheck() {
  const input = control('complaint-photos', HTMLInputElement)
  const note = control('complaint-photos-check', HTMLElement)
  if (!input || !note) return
  input.addEventListener('change', () => {
    const files = [...(input.files ?? [])]
    const big = files.find((f) => f.size > maxPhotoBytes)
    note.classList.toggle('field-warning', files.length > maxPhotos || big !== undefined)
    note.textContent =
      files.length > maxPhotos
        ? `选了 ${files.length} 张，最多 ${maxPhotos} 张，请重新选择。`
        : big
          ? `照片“${big.name}”超过 5 MB，请压缩后再选。`
          : files.length > 0
            ? `已选 ${files.length} 张照片。`
            : ''
  })
}

/** A link in the error summary moves focus to its field and shows the field's label or legend. */
function startErrorSummary() {
  const summary = document.getElementById('error-summary')
  summary?.addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a') : null
    const id = link?.hash.slice(1)
    const target = id ? document.getElementById(id) : null
    if (!id || !(target instanceof HTMLElement)) return
    event.preventDefault()
    const caption =
      target.closest('fieldset.choice-group')?.querySelector('legend') ??
      document.querySelector(`label[for="${CSS.escape(id)}"]`)
    ;(caption ?? target).scrollIntoView({ block: 'start' })
    target.focus({ preventScroll: true })
  })
}

function start() {
  const form = document.getElementById('complaint-form')
  if (!(form instanceof HTMLFormElement)) return
  startToken(form)
  startSubmitGuard(form)
  startShortfall()
  startPhotoCheck()
  startErrorSummary()
  startMerchantSuggestions()
  startOpenCases()
}

start()
