/**
 * The steps of the complaint form with JavaScript on. Everything here is a help: each step posts
 * and the server answers the same without it. Photos larger than a phone needs to send are made
 * smaller in the browser before upload (issue 23), so a 12-megapixel photo of 6–10 MB goes
 * through; a double click sends a step once.
 */

/** The server's limit on each photo as uploaded (api/photos/accept.ts). */
const maxPhotoBytes = 5 * 1024 * 1024
/** Longest side after resizing: still sharp enough to read a scale's display or a receipt. */
const longestSide = 2560
const jpegQuality = 0.85

/** A JPEG of `file` whose longest side is at most `longestSide`, or undefined if not decodable. */
async function shrink(file: File): Promise<File | undefined> {
  let bitmap: ImageBitmap
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' })
  } catch {
    // HEIC and other types this browser cannot draw go as they are; the server checks them.
    return undefined
  }
  const scale = Math.min(1, longestSide / Math.max(bitmap.width, bitmap.height))
  const canvas = document.createElement('canvas')
  canvas.width = Math.max(1, Math.round(bitmap.width * scale))
  canvas.height = Math.max(1, Math.round(bitmap.height * scale))
  const context = canvas.getContext('2d')
  if (!context) return undefined
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
  bitmap.close()
  const blob = await new Promise<Blob | null>((resolve) =>
    canvas.toBlob(resolve, 'image/jpeg', jpegQuality),
  )
  if (!blob) return undefined
  const name = file.name.replace(/\.[^.]*$/, '') + '.jpg'
  return new File([blob], name, { type: 'image/jpeg', lastModified: file.lastModified })
}

/** Whether a photo needs resizing: over the size limit, or larger than ever needed. */
async function tooBig(file: File): Promise<boolean> {
  if (file.size > maxPhotoBytes) return true
  try {
    const bitmap = await createImageBitmap(file)
    const big = Math.max(bitmap.width, bitmap.height) > longestSide
    bitmap.close()
    return big
  } catch {
    return false
  }
}

function startPhotoResize(form: HTMLFormElement) {
  const input = form.querySelector<HTMLInputElement>('input[type="file"][name="photos"]')
  const status = document.getElementById('complaint-photos-check')
  const button = document.getElementById('complaint-step-continue')
  if (!input) return
  let pending: Promise<void> = Promise.resolve()
  input.addEventListener('change', () => {
    const chosen = Array.from(input.files ?? [])
    if (chosen.length === 0) return
    input.dataset.ready = 'false'
    if (button instanceof HTMLButtonElement) button.disabled = true
    if (status) status.textContent = '正在处理照片，请稍候…'
    pending = (async () => {
      const ready = new DataTransfer()
      let resized = 0
      for (const file of chosen) {
        const smaller = (await tooBig(file)) ? await shrink(file) : undefined
        if (smaller) resized++
        ready.items.add(smaller ?? file)
      }
      input.files = ready.files
      if (status) {
        status.textContent =
          resized > 0 ? `已把 ${resized} 张较大的照片缩小，可以上传。` : '照片已选好，可以上传。'
      }
      input.dataset.ready = 'true'
    })().finally(() => {
      if (button instanceof HTMLButtonElement) button.disabled = false
    })
  })
  form.addEventListener('submit', (event) => {
    if (input.dataset.ready === 'true' || (input.files?.length ?? 0) === 0) return
    // Still resizing: send once it is done.
    event.preventDefault()
    void pending.then(() => form.requestSubmit())
  })
}

function startSubmitGuard(form: HTMLFormElement) {
  let submitting = false
  form.addEventListener('submit', (event) => {
    if (event.defaultPrevented) return
    if (submitting) event.preventDefault()
    submitting = true
  })
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) submitting = false
  })
}

for (const form of document.querySelectorAll<HTMLFormElement>('form.complaint-step')) {
  startPhotoResize(form)
  startSubmitGuard(form)
}
