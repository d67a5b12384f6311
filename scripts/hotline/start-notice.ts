import type { DevHotlineSecrets } from '../../api/hotline/keys.ts'

/** The vendor page that documents the contract (site/pages/developers/12345.astro). */
const hotlineDocsPath = '/developers/12345'

/**
 * What `npm start` prints, once, when it has just generated the development secrets of the 12345
 * hotline (DESIGN.md section 5): both secrets, where they are kept and how to try the simulator.
 * Plain text for the person at the terminal, not a log line: logs never carry secrets.
 */
export function devHotlineSecretsNotice(secrets: DevHotlineSecrets, siteUrl: string): string {
  const rule = '─'.repeat(72)
  return [
    rule,
    `12345 热线对接：已生成开发用密钥（仅在生成时显示这一次，保存在 ${secrets.file}）`,
    `  HOTLINE_WEBHOOK_SECRET=${secrets.webhookSecret}`,
    '    热线推送事件时用它签名 (the hotline signs its events with it)',
    `  HOTLINE_CALLBACK_SECRET=${secrets.callbackSecret}`,
    '    本平台回调热线时用它签名 (we sign our callbacks with it)',
    '  模拟热线推送工单：在另一个终端运行 npm run hotline:simulate（会自动读取上面的文件）',
    `  对接说明 (contract)：${new URL(hotlineDocsPath, siteUrl).href}`,
    '  生产环境请设置 HOTLINE_WEBHOOK_SECRET 和 HOTLINE_CALLBACK_SECRET。',
    rule,
    '',
  ].join('\n')
}
