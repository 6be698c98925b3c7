/**
 * The protection every HTTP server uses (src/services/http/Protection.ts), on a real loopback
 * server with a handler that echoes what it was given: body limits enforced while reading
 * (413 before buffering, also with `Expect: 100-continue`), header limits, UTF-8, the Host
 * allow-list, CSRF (JSON only, Origin, Sec-Fetch-Site), methods, the rate per client, the
 * security headers on every answer, and the listen errors that name their variables.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { request, type Server } from "node:http"
import { type AddressInfo, createServer as createNetServer, connect } from "node:net"
import { Readable } from "node:stream"
import {
  ClientRateLimiter,
  createProtectedServer,
  defaultProtectionPolicy,
  type HttpProtectionPolicy,
  listenError,
  securityHeaders
} from "../../src/services/http/Protection.ts"
import { metricsProtection } from "../../src/services/observability/MetricsServer.ts"

interface Answer {
  readonly status: number
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly text: string
}

/** A protected server whose handler answers 200 with the method and the body it received. */
const start = async (policy: Partial<HttpProtectionPolicy> = {}) => {
  let calls = 0
  const server = createProtectedServer({ ...defaultProtectionPolicy, ...policy }, (req, res) => {
    calls += 1
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify({ method: req.method, body: Buffer.concat(chunks).toString("utf8") }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  return { server, port, calls: () => calls, close: () => close(server) }
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })

interface Send {
  readonly method?: string
  readonly path?: string
  readonly headers?: Record<string, string>
  readonly body?: string | Buffer | Readable
  readonly localAddress?: string
}

const send = (port: number, options: Send = {}): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const req = request({
      host: "127.0.0.1",
      port,
      method: options.method ?? "GET",
      path: options.path ?? "/",
      headers: options.headers ?? {},
      ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress })
    }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (chunk: Buffer) => chunks.push(chunk))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }))
    })
    // The server may close the connection while the body is still being sent: the answer counts.
    req.on("error", (error) => reject(error))
    const body = options.body
    if (body instanceof Readable) body.pipe(req)
    else req.end(body)
  })

const json = { "content-type": "application/json" }

const errorOf = (answer: Answer): string => (JSON.parse(answer.text) as { error: string }).error

/** `total` bytes of `x`, produced 64 KiB at a time (never held at once). */
const streamOf = (total: number) => {
  const chunk = Buffer.alloc(64 * 1024, "x")
  let sent = 0
  return new Readable({
    read() {
      if (sent >= total) return this.push(null)
      sent += chunk.length
      this.push(chunk)
    }
  })
}

