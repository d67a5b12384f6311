import { describe, expect, it } from 'vitest'
import { parseImportArgs } from '../../scripts/import/args.ts'
import { createProgress } from '../../scripts/import/progress.ts'

describe('import:enterprises arguments', () => {
  it('takes one file and an optional --dry-run, in any order', () => {
    expect(parseImportArgs(['--dry-run', '名单.xlsx'])).toEqual({
      kind: 'run',
      file: '名单.xlsx',
      dryRun: true,
    })
    expect(parseImportArgs(['--', '名单.csv'])).toEqual({
      kind: 'run',
      file: '名单.csv',
      dryRun: false,
    })
  })

  it('says in Chinese what is wrong with the arguments', () => {
    expect(parseImportArgs([])).toMatchObject({ kind: 'wrong', message: '缺少名单文件。' })
    expect(parseImportArgs(['a.csv', 'b.csv'])).toMatchObject({ kind: 'wrong' })
    expect(parseImportArgs(['--dryrun', 'a.csv'])).toMatchObject({
      kind: 'wrong',
      message: '不认识的选项：--dryrun',
    })
    expect(parseImportArgs(['-h'])).toEqual({ kind: 'help' })
  })
})

describe('the progress display', () => {
  const capture = (isTTY: boolean) => {
    const written: string[] = []
    return { written, stream: { isTTY, write: (text: string) => written.push(text) } }
  }

  it('prints a line at every tenth when stderr is not a terminal', () => {
    const { written, stream } = capture(false)
    const progress = createProgress(stream, 1000)
    for (let done = 0; done <= 2000; done += 50) progress.update('写入', done, 2000)
    expect(written).toHaveLength(11)
    expect(written[5]).toBe('写入 50% 1,000/2,000\n')
  })

  it('redraws one line in place on a terminal', () => {
    const { written, stream } = capture(true)
    const progress = createProgress(stream, 1000)
    progress.update('检查', 500, 1000)
    progress.end()
    expect(written[0]).toBe(`\r\x1b[2K检查 ${'█'.repeat(15)}${'░'.repeat(15)} 50% 500/1,000`)
    expect(written[1]).toBe('\n')
  })

  it('shows nothing for a short list', () => {
    const { written, stream } = capture(false)
    createProgress(stream, 1000).update('检查', 10, 10)
    expect(written).toEqual([])
  })
})
