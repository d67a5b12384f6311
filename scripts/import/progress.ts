/** Where progress goes: stderr, so the report on stdout stays clean for a pipe or a file. */
export interface ProgressStream {
  isTTY?: boolean
  write: (text: string) => unknown
}

/**
 * A progress display for long lists: one bar redrawn in place on a terminal, and a plain line at
 * every tenth otherwise (a log file or CI output would fill with carriage returns). Short lists
 * finish before anyone would look, so they show nothing.
 */
export function createProgress(stream: ProgressStream, minTotal = 1000) {
  let drawn = false
  let lastLabel = ''
  let lastTenth = -1
  return {
    update(label: string, done: number, total: number) {
      if (total < minTotal) return
      const ratio = Math.min(1, done / total)
      const count = `${done.toLocaleString('en')}/${total.toLocaleString('en')}`
      if (stream.isTTY) {
        // A new phase keeps the finished bar of the last one on its own line.
        if (drawn && label !== lastLabel) stream.write('\n')
        lastLabel = label
        const filled = Math.round(ratio * 30)
        const bar = `${'█'.repeat(filled)}${'░'.repeat(30 - filled)}`
        stream.write(`\r\x1b[2K${label} ${bar} ${Math.floor(ratio * 100)}% ${count}`)
        drawn = true
        return
      }
      const tenth = Math.floor(ratio * 10)
      if (label === lastLabel && tenth === lastTenth) return
      lastLabel = label
      lastTenth = tenth
      stream.write(`${label} ${tenth * 10}% ${count}\n`)
    },
    /** Ends the bar's line so later output starts on a fresh one. */
    end() {
      if (drawn) stream.write('\n')
      drawn = false
    },
  }
}
