import QRCode from 'qrcode'
import { serviceContext } from '../services.ts'
import { verifyPath } from '../verify-page.ts'

/** The address printed in a plaque's QR code: the public site's, whatever host made the code. */
const plaqueAddress = (siteUrl: string, uscc: string) =>
  new URL(verifyPath(uscc), siteUrl).toString()

/**
 * A plaque's QR code as SVG: error correction M (a scuffed or partly covered code still reads)
 * and the standard quiet zone of four modules, black on white for any printer.
 */
function plaqueQrSvg(address: string): Promise<string> {
  return QRCode.toString(address, {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 4,
    color: { dark: '#000000', light: '#ffffff' },
  })
}

/**
 * What the console offers for printing a business's plaque: the address, its QR code, and the
 * code as a file to download (SVG, which scales to any plaque without blurring).
 */
export async function plaqueFor(uscc: string) {
  const address = plaqueAddress(serviceContext().config.SITE_URL, uscc)
  const svg = await plaqueQrSvg(address)
  return {
    address,
    svg,
    download: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`,
    fileName: `诚信计量牌匾二维码-${uscc}.svg`,
  }
}
