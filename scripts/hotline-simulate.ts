import { parseArgs } from 'node:util'
import { countyCodes } from '../api/domain/counties.ts'
import { ticketNoSchema } from '../api/services/hotline/events.ts'
import { loadConfigOrExit } from './cli.ts'
import {
  newTicketNo,
  singleEventNames,
  type HotlineCounty,
  type SingleEventName,
} from './hotline/events.ts'
import { describeCallback, startCallbackReceiver } from './hotline/receiver.ts'
import { simulatorSecrets } from './hotline/secrets.ts'
import { simulateSequence } from './hotline/send.ts'

/**
 * `npm run hotline:simulate`: plays the 12345 hotline against a running instance (signed events,
 * retries, one out of order, a forged and a malformed one) and checks every answer against the
 * contract; with `--listen PORT` it also receives and verifies the instance's callbacks. Exit
 * codes: 0 every answer as the contract says, 1 an unexpected answer or no instance, 2 bad
 * options or no secrets, 78 bad configuration.
 */
const usage = [
  '用法 usage: npm run hotline:simulate -- [选项]',
  '  --url 地址          实例地址 (instance)，默认 http://127.0.0.1:$PORT（4321）',
  '  --ticket 工单编号    默认每次生成新编号，如 LS12345-20261126-004217',
  '  --county 区县代码    事发区域 area_code，默认 331102（莲都区）',
  `  --only 事件          只发送一个事件：${Object.keys(singleEventNames).join(' | ')}；none 表示只接收回调`,
  '  --listen 端口        同时启动回调接收器，验证并打印收到的每个回调，按 Ctrl-C 结束',
  '例如 e.g.: npm run hotline:simulate -- --only dispatch --county 331121',
].join('\n')

const err = (text: string) => process.stderr.write(`${text}\n`)
const out = (text: string) => process.stdout.write(`${text}\n`)

interface Options {
  url: string
  ticketNo: string
  county: HotlineCounty
  only: SingleEventName | 'none' | undefined
  listen: number | undefined
}

/** The options, or what is wrong with them (in Chinese, for the vendor's engineer). */
function readOptions(defaultUrl: string): Options | string {
  let values
  try {
    values = parseArgs({
      args: process.argv.slice(2),
      options: {
        url: { type: 'string' },
        ticket: { type: 'string' },
        county: { type: 'string' },
        only: { type: 'string' },
        listen: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (error) {
    return `选项有误 (bad option)：${error instanceof Error ? error.message : String(error)}`
  }
  if (values.help) return ''
  const url = values.url ?? defaultUrl
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    return `--url 应为 http(s) 地址，如 http://127.0.0.1:4321，而不是 ${url}`
  }
  const ticketNo = values.ticket ?? newTicketNo(new Date())
  if (!ticketNoSchema.safeParse(ticketNo).success) {
    return '--ticket 只能由字母、数字和“-”组成，最长 64 位。'
  }
  const county = values.county ?? '331102'
  if (!(countyCodes as readonly string[]).includes(county)) {
    return `--county 应为丽水九个区县的代码之一：${countyCodes.join('、')}`
  }
  const only = values.only
  if (only !== undefined && only !== 'none' && !(only in singleEventNames)) {
    return `--only 应为 ${Object.keys(singleEventNames).join('、')} 或 none`
  }
  const listen = values.listen === undefined ? undefined : Number(values.listen)
  if (listen !== undefined && !(Number.isInteger(listen) && listen > 0 && listen < 65536)) {
    return '--listen 应为端口号，如 4400'
  }
  if (only === 'none' && listen === undefined) return '--only none 需要与 --listen 一起使用。'
  return {
    url,
    ticketNo,
    county: county as HotlineCounty,
    only: only as SingleEventName | 'none' | undefined,
    listen,
  }
}

async function main(): Promise<number> {
  const config = loadConfigOrExit()
  const options = readOptions(`http://127.0.0.1:${config.PORT}`)
  if (typeof options === 'string') {
    if (!options) {
      out(usage)
      return 0
    }
    err(`${options}\n\n${usage}`)
    return 2
  }
  let secrets
  try {
    secrets = simulatorSecrets(config)
  } catch (error) {
    err(error instanceof Error ? error.message : String(error))
    return 2
  }
  out(`密钥来自 (secrets from)：${secrets.source}`)

  const receiver =
    options.listen === undefined
      ? undefined
      : await startCallbackReceiver({
          port: options.listen,
          secret: secrets.callbackSecret,
          onCallback: (callback) => out(describeCallback(callback)),
        })
  if (receiver) {
    out(`回调接收器已启动 (callback receiver)：${receiver.url}`)
    out(`  请以 HOTLINE_CALLBACK_URL=${receiver.url} 启动 npm start，回调才会发到这里。`)
  }

  let ok = true
  if (options.only !== 'none') {
    out(`工单 ticket ${options.ticketNo}（区县 ${options.county}）→ ${options.url}`)
    const result = await simulateSequence({
      url: options.url,
      secret: secrets.webhookSecret,
      ticketNo: options.ticketNo,
      county: options.county,
      now: new Date(),
      only: options.only,
      log: out,
    })
    ok = result.ok
    const failed = result.results.filter((r) => r.problem).length
    out(
      ok
        ? `全部 ${result.results.length} 个应答符合契约 (all answers as expected)。案件可在后台 ${new URL('/admin/cases', options.url).href} 查看。`
        : `有 ${failed} 个应答不符合契约 (unexpected answers)。`,
    )
  }
  if (!receiver) return ok ? 0 : 1

  out('正在等待回调，按 Ctrl-C 结束 (waiting for callbacks, Ctrl-C to stop)…')
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await receiver.close()
  const invalid = receiver.received.filter((c) => !c.valid).length
  out(`共收到 ${receiver.received.length} 个回调，签名无效 ${invalid} 个。`)
  return ok && invalid === 0 ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    err(`模拟器出错 (simulator failed)：${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  },
)
