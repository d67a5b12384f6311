import { errorKind } from '../../logger.ts'
import {
  fileComplaints,
  judgeSubjectsAt,
  mergeTouched,
  type DetectionDeps,
  type TouchedSubjects,
} from './detection.ts'

/**
 * Detection as the worker runs it: each batch's complaints are filed under their subjects at once,
 * and the subjects are judged at most once per `minGapMs` (5 s), all that were touched since the
 * last judgement together. The first complaint after a quiet spell is judged at once. During a
 * flood of 500 complaints a second, judging every outbox batch (one each 2 s) counted the
 * busiest subjects' windows and moved their warnings on each time; gathering them for 5 s costs
 * less than half, so what intake's commits wait for is less (bench/intake-warnings.ts). A warning
 * still reaches the console seconds after its complaint (acceptance: within 10 s).
 *
 * A judgement that fails is tried again at the next pass. What is filed and not yet judged when
 * the process dies is judged by the hourly sweep, which judges every complaint of the last window
 * again.
 */
export interface PacedDetection {
  /** Files these complaints now; judges now, or at most minGapMs after the last judgement. */
  file: (complaintIds: readonly string[]) => Promise<void>
  /** Judges what is waiting and stops. */
  stop: () => Promise<void>
}

export function createPacedDetection(
  deps: DetectionDeps,
  options: { minGapMs?: number } = {},
): PacedDetection {
  const minGapMs = options.minGapMs ?? 5_000
  let waiting: TouchedSubjects = new Map()
  let lastStart = -Infinity
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  let stopped = false

  const judge = async () => {
    const touched = waiting
    waiting = new Map()
    lastStart = performance.now()
    try {
      await judgeSubjectsAt(deps, touched, new Date())
    } catch (error) {
      // Judged again at the next pass, with whatever arrives meanwhile (the sweep stays the
      // backstop should the process die first).
      waiting = mergeTouched(touched, waiting)
      deps.logger.warn(
        { subjects: touched.size, err: errorKind(error) },
        'warning check failed; it is tried again at the next pass',
      )
    }
  }
  const run = (): Promise<void> => {
    timer = undefined
    running = judge().finally(() => {
      running = undefined
      schedule()
    })
    return running
  }
  function schedule() {
    if (stopped || timer || running || waiting.size === 0) return
    timer = setTimeout(() => void run(), Math.max(0, lastStart + minGapMs - performance.now()))
    // A process that is otherwise done is not kept alive for it: the sweep judges it later.
    timer.unref()
  }

  return {
    async file(complaintIds) {
      mergeTouched(waiting, await fileComplaints(deps, complaintIds))
      if (!stopped && !running && !timer && performance.now() - lastStart >= minGapMs) {
        await run()
      } else {
        schedule()
      }
    },
    async stop() {
      stopped = true
      clearTimeout(timer)
      timer = undefined
      await running
      if (waiting.size > 0) await judge()
    },
  }
}
