/**
 * Log lines to a file descriptor (stdout or stderr), written in batches: lines logged during
 * one turn of the event loop go out in one `write` at the next turn instead of one write
 * each. stdout and stderr are pipes in containers, so a write per line costs a system call per
 * line; at thousands of tickets a second that was the agents' largest single cost.
 *
 * - Writes are `fs.writeSync` on the descriptor, never queued inside a Node stream: what has
 *   been written is in the pipe, and what has not is here. On a blocking descriptor (stdout
 *   and stderr pipes usually are) a reader that falls behind slows the writer down, as
 *   `console.log` does, and nothing is lost. On a non-blocking one a full pipe (`EAGAIN`)
 *   leaves the rest for a later turn; past `maxPendingBytes` the oldest half is dropped and a
 *   line says how many lines were (memory stays bounded whatever the reader does).
 * - On exit (`process.exit` included) what is pending is written synchronously, waiting up to
 *   `exitWaitMs` for a full pipe. A process killed with SIGKILL loses the lines of its last
 *   turn at most.
 */
import { writeSync } from "node:fs"

export interface LineSink {
  readonly write: (line: string) => void
  /** Writes what it can now without blocking; the rest stays pending. */
  readonly flush: () => void
}

/** A batch is written as soon as it reaches this size. */
const batchBytes = 256 * 1024
/** Pending output above this (a stuck reader) drops the oldest lines. */
const maxPendingBytes = 16 * 1024 * 1024
const exitWaitMs = 2_000
const retryMs = 5

const sinks = new Map<number, LineSink>()
const pause = new Int32Array(new SharedArrayBuffer(4))

const isAgain = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code
  return code === "EAGAIN" || code === "EWOULDBLOCK"
}

/**
 * Writes what every sink holds now (e.g. before a program prints its result, so that the log
 * lines logged before it come before it).
 */
export const flushLineSinks = (): void => {
  for (const sink of sinks.values()) sink.flush()
}

/** The sink of a file descriptor (one per descriptor and process). */
export const lineSink = (fd: 1 | 2): LineSink => {
  const existing = sinks.get(fd)
  if (existing !== undefined) return existing
  /** Whole lines not yet handed to the descriptor. */
  let lines: Array<string> = []
  let lineBytes = 0
  /** The unwritten end of a batch the descriptor took in part. */
  let partial: Buffer | undefined
  let scheduled: "turn" | "retry" | undefined
  let dropped = 0
  let broken = false

  /** Writes `partial` and then the pending lines; false when the descriptor is full. */
  const writeOut = (): boolean => {
    while (!broken) {
      if (partial === undefined) {
        if (lines.length === 0) return true
        const text = (dropped > 0 ? `{"message":"${dropped} log lines dropped: output was not read fast enough","level":"WARN"}\n` : "") +
          lines.join("")
        dropped = 0
        lines = []
        lineBytes = 0
        partial = Buffer.from(text)
      }
      try {
        const written = writeSync(fd, partial)
        partial = written >= partial.length ? undefined : partial.subarray(written)
      } catch (error) {
        if (isAgain(error)) return false
        // Closed or broken descriptor: nothing can be written any more.
        broken = true
        partial = undefined
        lines = []
        lineBytes = 0
      }
    }
    return true
  }

  const schedule = (kind: "turn" | "retry") => {
    if (scheduled !== undefined) return
    scheduled = kind
    if (kind === "turn") setImmediate(flush).unref()
    else setTimeout(flush, retryMs).unref()
  }

  const flush = () => {
    scheduled = undefined
    if (!writeOut()) schedule("retry")
  }

  const write = (line: string) => {
    if (broken) return
    const text = line.endsWith("\n") ? line : `${line}\n`
    lines.push(text)
    lineBytes += text.length
    if (lineBytes > maxPendingBytes) {
      // Drop the oldest half at once (not a line at a time: that would cost a copy of the
      // whole array per line while the reader stays stuck).
      let cut = 0
      while (lineBytes > maxPendingBytes / 2 && cut < lines.length - 1) lineBytes -= lines[cut++]!.length
      lines.splice(0, cut)
      dropped += cut
    }
    if (lineBytes >= batchBytes && scheduled !== "retry") flush()
    else schedule("turn")
  }

  process.on("exit", () => {
    const deadline = Date.now() + exitWaitMs
    while (!writeOut() && Date.now() < deadline) Atomics.wait(pause, 0, 0, 1)
  })

  const sink: LineSink = { write, flush }
  sinks.set(fd, sink)
  return sink
}
