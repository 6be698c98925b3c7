/**
 * Progress on stderr while an eval runs: a bar redrawn in place when stderr is a terminal,
 * otherwise a plain line at every tenth of the run (CI logs stay short).
 */
import { Effect } from "effect"
import type { Progress } from "./Runner.ts"

export interface ProgressSink {
  readonly write: (text: string) => void
  readonly isTty: boolean
  /** Terminal width (default 80). */
  readonly columns?: number | undefined
}

/** `[#######.............]  35/100  35%  2 failed` in `width` characters of bar. */
export const progressBar = (p: Progress, width: number): string => {
  const share = p.total === 0 ? 1 : p.done / p.total
  const filled = Math.round(share * width)
  const count = `${String(p.done).padStart(String(p.total).length)}/${p.total}`
  const failed = p.failed > 0 ? `  ${p.failed} failed` : ""
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${count} ${String(Math.floor(share * 100)).padStart(3)}%${failed}`
}

/** The tenths of the run (1 to 10) that `done` has reached. */
export const tenth = (done: number, total: number): number => (total === 0 ? 10 : Math.floor((done * 10) / total))

export interface ProgressReporter {
  readonly onProgress: (p: Progress) => Effect.Effect<void>
  /** Ends the bar's line (a terminal) once the run is over. */
  readonly finish: Effect.Effect<void>
}

export const progressReporter = (sink: ProgressSink, label: string): ProgressReporter => {
  let lastTenth = 0
  let drawn = false
  const width = Math.max(10, Math.min(40, (sink.columns ?? 80) - label.length - 30))
  return {
    onProgress: (p) =>
      Effect.sync(() => {
        if (sink.isTty) {
          sink.write(`\r${label} ${progressBar(p, width)}`)
          drawn = true
          return
        }
        const reached = tenth(p.done, p.total)
        if (reached > lastTenth) {
          lastTenth = reached
          sink.write(`${label}: ${p.done}/${p.total} cases${p.failed > 0 ? ` (${p.failed} failed)` : ""}\n`)
        }
      }),
    finish: Effect.sync(() => {
      if (sink.isTty && drawn) sink.write("\n")
    })
  }
}
