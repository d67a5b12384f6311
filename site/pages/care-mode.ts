import type { APIRoute } from 'astro'
import { careCookie, careCookieOptions, careReturnPath } from '../lib/care-mode.ts'

export const prerender = false

/** The 关怀模式 switch: a plain form post, so it works without JavaScript, then back to the page. */
export const POST: APIRoute = async ({ request, cookies, redirect }) => {
  const form = await request.formData().catch(() => new FormData())
  if (form.get('care') === 'on') cookies.set(careCookie, '1', careCookieOptions)
  else cookies.delete(careCookie, { path: careCookieOptions.path })
  return redirect(careReturnPath(form.get('back')), 303)
}
