import type { APIRoute } from 'astro'

// A plain mark (a balance scale's beam on the brand blue), so browsers stop asking for
// /favicon.ico and logging a 404 on every first visit.
const icon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="6" fill="#0b4f8a"/>
<path d="M16 6v20M8 10h16M8 10l-4 8h8zM24 10l-4 8h8zM11 26h10" stroke="#fff" stroke-width="2" fill="none" stroke-linejoin="round"/>
</svg>
`

export const GET: APIRoute = () =>
  new Response(icon, { headers: { 'Content-Type': 'image/svg+xml; charset=utf-8' } })