describe("request size", () => {
  it("a Content-Length over the limit answers 413 before any of the body is read; the handler never runs", async () => {
    const s = await start({ maxBodyBytes: 1024 })
    try {
      const answer = await send(s.port, { method: "POST", headers: { ...json, "content-length": "268435456" }, body: "" })
      assert.strictEqual(answer.status, 413)
      assert.strictEqual(errorOf(answer), "payload_too_large")
      assert.strictEqual(answer.headers["connection"], "close")
      assert.strictEqual(s.calls(), 0)
    } finally {
      await s.close()
    }
  })

  it("a streamed (chunked) 64 MB body answers 413 while it arrives, and the server still answers", async () => {
    const s = await start({ maxBodyBytes: 64 * 1024 })
    try {
      const before = process.memoryUsage().rss
      const answer = await send(s.port, { method: "POST", headers: json, body: streamOf(64 * 1024 * 1024) })
      assert.strictEqual(answer.status, 413)
      assert.strictEqual(errorOf(answer), "payload_too_large")
      console.log(`64 MB streamed body: RSS ${((process.memoryUsage().rss - before) / 1e6).toFixed(1)} MB after (client and server in this process)`)
      assert.strictEqual(s.calls(), 0)
      const after = await send(s.port, { method: "POST", headers: json, body: "{\"ok\":true}" })
      assert.strictEqual(after.status, 200)
      assert.strictEqual(s.calls(), 1)
    } finally {
      await s.close()
    }
  })

  it("a body at the limit reaches the handler whole", async () => {
    const s = await start({ maxBodyBytes: 1000 })
    try {
      const body = `"${"é".repeat(499)}"` // 2 + 998 bytes
      const answer = await send(s.port, { method: "POST", headers: json, body })
      assert.strictEqual(answer.status, 200, answer.text)
      assert.strictEqual((JSON.parse(answer.text) as { body: string }).body, body)
      const over = await send(s.port, { method: "POST", headers: json, body: `${body} ` })
      assert.strictEqual(over.status, 413)
    } finally {
      await s.close()
    }
  })

  it("Expect: 100-continue over the limit is refused before the client sends the body", async () => {
    const s = await start({ maxBodyBytes: 1024 })
    try {
      const answer = await new Promise<Answer>((resolve, reject) => {
        const req = request({
          host: "127.0.0.1",
          port: s.port,
          method: "POST",
          path: "/",
          headers: { ...json, "content-length": "100000", expect: "100-continue" }
        }, (res) => {
          const chunks: Array<Buffer> = []
          res.on("data", (chunk: Buffer) => chunks.push(chunk))
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }))
        })
        req.on("continue", () => reject(new Error("the server asked for the body")))
        req.on("error", reject)
        req.flushHeaders()
      })
      assert.strictEqual(answer.status, 413)
      assert.strictEqual(s.calls(), 0)
      const small = await send(s.port, { method: "POST", headers: { ...json, expect: "100-continue" }, body: "[1]" })
      assert.strictEqual(small.status, 200)
    } finally {
      await s.close()
    }
  })

  it("request headers over the limit answer 431 JSON with the security headers", async () => {
    const s = await start({ maxHeaderBytes: 4096 })
    try {
      const answer = await send(s.port, { headers: { "x-padding": "a".repeat(8000) } }).catch((error: unknown) => error)
      assert.notInstanceOf(answer, Error, String(answer))
      assert.strictEqual((answer as Answer).status, 431)
      assert.strictEqual(errorOf(answer as Answer), "headers_too_large")
      assert.strictEqual((answer as Answer).headers["x-content-type-options"], "nosniff")
      assert.strictEqual((await send(s.port)).status, 200)
    } finally {
      await s.close()
    }
  })
})

describe("bodies", () => {
  it("invalid UTF-8 answers 400; the handler never sees it", async () => {
    const s = await start()
    try {
      for (const bytes of [[0x22, 0xff, 0x22], [0x22, 0xc3, 0x22], [0x22, 0xed, 0xa0, 0x80, 0x22], [0x22, 0xe2, 0x82]]) {
        const answer = await send(s.port, { method: "POST", headers: json, body: Buffer.from(bytes) })
        assert.strictEqual(answer.status, 400, `${bytes}`)
        assert.include(answer.text, "UTF-8")
      }
      assert.strictEqual(s.calls(), 0)
    } finally {
      await s.close()
    }
  })
})

