import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger, errorKind } from '../../api/logger.ts'

function capture() {
  const lines: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString())
      callback()
    },
  })
  return { logger: createLogger('info', sink), lines }
}

describe('logger', () => {
  it('redacts names, phone numbers and query codes wherever a careless call puts them', () => {
    const { logger, lines } = capture()
    logger.info({ name: '张三', phone: '13812345678', queryCode: 'K7P9-22QX' }, 'top level')
    logger.info({ body: { name: '李四', phone: '13987654321', queryCode: 'ZZ11' } }, 'nested')
    logger.info({ ticket: { contact_name: '王五', contact_phone: '13700001111' } }, 'hotline')
    const text = lines.join('\n')
    for (const secret of ['张三', '李四', '王五', '13812345678', '13987654321', '13700001111']) {
      expect(text).not.toContain(secret)
    }
    expect(text).not.toContain('K7P9-22QX')
    expect(text).toContain('[redacted]')
    expect(lines).toHaveLength(3)
  })

  it('says of an error raised over personal data its kind, never its message', () => {
    let parseError: unknown
    try {
      JSON.parse('李小梅 13800138000')
    } catch (error) {
      parseError = error
    }
    // The message quotes the text; the kind does not.
    expect(String(parseError)).toContain('13800138000')
    expect(errorKind(parseError)).toBe('SyntaxError')
    expect(errorKind('13800138000')).toBe('unknown')
  })
})
