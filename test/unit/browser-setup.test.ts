import { describe, expect, it } from 'vitest'
import {
  BrowserSetupError,
  chromiumPath,
  ensureBrowser,
  notoCjkFile,
  type BrowserMachine,
  type CommandResult,
} from '../support/browser-setup.ts'

interface FakeMachine extends BrowserMachine {
  commands: string[]
  lines: string[]
}

/**
 * A Debian machine in memory: which files exist, whether fontconfig lists a Chinese font, and
 * what apt-get does. Installing puts the browser and the fonts in place unless told to fail.
 */
function machine(options: {
  chromium: boolean
  cjkFont: boolean
  isRoot: boolean
  apt?: boolean
  aptFails?: 'update' | 'install'
  installDoesNothing?: boolean
  /** fontconfig's command-line tools are not installed (only the library Chromium needs). */
  noFcList?: boolean
}): FakeMachine {
  const state = { chromium: options.chromium, cjkFont: options.cjkFont }
  const commands: string[] = []
  const lines: string[] = []
  const ok = (stdout = ''): CommandResult => ({ code: 0, stdout })
  return {
    commands,
    lines,
    isRoot: options.isRoot,
    exists: (file) =>
      file === chromiumPath
        ? state.chromium
        : file === notoCjkFile
          ? state.cjkFont
          : file === '/usr/bin/apt-get' && options.apt !== false,
    log: (line) => lines.push(line),
    run: (command, args) => {
      const line = [command, ...args].join(' ')
      commands.push(line)
      if (command === 'fc-list') {
        if (options.noFcList) return Promise.resolve({ code: 127, stdout: '' })
        return Promise.resolve(state.cjkFont ? ok('Noto Sans CJK SC\n') : ok(''))
      }
      const step = args.includes('update') ? 'update' : 'install'
      if (options.aptFails === step) return Promise.resolve({ code: 100, stdout: '' })
      if (step === 'install' && !options.installDoesNothing) {
        state.chromium = true
        state.cjkFont = true
      }
      return Promise.resolve(ok())
    },
  }
}

const aptCommands = (m: FakeMachine) => m.commands.filter((c) => c.startsWith('apt-get'))

const failure = async (m: FakeMachine) => {
  const error = await ensureBrowser(m).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(BrowserSetupError)
  return (error as Error).message
}

describe('finding or installing what the browser tests need', () => {
  it('does nothing when Chromium and a Chinese font are there', async () => {
    const m = machine({ chromium: true, cjkFont: true, isRoot: true })
    await ensureBrowser(m)
    expect(aptCommands(m)).toEqual([])
    expect(m.lines).toEqual([])
  })

  it('without fontconfig tools, finds the Noto font by its file, before and after installing', async () => {
    const ready = machine({ chromium: true, cjkFont: true, isRoot: false, noFcList: true })
    await ensureBrowser(ready)
    expect(aptCommands(ready)).toEqual([])
    const bare = machine({ chromium: false, cjkFont: false, isRoot: true, noFcList: true })
    await ensureBrowser(bare)
    expect(aptCommands(bare).at(-1)).toMatch(/install -y chromium fonts-noto-cjk$/)
  })

  it('as root, installs chromium and fonts-noto-cjk with apt-get, saying so first', async () => {
    const m = machine({ chromium: false, cjkFont: false, isRoot: true })
    await ensureBrowser(m)
    const apt = aptCommands(m)
    expect(apt).toHaveLength(2)
    expect(apt[0]).toMatch(/^apt-get .*\bupdate$/)
    expect(apt[1]).toMatch(/^apt-get .*\binstall -y chromium fonts-noto-cjk$/)
    expect(m.lines[0]).toContain('installing chromium fonts-noto-cjk')
  })

  it('as root, installs the fonts when only they are missing', async () => {
    const m = machine({ chromium: true, cjkFont: false, isRoot: true })
    await ensureBrowser(m)
    expect(aptCommands(m).at(-1)).toMatch(/install -y chromium fonts-noto-cjk$/)
    expect(m.lines[0]).toContain('中文字体')
  })

  it('not as root, stops with the one command to run and installs nothing', async () => {
    const m = machine({ chromium: false, cjkFont: true, isRoot: false })
    const message = await failure(m)
    expect(message).toContain('请运行：sudo apt-get install chromium fonts-noto-cjk')
    expect(message).toContain(chromiumPath)
    expect(aptCommands(m)).toEqual([])
  })

  it('not as root, names the missing Chinese font too', async () => {
    const m = machine({ chromium: true, cjkFont: false, isRoot: false })
    const message = await failure(m)
    expect(message).toContain('fonts-noto-cjk')
    expect(message).not.toContain(chromiumPath)
    expect(aptCommands(m)).toEqual([])
  })

  it('as root on a machine without apt-get, stops with the command instead of guessing', async () => {
    const m = machine({ chromium: false, cjkFont: false, isRoot: true, apt: false })
    expect(await failure(m)).toContain('sudo apt-get install chromium fonts-noto-cjk')
    expect(aptCommands(m)).toEqual([])
  })

  it('stops with the exit code and the command when apt-get fails', async () => {
    const m = machine({ chromium: false, cjkFont: false, isRoot: true, aptFails: 'update' })
    const message = await failure(m)
    expect(message).toContain('apt-get update 失败（退出码 100）')
    expect(message).toContain('sudo apt-get install chromium fonts-noto-cjk')
    expect(aptCommands(m)).toHaveLength(1)
  })

  it('checks again after installing and stops when the browser is still missing', async () => {
    const m = machine({ chromium: false, cjkFont: false, isRoot: true, installDoesNothing: true })
    expect(await failure(m)).toContain('sudo apt-get install chromium fonts-noto-cjk')
    expect(aptCommands(m)).toHaveLength(2)
  })
})
