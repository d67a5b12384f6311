/**
 * 短缺金额: what a short weight cost the buyer, (claimed − measured) × unit price, in yuan with
 * two decimals. Computed on integers (thousandths of a unit, fen) so no cent is lost to floating
 * point; the page's script and the API use this one function.
 */
export function shortfallAmount(figures: {
  claimedQuantity: number
  measuredQuantity: number
  unitPrice: number
}): number {
  const claimed = Math.round(figures.claimedQuantity * 1000)
  const measured = Math.round(figures.measuredQuantity * 1000)
  const priceFen = Math.round(figures.unitPrice * 100)
  const missing = Math.max(0, claimed - measured)
  // thousandths × fen / 1000 = fen, rounded half up.
  const fen = Math.round((missing * priceFen) / 1000)
  return fen / 100
}
