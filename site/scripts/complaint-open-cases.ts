/**
 * 同一单位的其他投诉举报 (issue 25): once the one-page form names a business (its credit code, or
 * its name, address and county), the status region under the address says how many cases naming
 * it are being handled. A help: without it the form and the server work the same.
 */
const debounceMs = 600

export function startOpenCases() {
  const region = document.getElementById('merchant-open-cases')
  const form = region?.closest('form')
  if (!region || !form) return
  const fields = ['merchantName', 'merchantUscc', 'county', 'address'] as const
  let timer: ReturnType<typeof setTimeout> | undefined
  let inFlight: AbortController | undefined
  let asked = ''

  const ask = async () => {
    const data = new FormData(form)
    const params = new URLSearchParams()
    for (const field of fields) {
      const value = data.get(field)
      if (typeof value === 'string' && value.trim()) params.set(field, value.trim())
    }
    const query = params.toString()
    if (query === asked) return
    asked = query
    inFlight?.abort()
    const controller = new AbortController()
    inFlight = controller
    try {
      const response = await fetch(`/api/complaints/open-cases?${query}`, {
        signal: controller.signal,
        headers: { accept: 'application/json' },
      })
      if (!response.ok) return
      const { message } = (await response.json()) as { message: string | null }
      if (controller.signal.aborted) return
      if (!message) {
        region.replaceChildren()
        return
      }
      const note = document.createElement('p')
      note.className = 'complaint-panel'
      note.textContent = message
      region.replaceChildren(note)
    } catch {
      // Nothing is said rather than something wrong.
    }
  }

  for (const field of fields) {
    const control = form.elements.namedItem(field)
    if (!(control instanceof HTMLInputElement || control instanceof HTMLSelectElement)) continue
    control.addEventListener('change', () => {
      clearTimeout(timer)
      timer = setTimeout(() => void ask(), debounceMs)
    })
  }
}
