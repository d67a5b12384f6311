// The JavaScript a reader can paste into a browser's console (or run with Node) to re-run a
// published draw's choice of businesses. It must give what api/domain/draw.ts gives:
// test/unit/draw-snippet.test.ts runs it against runDraw.

export const redrawSnippet = `// 按公示的种子、抽取范围、权重和抽取数重新抽取，返回抽中单位的统一社会信用代码（按抽中顺序）
async function redraw(seed, pool, weights, drawSize) {
  // 1. 种子的 UTF-8 字节做 SHA-256，取前 16 字节作为 4 个小端 32 位整数
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(seed))
  const view = new DataView(digest)
  let [a, b, c, d] = [0, 4, 8, 12].map((i) => view.getUint32(i, true))
  // 2. xoshiro128** 随机数发生器，每次给出 0 到 1 之间（不含两端）的数
  const rotl = (x, k) => (x << k) | (x >>> (32 - k))
  const random = () => {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0
    const t = b << 9
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11)
    return (r + 0.5) / 4294967296
  }
  // 3. 抽取范围按统一社会信用代码排序，依次为每家单位取一个随机数 u，键值 = ln(u) ÷ 权重
  const sorted = [...pool].sort((x, y) => (x.uscc < y.uscc ? -1 : x.uscc > y.uscc ? 1 : 0))
  const keyed = sorted.map((p, i) => ({ uscc: p.uscc, i, key: Math.log(random()) / weights[p.grade] }))
  // 4. 键值最大的 drawSize 家依次抽中（键值相同时排序在前者优先）
  keyed.sort((x, y) => y.key - x.key || x.i - y.i)
  return keyed.slice(0, drawSize).map((k) => k.uscc)
}

// 用法：把 ID 换成专项检查编号
const data = await (await fetch('/api/inspections/ID')).json()
console.log(await redraw(data.draw.seed, data.draw.pool, data.draw.weights, data.draw.drawSize))
`
