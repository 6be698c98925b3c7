/**
 * What an oversized body costs the escalation server (issue 20: a 256 MB body once took it from
 * 488 MB to 1.27 GB RSS). The server runs in a child process (in-memory ticket store); this
 * process sends it a 256 MB body streamed (chunked) and one declared by Content-Length, and
 * prints the child's RSS before and its peak RSS (VmHWM) after, with the answers. Figures only.
 *
 *   node bench/http-body.bench.ts [MB]        (default 256)
 */
import { fork } from "node:child_process"
import { readFileSync } from "node:fs"
import { request } from "node:http"
import { Readable } from "node:stream"
import { fileURLToPath } from "node:url"

if (process.argv[2] === "--serve") {
  const { Effect, Layer } = await import("effect")
  const { layerEscalationHttp, serverUrl } = await import("../src/programs/escalation/EscalationHttp.ts")
  const { layerSqliteTicketStore } = await import("../src/services/tickets/SqliteTicketStore.ts")
  const layer = layerEscalationHttp({ host: "127.0.0.1", port: 0 }).pipe(
    Layer.provideMerge(layerSqliteTicketStore({ path: ":memory:" }))
  )
  await Effect.runPromise(
    Effect.scoped(Effect.gen(function*() {
      const context = yield* Layer.build(layer)
      const url = yield* Effect.provideContext(serverUrl, context)
      process.send?.(url)
      yield* Effect.never
    }))
  )
} else {
  const megabytes = Number(process.argv[2] ?? "256")
  const child = fork(fileURLToPath(import.meta.url), ["--serve"], { stdio: ["ignore", "inherit", "inherit", "ipc"] })
  const url = await new Promise<string>((resolve) => child.once("message", (m) => resolve(String(m))))
  const status = (field: string) => {
    const line = readFileSync(`/proc/${child.pid}/status`, "utf8").split("\n").find((l) => l.startsWith(field))
    return Number(line?.replace(/\D+/g, "") ?? "0") / 1024
  }
  const post = (headers: Record<string, string>, body: Readable | undefined) =>
    new Promise<string>((resolve) => {
      const req = request(`${url}/tickets/TK-000001/updates`, { method: "POST", headers: { "content-type": "application/json", ...headers } }, (res) => {
        res.resume()
        res.on("end", () => resolve(String(res.statusCode)))
      })
      req.on("error", (error) => resolve(`client error ${(error as NodeJS.ErrnoException).code ?? error.message}`))
      if (body === undefined) req.flushHeaders()
      else body.pipe(req)
    })
  const total = megabytes * 1024 * 1024
  const chunk = Buffer.alloc(1024 * 1024, 0x20)
  let sent = 0
  const body = new Readable({
    read() {
      if (sent >= total) return this.push(null)
      sent += chunk.length
      this.push(chunk)
    }
  })
  const before = status("VmRSS")
  const streamed = await post({}, body)
  const declared = await post({ "content-length": String(total) }, undefined)
  const after = await post({}, Readable.from([JSON.stringify({ note: "still answering" })]))
  console.log(`server RSS before: ${before.toFixed(1)} MB; peak after: ${status("VmHWM").toFixed(1)} MB; now: ${status("VmRSS").toFixed(1)} MB`)
  console.log(`${megabytes} MB chunked: ${streamed} (client sent ${(sent / 1024 / 1024).toFixed(0)} MB before the server stopped reading)`)
  console.log(`${megabytes} MB declared by Content-Length: ${declared}; a small POST afterwards: ${after} (404: no such ticket, the server answers)`)
  child.kill()
}
