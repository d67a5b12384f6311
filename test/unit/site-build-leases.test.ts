import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { siteOutDirProblem } from '../../server/site-build.ts'
import { adoptBuild, removeUnheldBuilds, takeLease } from '../../server/site-build-leases.ts'
import { thisProcess, tryLock } from '../../server/site-build-lock.ts'

let outDir: string
const children: ChildProcess[] = []

beforeEach(async () => {
  outDir = await mkdtemp(path.join(os.tmpdir(), 'site-leases-'))
  await mkdir(path.join(outDir, 'leases'))
})

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  await rm(outDir, { recursive: true, force: true })
})

async function makeBuilds(...names: string[]) {
  for (const name of names)
    await mkdir(path.join(outDir, 'builds', name, 'client'), { recursive: true })
}

const builds = () => readdirSync(path.join(outDir, 'builds')).sort()

/** A real process that runs until killed. */
function sleeper(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore' })
  children.push(child)
  return child
}

/** A lease as another process writes it. */
async function leaseOf(holder: { host: string; pid: number }, held: string[], name: string) {
  const file = path.join(outDir, 'leases', `${name}.json`)
  await writeFile(file, JSON.stringify({ ...holder, started: undefined, builds: held }))
  return file
}

describe('builds shared by the processes of one SITE_OUT_DIR', () => {
  it('removes only builds no running process holds and current does not point to', async () => {
    await makeBuilds('held', 'current', 'orphan', 'dead')
    await symlink('builds/current', path.join(outDir, 'current'))
    const live = sleeper()
    const dead = sleeper()
    dead.kill('SIGKILL')
    await new Promise((resolve) => dead.once('exit', resolve))
    await leaseOf({ host: thisProcess.host, pid: live.pid! }, ['held'], 'live')
    const deadLease = await leaseOf({ host: thisProcess.host, pid: dead.pid! }, ['dead'], 'dead')

    expect((await removeUnheldBuilds(outDir)).sort()).toEqual(['dead', 'orphan'])
    expect(builds()).toEqual(['current', 'held'])
    expect(existsSync(deadLease)).toBe(false)
    expect(readdirSync(path.join(outDir, 'trash'))).toEqual([])

    // Killed too: its build goes at the next sweep.
    live.kill('SIGKILL')
    await new Promise((resolve) => live.once('exit', resolve))
    await removeUnheldBuilds(outDir)
    expect(builds()).toEqual(['current'])
  })

  it("keeps what this process's lease holds until it lets it go or the lease ends", async () => {
    await makeBuilds('served', 'replaced')
    const lease = await takeLease(outDir)
    await lease.hold(path.join(outDir, 'builds', 'served'))
    await lease.hold(path.join(outDir, 'builds', 'replaced'))
    await removeUnheldBuilds(outDir)
    expect(builds()).toEqual(['replaced', 'served'])

    await lease.release(path.join(outDir, 'builds', 'replaced'))
    await removeUnheldBuilds(outDir)
    expect(builds()).toEqual(['served'])

    await lease.end()
    expect(readdirSync(path.join(outDir, 'leases'))).toEqual([])
    await removeUnheldBuilds(outDir)
    expect(builds()).toEqual([])
  })

  it('writes its lease again when the file went missing, with what it holds', async () => {
    vi.useFakeTimers({ toFake: ['setInterval'] })
    try {
      const lease = await takeLease(outDir)
      await lease.hold(path.join(outDir, 'builds', 'served'))
      const [name] = readdirSync(path.join(outDir, 'leases'))
      const file = path.join(outDir, 'leases', name!)
      await unlink(file)
      await vi.advanceTimersByTimeAsync(20_000)
      for (let i = 0; i < 100 && !existsSync(file); i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ builds: ['served'] })
      // Later writes still happen.
      await lease.release(path.join(outDir, 'builds', 'served'))
      expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ builds: [] })
      await lease.end()
    } finally {
      vi.useRealTimers()
    }
  })

  it('takes a lease from another machine for alive until it is two minutes untouched', async () => {
    await makeBuilds('remote')
    const file = await leaseOf({ host: 'elsewhere/boot/pid', pid: 1 }, ['remote'], 'remote')
    await removeUnheldBuilds(outDir)
    expect(builds()).toEqual(['remote'])

    const longAgo = new Date(Date.now() - 121_000)
    await utimes(file, longAgo, longAgo)
    await removeUnheldBuilds(outDir)
    expect(builds()).toEqual([])
    expect(existsSync(file)).toBe(false)
  })

  it('adopts a complete build only, and a sweep then leaves it', async () => {
    await makeBuilds('complete', 'partial')
    const lease = await takeLease(outDir)
    const isComplete = (dir: string) => Promise.resolve(path.basename(dir) === 'complete')
    expect(
      await adoptBuild(outDir, lease, path.join(outDir, 'builds', 'partial'), isComplete),
    ).toBe(false)
    expect(
      await adoptBuild(outDir, lease, path.join(outDir, 'builds', 'complete'), isComplete),
    ).toBe(true)
    await removeUnheldBuilds(outDir)
    expect(builds()).toEqual(['complete'])
    await lease.end()
  })
})

describe('the build lock', () => {
  it('is held by one process at a time, and a dead holder’s lock is broken', async () => {
    const file = path.join(outDir, 'build.lock')
    const lock = await tryLock(file, 120_000)
    expect(lock).toBeDefined()
    expect(await tryLock(file, 120_000)).toBeUndefined()
    await lock!.release()
    expect(existsSync(file)).toBe(false)

    const live = sleeper()
    await writeFile(file, JSON.stringify({ host: thisProcess.host, pid: live.pid }))
    expect(await tryLock(file, 120_000)).toBeUndefined()
    live.kill('SIGKILL')
    await new Promise((resolve) => live.once('exit', resolve))
    const taken = await tryLock(file, 120_000)
    expect(taken).toBeDefined()
    await taken!.release()
  })
})

describe('SITE_OUT_DIR', () => {
  it('may be the project’s dist or any folder outside the project', () => {
    for (const dir of ['dist', 'out/site', path.join(os.tmpdir(), 'lishui-site')]) {
      expect(siteOutDirProblem({ SITE_OUT_DIR: dir }), dir).toBeUndefined()
    }
  })

  it('is refused inside the sources or around the project, saying where to put it', () => {
    for (const dir of ['.', '..', 'site/dist', 'content', 'node_modules/site']) {
      const problem = siteOutDirProblem({ SITE_OUT_DIR: dir })
      expect(problem, dir).toContain('SITE_OUT_DIR')
      expect(problem, dir).toContain('项目之外的目录')
    }
  })
})
