import os from 'node:os'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { backgroundNice } from '../../api/worker/priority.ts'
import { idlePolicy, normalPolicy } from '../support/processes.ts'

const priorityModule = new URL('../../api/worker/priority.ts', import.meta.url).href
const processesModule = new URL('../support/processes.ts', import.meta.url).href

/**
 * Runs lowerThisThreadPriority() in a thread of its own with `env` as its environment, then
 * reports that thread's nice value and scheduling policy: as soon as the policy is `awaited`, or
 * after `waitMs` (chrt runs as a child process, slower on a busy machine).
 */
function lowerAThread(env: Record<string, string>, awaited: number, waitMs: number) {
  const script = `
    const { parentPort } = require('node:worker_threads')
    Promise.all([
      import(${JSON.stringify(priorityModule)}),
      import(${JSON.stringify(processesModule)}),
    ]).then(([{ lowerThisThreadPriority }, { schedulingOf }]) => {
      lowerThisThreadPriority()
      const deadline = Date.now() + ${waitMs}
      const poll = () => {
        const now = schedulingOf('/proc/thread-self/stat')
        if (now.policy === ${awaited} || Date.now() > deadline) parentPort.postMessage(now)
        else setTimeout(poll, 50)
      }
      poll()
    })
  `
  const worker = new Worker(script, { eval: true, env, execArgv: ['--import', 'tsx'] })
  return new Promise<{ nice: number; policy: number }>((resolve, reject) => {
    worker.once('message', (m: { nice: number; policy: number }) => {
      resolve(m)
      void worker.terminate()
    })
    worker.once('error', reject)
  })
}

describe.runIf(process.platform === 'linux')('background thread priority', () => {
  it('takes the idle policy at nice 10 when chrt can be run', { timeout: 30_000 }, async () => {
    expect(await lowerAThread({ PATH: process.env.PATH ?? '' }, idlePolicy, 20_000)).toEqual({
      nice: backgroundNice,
      policy: idlePolicy,
    })
  })

  it(
    'stays at nice 10 with the normal policy when chrt cannot be found',
    { timeout: 30_000 },
    async () => {
      // Nothing to wait for: the policy must stay normal through the 1.5 s.
      expect(await lowerAThread({ PATH: '/nonexistent' }, idlePolicy, 1_500)).toEqual({
        nice: backgroundNice,
        policy: normalPolicy,
      })
      // The calling thread is untouched either way.
      expect(os.getPriority()).toBe(0)
    },
  )
})
