import type { APIRoute } from 'astro'
import QRCode from 'qrcode'
import { serviceContext } from '../lib/services.ts'
import { verifyPath } from '../lib/verify-page.ts'

/**
 * The genuine plaque's layout, as residents see it at a counter: title, the business's name and
 * code, its validity, the QR code that opens this site's live check, and the issuing bureau. The
 * business is made up (示例); its code only shows where the real one goes. The QR code is drawn
 * as the console prints it (site/lib/admin/plaque.ts): error correction M, four-module margin.
 */
const sampleName = '示例农贸市场经营户'
const sampleCode = '91331102MA2A00000X'

async function plaqueSvg(): Promise<string> {
  const address = new URL(verifyPath(sampleCode), serviceContext().config.SITE_URL).toString()
  const qr = await QRCode.toString(address, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 })
  const qrInner = qr.replace(/^<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '')
  const qrViewBox = /viewBox="([^"]+)"/.exec(qr)?.[1] ?? '0 0 33 33'
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 220" role="img">
<title>诚信计量单位牌匾（示例）</title>
<rect x="2" y="2" width="316" height="216" rx="10" fill="#fffdf5" stroke="#0b4f8a" stroke-width="4"/>
<rect x="10" y="10" width="300" height="200" rx="6" fill="none" stroke="#c8a13a" stroke-width="1.5"/>
<rect x="10" y="10" width="300" height="44" rx="6" fill="#0b4f8a"/>
<text x="160" y="41" text-anchor="middle" font-family="sans-serif" font-size="24" font-weight="700" fill="#fff" letter-spacing="4">诚信计量单位</text>
<text x="24" y="84" font-family="sans-serif" font-size="15" font-weight="700" fill="#1b1f24">${sampleName}</text>
<text x="24" y="110" font-family="sans-serif" font-size="11" fill="#1b1f24">统一社会信用代码</text>
<text x="24" y="126" font-family="monospace" font-size="12" fill="#1b1f24">${sampleCode}</text>
<text x="24" y="150" font-family="sans-serif" font-size="11" fill="#1b1f24">有效期至 2027年12月31日</text>
<text x="24" y="180" font-family="sans-serif" font-size="11" fill="#1b1f24">丽水市市场监督管理局</text>
<text x="24" y="196" font-family="sans-serif" font-size="10" fill="#4a5360">扫码核验 · 以实时核验结果为准</text>
<svg x="206" y="92" width="96" height="96" viewBox="${qrViewBox}">${qrInner}</svg>
<text x="254" y="202" text-anchor="middle" font-family="sans-serif" font-size="9" fill="#4a5360">扫码实时核验</text>
</svg>
`
}

export const GET: APIRoute = async () =>
  new Response(await plaqueSvg(), {
    headers: { 'Content-Type': 'image/svg+xml; charset=utf-8' },
  })
