import { randomBytes } from 'node:crypto'
import { readFileSync, readlinkSync } from 'node:fs'
import { link, open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises'
import os from 'node:os'

/**
 * Who holds a lock or a lease under SITE_OUT_DIR, written into the file, so that a process can
 * tell whether the holder still runs. Several replicas share the folder when they run from one
 * checkout (the default `dist`), and a folder on a network share can be seen from other machines.
 */
export interface Holder {
  /** The machine, its boot and its PID namespace: within one `host`, `pid` names one process. */
  host: string
  pid: number
  /** The process's start (clock ticks after boot, Linux); a reused PID starts later. */
  started: string | undefined
}

const readOr = (read: () => string, fallback: string) => {
  try {
    return read().trim()
  } catch {
    return fallback
  }
}

/** When `pid` started, from /proc (Linux); undefined elsewhere or when it is gone. */
function processStart(pid: number): string | undefined {
  const stat = readOr(() => readFileSync(`/proc/${pid}/stat`, 'utf8'), '')
  // Field 22, counted after the command name in parentheses (which may hold spaces).
  return stat ? stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] : undefined
}

/**
 * This machine as holders name it. Two containers on one machine share the hostname only when
 * they share its PID namespace too (or the folder is not shared); the boot id tells a PID from
 * before a reboot apart from the same number after it.
 */
const thisHost = [
  os.hostname(),
  readOr(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8'), ''),
  readOr(() => readlinkSync('/proc/self/ns/pid'), ''),
].join('/')

export const thisProcess: Holder = {
  host: thisHost,
  pid: process.pid,
  started: processStart(process.pid),
}

/**
 * Whether a holder still runs. On this machine the process table says so at once (a SIGKILLed
 * replica's builds are freed on the next sweep); a holder on another machine is alive as long as
 * it keeps touching its file (`staleMs`: several refresh periods, so a busy event loop is not
 * taken for death). Clocks of machines sharing a folder are assumed in step (NTP).
 */
export function holderRuns(holder: Holder, touchedAt: number, staleMs: number): boolean {
  if (holder.host !== thisHost) return Date.now() - touchedAt < staleMs
  try {
    process.kill(holder.pid, 0)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  const started = processStart(holder.pid)
  return holder.started === undefined || started === undefined || started === holder.started
}

export async function readHolder(
  file: string,
): Promise<{ holder: Holder; touchedAt: number; text: string } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)])
    const holder = JSON.parse(text) as Holder
    if (typeof holder.host !== 'string' || typeof holder.pid !== 'number') return undefined
    return { holder, touchedAt: info.mtimeMs, text }
  } catch {
    return undefined
  }
}

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code

export interface FileLock {
  /** Marks the lock as still held (a holder on another machine is judged by this). */
  touch: () => Promise<void>
  release: () => Promise<void>
}

/**
 * Takes the lock `file` if nobody holds it: created exclusively (O_EXCL, atomic on local file
 * systems and on NFS v3 and later), holding this process's identity. A lock whose holder no
 * longer runs is broken and taken. Returns undefined while a live process holds it.
 */
export async function tryLock(file: string, staleMs: number): Promise<FileLock | undefined> {
  const text = JSON.stringify(thisProcess)
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(file, 'wx')
      await handle.writeFile(text)
      await handle.close()
      return {
        touch: async () => {
          const now = new Date()
          await utimes(file, now, now).catch(() => undefined)
        },
        release: async () => {
          // Only our own: after a long pause another process may have broken it and taken it.
          if ((await readHolder(file))?.text === text) await unlink(file).catch(() => undefined)
        },
      }
    } catch (error) {
      if (codeOf(error) !== 'EEXIST') throw error
    }
    const held = await readHolder(file)
    // A lock being written has no holder yet: give its writer a moment.
    if (!held) {
      const age = await stat(file).then(
        (s) => Date.now() - s.mtimeMs,
        () => Infinity,
      )
      if (age < 5_000) return undefined
    } else if (holderRuns(held.holder, held.touchedAt, staleMs)) return undefined
    await breakLock(file, held?.text)
  }
  return undefined
}

/**
 * Removes a dead holder's lock. It is moved aside first and checked: when two processes break
 * the same lock at once, the slower one may have moved the faster one's fresh lock, which it then
 * puts back (link fails rather than replace a lock taken meanwhile).
 */
async function breakLock(file: string, deadText: string | undefined) {
  const aside = `${file}.${randomBytes(4).toString('hex')}.broken`
  try {
    await rename(file, aside)
  } catch {
    return
  }
  const moved = await readFile(aside, 'utf8').catch(() => undefined)
  if (deadText !== undefined && moved !== deadText) await link(aside, file).catch(() => undefined)
  await unlink(aside).catch(() => undefined)
}

/** Waits for the lock, checking every `pollMs`; undefined if `giveUp` says so first. */
export async function waitForLock(
  file: string,
  options: { staleMs: number; pollMs: number; giveUp: () => boolean },
): Promise<FileLock | undefined> {
  for (;;) {
    const lock = await tryLock(file, options.staleMs)
    if (lock || options.giveUp()) return lock
    await new Promise((resolve) => setTimeout(resolve, options.pollMs))
  }
}