describe("CSRF", () => {
  it("a state change needs Content-Type: application/json: none, text/plain (beacon, no-cors Blob) and forms answer 415", async () => {
    const s = await start()
    try {
      for (
        const contentType of [
          undefined,
          "text/plain;charset=UTF-8",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x",
          "application/json-patch+json",
          "application/json; charset=latin1"
        ]
      ) {
        const headers: Record<string, string> = contentType === undefined ? {} : { "content-type": contentType }
        const answer = await send(s.port, { method: "POST", headers, body: "{}" })
        assert.strictEqual(answer.status, 415, String(contentType))
        assert.strictEqual(errorOf(answer), "unsupported_media_type")
      }
      assert.strictEqual(s.calls(), 0)
      for (const contentType of ["application/json", "Application/JSON; charset=utf-8", "application/json;charset=\"UTF-8\""]) {
        assert.strictEqual((await send(s.port, { method: "POST", headers: { "content-type": contentType }, body: "{}" })).status, 200)
      }
    } finally {
      await s.close()
    }
  })

  it("Origin must be the request's own host or an allowed origin; Sec-Fetch-Site of another site is refused", async () => {
    const s = await start({ allowedOrigins: ["https://review.example.com"] })
    try {
      const post = (headers: Record<string, string>) => send(s.port, { method: "POST", headers: { ...json, ...headers }, body: "{}" })
      const own = `127.0.0.1:${s.port}`
      assert.strictEqual((await post({ origin: `http://${own}` })).status, 200)
      assert.strictEqual((await post({ origin: "https://review.example.com" })).status, 200)
      for (const origin of ["https://evil.example", "null", `http://127.0.0.1:${s.port + 1}`, "file://", `ftp://${own}`]) {
        const answer = await post({ origin })
        assert.strictEqual(answer.status, 403, origin)
        assert.strictEqual(errorOf(answer), "origin_not_allowed")
      }
      for (const site of ["cross-site", "same-site"]) {
        const answer = await post({ "sec-fetch-site": site, origin: `http://${own}` })
        assert.strictEqual(answer.status, 403, site)
        assert.strictEqual(errorOf(answer), "cross_site")
      }
      assert.strictEqual((await post({ "sec-fetch-site": "same-origin", origin: `http://${own}` })).status, 200)
      // Reading is not a state change: GET from another origin is answered (CORS keeps it unreadable).
      assert.strictEqual((await send(s.port, { headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" } })).status, 200)
    } finally {
      await s.close()
    }
  })
})

describe("Host allow-list", () => {
  it("only localhost, IP literals and the listed names (a leading dot: every name under it) are answered", async () => {
    const s = await start({ allowedHosts: ["escalation", ".svc.cluster.local"] })
    try {
      const withHost = (host: string) => send(s.port, { headers: { host } })
      for (const host of ["localhost", `localhost:${s.port}`, "127.0.0.1", "[::1]:8094", "10.1.2.3:80", "Escalation:8094", "escalation.support-agents.svc.cluster.local", "app.localhost"]) {
        assert.strictEqual((await withHost(host)).status, 200, host)
      }
      for (const host of ["evil.example", "evil.example:8094", "escalation.evil.example", "127.0.0.1.nip.io", "svc.cluster.local.evil", "a b"]) {
        const answer = await withHost(host)
        assert.strictEqual(answer.status, 421, host)
        assert.strictEqual(errorOf(answer), "host_not_allowed")
      }
      assert.strictEqual(s.calls(), 8)
    } finally {
      await s.close()
    }
  })

  it("a request without Host is refused when a list is enforced, and any Host passes with \"any\"", async () => {
    const listed = await start({ allowedHosts: [] })
    const open = await start({ allowedHosts: "any" })
    try {
      const raw = (port: number) =>
        new Promise<string>((resolve) => {
          const socket = connect(port, "127.0.0.1", () => socket.write("GET / HTTP/1.0\r\n\r\n"))
          let text = ""
          socket.on("data", (chunk) => (text += chunk.toString()))
          socket.on("end", () => resolve(text))
        })
      assert.match(await raw(listed.port), /^HTTP\/1\.1 421/)
      assert.match(await raw(open.port), /^HTTP\/1\.1 200/)
      assert.strictEqual((await send(open.port, { headers: { host: "evil.example" } })).status, 200)
    } finally {
      await listed.close()
      await open.close()
    }
  })
})

describe("methods", () => {
  it("the metrics server's policy: GET and HEAD only (405 with Allow), and no body at all", async () => {
    const s = await start(metricsProtection({}))
    try {
      for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"]) {
        const answer = await send(s.port, { method, headers: { ...json, "content-length": "2" }, body: "{}" })
        assert.strictEqual(answer.status, 405, method)
        assert.strictEqual(answer.headers["allow"], "GET, HEAD")
      }
      assert.strictEqual((await send(s.port, { method: "HEAD" })).status, 200)
      assert.strictEqual((await send(s.port, { headers: { host: "10.0.0.7:9090" } })).status, 200)
      assert.strictEqual((await send(s.port, { headers: { host: "prometheus-target.monitoring" } })).status, 200)
      assert.strictEqual((await send(s.port, { method: "GET", headers: { "content-length": "1" }, body: "x" })).status, 413)
    } finally {
      await s.close()
    }
  })
})

describe("rate limit per client", () => {
  it("a client over its bucket answers 429 with Retry-After; another client address is not affected", async () => {
    const s = await start({ rateLimit: { perSecond: 1, burst: 3 } })
    try {
      for (let i = 0; i < 3; i++) assert.strictEqual((await send(s.port)).status, 200)
      const limited = await send(s.port)
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(errorOf(limited), "rate_limited")
      assert.isAtLeast(Number(limited.headers["retry-after"]), 1)
      // 127.0.0.2 is loopback too: a different client.
      assert.strictEqual((await send(s.port, { localAddress: "127.0.0.2" })).status, 200)
    } finally {
      await s.close()
    }
  })

  it("the bucket refills at its rate and holds at most its burst (a clock the test moves)", () => {
    let now = 0
    const limiter = new ClientRateLimiter({ perSecond: 2, burst: 4 }, () => now)
    const takes = (n: number) => Array.from({ length: n }, () => limiter.take("a"))
    assert.deepStrictEqual(takes(5), [0, 0, 0, 0, 1])
    now += 500 // one token back
    assert.deepStrictEqual(takes(2), [0, 1])
    now += 60_000 // full again, not more
    assert.deepStrictEqual(takes(5), [0, 0, 0, 0, 1])
    assert.strictEqual(limiter.take("b"), 0)
  })
})

describe("security headers", () => {
  it("every answer carries them, the application's JSON and every refusal alike; the application's own CSP wins", async () => {
    const s = await start({ maxBodyBytes: 10, allowedHosts: [], rateLimit: { perSecond: 1, burst: 6 } })
    try {
      const answers = [
        await send(s.port),
        await send(s.port, { method: "POST", body: "{}" }),
        await send(s.port, { method: "POST", headers: json, body: "[1,2,3,4,5,6]" }),
        await send(s.port, { headers: { host: "evil.example" } }),
        await send(s.port, { method: "PUT", headers: json, body: "{}" }),
        await send(s.port, { method: "POST", headers: { ...json, origin: "https://evil.example" }, body: "{}" }),
        await send(s.port)
      ]
      assert.deepStrictEqual(answers.map((a) => a.status), [200, 415, 413, 421, 405, 403, 429])
      for (const answer of answers) {
        for (const [name, value] of Object.entries(securityHeaders)) assert.strictEqual(answer.headers[name], value, `${answer.status} ${name}`)
        assert.match(String(answer.headers["content-type"]), /^application\/json/)
      }
      const page = createProtectedServer(defaultProtectionPolicy, (_req, res) => {
        res.writeHead(200, { "content-security-policy": "default-src 'self'", "content-type": "text/html" })
        res.end("<p>page</p>")
      })
      await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve))
      const answer = await send((page.address() as AddressInfo).port)
      assert.strictEqual(answer.headers["content-security-policy"], "default-src 'self'")
      assert.strictEqual(answer.headers["x-frame-options"], "DENY")
      await close(page)
    } finally {
      await s.close()
    }
  })
})

describe("startup", () => {
  it.effect("a port in use or a bad bind: the message names the variables, the address and the reason", () =>
    Effect.gen(function*() {
      const taken = createNetServer()
      yield* Effect.promise(() => new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve)))
      const port = (taken.address() as AddressInfo).port
      const server = createProtectedServer(defaultProtectionPolicy)
      const error = yield* Effect.promise(() =>
        new Promise<unknown>((resolve) => {
          server.once("error", resolve)
          server.listen(port, "127.0.0.1")
        })
      )
      taken.close()
      const inUse = listenError("the test server", { host: "TEST_HOST", port: "TEST_PORT" }, { host: "127.0.0.1", port }, error)
      assert.strictEqual(inUse._tag, "HttpListenError")
      assert.strictEqual(
        inUse.message,
        `the test server cannot listen on TEST_HOST=127.0.0.1 TEST_PORT=${port}: the port is in use by another process (EADDRINUSE)`
      )
      const badBind = listenError("x", { host: "H", port: "P" }, { host: "203.0.113.9", port: 80 }, Object.assign(new Error(""), { code: "EADDRNOTAVAIL" }))
      assert.include(badBind.message, "H=203.0.113.9 P=80: the address is not one of this machine's (EADDRNOTAVAIL)")
      const exit = yield* Effect.exit(Effect.fail(inUse))
      assert.isTrue(Exit.isFailure(exit))
    }))
})
