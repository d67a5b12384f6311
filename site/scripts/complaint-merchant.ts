/**
 * Business suggestions for the complaint form's 商户名称: as the resident types, businesses of the
 * honest-metrology directory are offered in a listbox (WAI-ARIA combobox pattern, list
 * autocomplete); picking one fills the name and the credit code. Typing anything else is just as
 * valid: the directory is a help, not a constraint, and the server checks what is sent.
 */
import { linkedBusinessNote, statusLabels } from '../../api/domain/certification.ts'
import type { CertificationStatus } from '../../db/database.ts'

interface Suggestion {
  uscc: string
  name: string
  countyName: string
  sectorName: string
  status: CertificationStatus
}

const debounceMs = 250
const minLength = 2
const limit = 5

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string) {
  const node = document.createElement(tag)
  if (className) node.className = className
  return node
}

async function fetchSuggestions(q: string, signal: AbortSignal): Promise<Suggestion[]> {
  const params = new URLSearchParams({ q, pageSize: String(limit) })
  const response = await fetch(`/api/enterprises?${params.toString()}`, {
    signal,
    headers: { accept: 'application/json' },
  })
  if (!response.ok) throw new Error(`HTTP ${response.status}`)
  return ((await response.json()) as { items: Suggestion[] }).items
}

export function startMerchantSuggestions() {
  const wrapper = document.querySelector<HTMLElement>('#merchant-combobox')
  const input = document.querySelector<HTMLInputElement>('#complaint-merchantName')
  const uscc = document.querySelector<HTMLInputElement>('#complaint-merchantUscc')
  const linked = document.querySelector<HTMLElement>('#merchant-linked')
  const hint = document.querySelector<HTMLElement>('#complaint-merchantName-hint')
  if (!wrapper || !input || !uscc || !linked) return

  const listbox = element('ul', 'suggestions')
  listbox.id = 'merchant-suggestions'
  listbox.setAttribute('role', 'listbox')
  listbox.setAttribute('aria-label', '诚信计量单位名录中的单位')
  listbox.hidden = true
  // Announces how many suggestions there are; the list itself is not a live region.
  const count = element('p', 'visually-hidden')
  count.setAttribute('role', 'status')
  wrapper.append(listbox, count)

  input.setAttribute('role', 'combobox')
  input.setAttribute('aria-autocomplete', 'list')
  input.setAttribute('aria-expanded', 'false')
  input.setAttribute('aria-controls', listbox.id)
  hint?.append('输入两个字以上会列出名录中的单位，可用上下方向键选择、回车确认，也可照实填写。')

  let suggestions: Suggestion[] = []
  let active = -1
  let timer: ReturnType<typeof setTimeout> | undefined
  let inFlight: AbortController | undefined
  // A form opened from a business's page comes with that business linked (the server wrote the
  // note): changing the name unlinks it, as it unlinks one picked here.
  let picked: Pick<Suggestion, 'name' | 'uscc'> | undefined =
    linked.textContent.trim() && input.value && uscc.value
      ? { name: input.value, uscc: uscc.value }
      : undefined

  const options = () => [...listbox.querySelectorAll<HTMLElement>('[role="option"]')]

  const close = () => {
    listbox.hidden = true
    input.setAttribute('aria-expanded', 'false')
    input.removeAttribute('aria-activedescendant')
    active = -1
  }

  const highlight = (index: number) => {
    const all = options()
    if (all.length === 0) return
    active = (index + all.length) % all.length
    for (const [i, option] of all.entries())
      option.setAttribute('aria-selected', String(i === active))
    const current = all[active]!
    input.setAttribute('aria-activedescendant', current.id)
    current.scrollIntoView({ block: 'nearest' })
  }

  const pick = (suggestion: Suggestion) => {
    picked = suggestion
    input.value = suggestion.name
    uscc.value = suggestion.uscc
    linked.textContent = linkedBusinessNote(suggestion.name, suggestion.uscc)
    close()
    input.focus()
  }

  const render = () => {
    listbox.replaceChildren(
      ...suggestions.map((s, i) => {
        const option = element('li', 'suggestion')
        option.id = `merchant-option-${i}`
        option.setAttribute('role', 'option')
        option.setAttribute('aria-selected', 'false')
        const name = element('span', 'suggestion-name')
        name.textContent = s.name
        const meta = element('span', 'suggestion-meta')
        meta.textContent = `${s.countyName} · ${s.sectorName} · ${statusLabels[s.status]} · ${s.uscc}`
        option.append(name, meta)
        // mousedown would move focus away from the text box and close the list before the click.
        option.addEventListener('mousedown', (event) => event.preventDefault())
        option.addEventListener('click', () => pick(s))
        return option
      }),
    )
    active = -1
    input.removeAttribute('aria-activedescendant')
    const open = suggestions.length > 0
    listbox.hidden = !open
    input.setAttribute('aria-expanded', String(open))
    count.textContent = open
      ? `名录中有 ${suggestions.length} 个相符的单位，可用上下方向键选择。`
      : ''
  }

  const run = async (q: string) => {
    inFlight?.abort()
    const controller = new AbortController()
    inFlight = controller
    try {
      const found = await fetchSuggestions(q, controller.signal)
      if (controller.signal.aborted || input.value.trim() !== q) return
      suggestions = found
      render()
    } catch {
      // Suggestions are a help; without them the resident types the name, as without JavaScript.
      if (!controller.signal.aborted) close()
    }
  }

  input.addEventListener('input', () => {
    if (picked && input.value !== picked.name) {
      // The text no longer names the business picked: unlink it, and drop the code it filled in.
      if (uscc.value === picked.uscc) uscc.value = ''
      linked.textContent = ''
      picked = undefined
    }
    clearTimeout(timer)
    const q = input.value.trim()
    if (q.length < minLength) {
      inFlight?.abort()
      suggestions = []
      close()
      return
    }
    timer = setTimeout(() => void run(q), debounceMs)
  })

  input.addEventListener('keydown', (event) => {
    const open = !listbox.hidden
    switch (event.key) {
      case 'ArrowDown':
        if (suggestions.length === 0) return
        event.preventDefault()
        if (!open) {
          listbox.hidden = false
          input.setAttribute('aria-expanded', 'true')
        }
        highlight(active + 1)
        break
      case 'ArrowUp':
        if (!open) return
        event.preventDefault()
        highlight(active - 1)
        break
      case 'Enter':
        // Enter on a highlighted suggestion picks it instead of submitting the form.
        if (open && active >= 0) {
          event.preventDefault()
          pick(suggestions[active]!)
        }
        break
      case 'Escape':
        if (open) {
          event.preventDefault()
          close()
        }
        break
      default:
        break
    }
  })

  input.addEventListener('blur', close)
  uscc.addEventListener('input', () => {
    if (picked && uscc.value.trim().toUpperCase() !== picked.uscc) {
      linked.textContent = ''
      picked = undefined
    }
  })
}
