import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { userInfo } from 'node:os'

/** Debian's Chromium; the tests never download a browser of their own. */
export const chromiumPath = '/usr/bin/chromium'

/** The Debian packages the browser tests need: the browser and fonts that can draw Chinese. */
const browserPackages = ['chromium', 'fonts-noto-cjk'] as const

/** The one command a developer who is not root runs before `npm test`. */
export const installCommand = `sudo apt-get install ${browserPackages.join(' ')}`

export interface CommandResult {
  code: number
  stdout: string
}

/** What the decision needs from the machine; a unit test passes stand-ins. */
export interface BrowserMachine {
  exists: (file: string) => boolean
  isRoot: boolean
  /** Runs a command; `streamOutput` sends its output to the test run's log as it comes. */
  run: (
    command: string,
    args: readonly string[],
    options?: { streamOutput?: boolean },
  ) => Promise<CommandResult>
  log: (line: string) => void
}

export class BrowserSetupError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BrowserSetupError'
  }
}

/** The file fonts-noto-cjk installs, for a machine without fontconfig's command-line tools. */
export const notoCjkFile = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'

/**
 * True when fontconfig knows a font that covers Chinese (fonts-noto-cjk or any other). Chromium
 * needs only fontconfig's library, so `fc-list` may be missing (127): then the Noto file decides.
 */
async function hasCjkFont(machine: BrowserMachine): Promise<boolean> {
  const result = await machine.run('fc-list', [':lang=zh', 'family'])
  if (result.code === 127) return machine.exists(notoCjkFile)
  return result.code === 0 && result.stdout.trim() !== ''
}

async function missingParts(machine: BrowserMachine): Promise<string[]> {
  const missing: string[] = []
  if (!machine.exists(chromiumPath)) missing.push(`Chromium（${chromiumPath}）`)
  if (!(await hasCjkFont(machine))) missing.push('中文字体（fonts-noto-cjk）')
  return missing
}

const pleaseRun = (missing: readonly string[]) =>
  `浏览器测试需要 Debian 的 Chromium 和中文字体，本机缺少：${missing.join('、')}。` +
  `请运行：${installCommand}，然后重新运行 npm test。`

/**
 * Makes sure the browser tests can run, so that `npm install` and `npm test` are the whole set-up
 * on a fresh Debian machine (issue 20, point 7). Nothing to do when Chromium and a Chinese font
 * are there; as root, installs them with apt-get; otherwise stops with the one command to run,
 * before a long site build, rather than failing every browser test one by one.
 */
export async function ensureBrowser(machine: BrowserMachine): Promise<void> {
  const missing = await missingParts(machine)
  if (missing.length === 0) return
  if (!machine.isRoot || !machine.exists('/usr/bin/apt-get')) {
    throw new BrowserSetupError(pleaseRun(missing))
  }
  machine.log(
    `e2e: installing ${browserPackages.join(' ')} with apt-get for the browser tests ` +
      `(missing: ${missing.join(', ')}); this takes a minute or two`,
  )
  // Waits for another apt run holding the lock instead of failing at once.
  const apt = (args: readonly string[]) =>
    machine.run('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], { streamOutput: true })
  const steps: ReadonlyArray<readonly string[]> = [
    ['update'],
    ['install', '-y', ...browserPackages],
  ]
  for (const step of steps) {
    const { code } = await apt(step)
    if (code !== 0) {
      throw new BrowserSetupError(
        `apt-get ${step.join(' ')} 失败（退出码 ${code}），详见上方输出。` + pleaseRun(missing),
      )
    }
  }
  const still = await missingParts(machine)
  if (still.length > 0) throw new BrowserSetupError(pleaseRun(still))
  machine.log('e2e: chromium and fonts-noto-cjk installed')
}

/** This machine, as the browser tests' global setup sees it. */
export const thisMachine: BrowserMachine = {
  exists: existsSync,
  isRoot: userInfo().uid === 0,
  log: (line) => process.stderr.write(`${line}\n`),
  run: (command, args, options = {}) =>
    new Promise((resolve) => {
      const child = spawn(command, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      })
      let stdout = ''
      child.stdout.on('data', (chunk: Buffer) => {
        if (options.streamOutput) process.stderr.write(chunk)
        else stdout += chunk.toString()
      })
      child.stderr.on('data', (chunk: Buffer) => {
        if (options.streamOutput) process.stderr.write(chunk)
      })
      // A command that is not installed (no fontconfig yet) counts as a failure, not a crash.
      child.once('error', () => resolve({ code: 127, stdout }))
      child.once('close', (code) => resolve({ code: code ?? 1, stdout }))
    }),
}
