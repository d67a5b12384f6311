import { readFileSync } from 'node:fs'
import type { Config } from '../../api/config.ts'
import { devHotlineSecretsFile } from '../../api/hotline/keys.ts'

export interface SimulatorSecrets {
  /** Signs the events we send, as the hotline would (the instance's HOTLINE_WEBHOOK_SECRET). */
  webhookSecret: string
  /** Verifies the callbacks the instance sends (its HOTLINE_CALLBACK_SECRET). */
  callbackSecret: string
  /** Where they came from, for the console. */
  source: string
}

/**
 * The secrets of the instance being simulated against: HOTLINE_WEBHOOK_SECRET and
 * HOTLINE_CALLBACK_SECRET when set, else the development file `npm start` writes under DATA_DIR.
 * The file is only read, never made: without it there is no instance that knows these secrets.
 * While the webhook secret is being rotated (several, space-separated) the instance accepts any
 * of them; the first signs.
 */
export function simulatorSecrets(config: Config): SimulatorSecrets {
  const fromEnv = {
    webhook: config.HOTLINE_WEBHOOK_SECRET?.trim().split(/\s+/)[0],
    callback: config.HOTLINE_CALLBACK_SECRET?.trim(),
  }
  if (fromEnv.webhook && fromEnv.callback) {
    return { webhookSecret: fromEnv.webhook, callbackSecret: fromEnv.callback, source: '环境变量' }
  }
  const file = devHotlineSecretsFile(config.DATA_DIR)
  let stored: { webhookSecret?: unknown; callbackSecret?: unknown }
  try {
    stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored
  } catch (error) {
    throw new Error(
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? `找不到密钥：未设置 HOTLINE_WEBHOOK_SECRET / HOTLINE_CALLBACK_SECRET，${file} 也不存在。请先运行一次 npm start（会生成并打印密钥），或设置这两个环境变量。`
        : `无法读取 ${file}：${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    )
  }
  if (typeof stored.webhookSecret !== 'string' || typeof stored.callbackSecret !== 'string') {
    throw new Error(`${file} 中缺少 webhookSecret 或 callbackSecret。`)
  }
  return {
    webhookSecret: fromEnv.webhook ?? stored.webhookSecret,
    callbackSecret: fromEnv.callback ?? stored.callbackSecret,
    source: fromEnv.webhook || fromEnv.callback ? `环境变量和 ${file}` : file,
  }
}
