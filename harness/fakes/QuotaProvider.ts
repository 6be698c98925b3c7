/**
 * A loopback LLM provider with a request quota and outages, for the quota benchmark
 * (`bench/quota.bench.ts`) and the tests of the call policy: an HTTP server on 127.0.0.1
 * (random port) that speaks the OpenAI Chat Completions API (`POST /v1/chat/completions`) and
 * the Anthropic Messages API (`POST /v1/messages`) well enough for the real SDKs as the project
 * calls them.
 *
 * - Classification requests (OpenAI: `response_format`; Anthropic: the `classify_ticket` tool)
 *   get a valid classification of the ticket's text (keywords; confidence 0.95, never
 *   `unknown`), so every ticket goes to a specialist.
 * - Draft requests (no tools, no response format) get a short, polite reply with no personal
 *   data and no promise, so the guardrails pass it.
 * - Tool-calling turns of the escalation agent (other tools) get a final text answer with no
 *   tool call (the agent then opens the ticket from the triage data): operation `tool_turn`.
 *
 * Quota: at most R requests per second (fixed 1-second windows from the server's start, or any
 * 1,000 ms); beyond it a 429 with `retry-after`. Only requests that were let through count
 * against it. Every answer (429s and 5xx included) waits `latencyMs`; the quota and the outage
 * are decided when the request arrives.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { Predicate } from "effect"
import { readBody } from "./FakeLlmServer.ts"

export interface QuotaProviderOptions {
  /** Quota in requests per second; beyond it: 429 with `retry-after` (seconds). Default: no quota. */
  readonly requestsPerSecond?: number | undefined
  /** "fixed": 1-second windows (default); "sliding": at most R requests in any 1,000 ms. */
  readonly window?: "fixed" | "sliding" | undefined
  /** The `retry-after` value sent with a 429, in seconds (default 1). */
  readonly retryAfterSeconds?: number | undefined
  /** Also send the providers' rate-limit headers on every answer (OpenAI `x-ratelimit-limit-requests`/`-remaining-requests`/`-reset-requests` per minute; Anthropic `anthropic-ratelimit-requests-limit`/`-remaining`/`-reset` RFC 3339). Default false. */
  readonly rateLimitHeaders?: boolean | undefined
  /** Latency of every answer, in ms (default 0). */
  readonly latencyMs?: number | undefined
}

export type OutageMode = "refuse" | "500" | "503" | "529" | "hang"

/** What a request asked for: a classification, a draft, or an escalation tool turn. */
export type QuotaOperation = "classify" | "draft" | "tool_turn"

export interface QuotaProviderStats {
  /** Requests that reached the handler (refused connections are not requests). */
  readonly requests: number
  readonly ok: number
  /** Answered 429. */
  readonly throttled: number
  /** Answered 5xx during an outage. */
  readonly failed: number
  /**
   * Requests reset by a "refuse" outage: those in flight when it began. Connections the
   * kernel refuses while nothing listens cannot be counted.
   */
  readonly refused: number
  /** Every answered request: when it arrived (ms since the server started), its status and operation. */
  readonly timeline: ReadonlyArray<{ readonly atMs: number; readonly status: number; readonly operation: QuotaOperation }>
}

export interface QuotaProvider {
  /** `http://127.0.0.1:<port>`: Anthropic SDK base URL as is; OpenAI base URL `${url}/v1`. */
  readonly url: string
  readonly stats: () => QuotaProviderStats
  /**
   * Starts an outage now (`refuse`: stop listening so connections are refused, and reset the
   * open connections; listen again on the SAME port when it ends; `hang`: accept and never
   * answer, the hung requests' connections are reset when it ends; 5xx: answer that status)
   * and ends it after `durationMs` (or when `endOutage` is called).
   */
  readonly startOutage: (mode: OutageMode, durationMs?: number) => void
  readonly endOutage: () => void
  /** Changes the quota while running. */
  readonly setQuota: (requestsPerSecond: number | undefined) => void
  readonly close: () => Promise<void>
}

// ---------------------------------------------------------------------------
// Reading requests
// ---------------------------------------------------------------------------

type Wire = "openai" | "anthropic"

const parseObject = (text: string): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(text)
    return Predicate.isObject(value) && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

const toolNames = (body: Record<string, unknown>): ReadonlyArray<string> => {
  const tools = body["tools"]
  if (!Array.isArray(tools)) return []
  return tools.flatMap((tool: unknown) => {
    if (!Predicate.isObject(tool)) return []
    const t = tool as Record<string, unknown>
    const fn = t["function"]
    const name = typeof t["name"] === "string"
      ? t["name"]
      : Predicate.isObject(fn) && typeof (fn as Record<string, unknown>)["name"] === "string"
      ? (fn as Record<string, unknown>)["name"] as string
      : undefined
    return name === undefined ? [] : [name]
  })
}

/** What the request asks for, from its shape (see the module's doc). */
export const operationOf = (wire: Wire, body: Record<string, unknown>): QuotaOperation => {
  const tools = toolNames(body)
  if (wire === "openai" && body["response_format"] !== undefined) return "classify"
  if (tools.includes("classify_ticket")) return "classify"
  return tools.length > 0 ? "tool_turn" : "draft"
}

const textOf = (content: unknown): string => {
  if (typeof content === "string") return content
  if (!Array.isArray(content)) return ""
  return content.map((part: unknown) =>
    Predicate.isObject(part) && typeof (part as Record<string, unknown>)["text"] === "string"
      ? (part as Record<string, unknown>)["text"] as string
      : ""
  ).join("\n")
}

/** The text of the last user message. */
const lastUserText = (body: Record<string, unknown>): string => {
  const messages = Array.isArray(body["messages"]) ? (body["messages"] as ReadonlyArray<unknown>) : []
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]
    if (Predicate.isObject(m) && (m as Record<string, unknown>)["role"] === "user") {
      return textOf((m as Record<string, unknown>)["content"])
    }
  }
  return ""
}

/** The ticket between the delimiters (the whole text when they are missing). */
const ticketText = (text: string): string => {
  const open = text.indexOf("<ticket>")
  const close = text.lastIndexOf("</ticket>")
  return open >= 0 && close > open ? text.slice(open + "<ticket>".length, close) : text
}

// ---------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------

type ReplyType = "billing" | "technical" | "feature_request" | "account" | "other"

const keywords: ReadonlyArray<readonly [ReplyType, ReadonlyArray<string>]> = [
  ["billing", ["charge", "refund", "invoice", "payment", "billing", "subscription", "price", "receipt", "paid"]],
  ["technical", ["error", "crash", "bug", "not working", "broken", "timeout", "fails", "slow", "outage", "sync", "api"]],
  ["feature_request", ["feature", "would be great", "would love", "please add", "add support", "dark mode", "suggestion"]],
  ["account", ["account", "password", "locked", "unlock", "username", "2fa", "two-factor", "profile", "sign in"]]
]

/** A classification of the ticket's text: the type with the most keywords, else `other`. */
export const classifyText = (text: string) => {
  const lower = text.toLowerCase()
  let best: ReplyType = "other"
  let bestScore = 0
  for (const [type, words] of keywords) {
    const score = words.filter((w) => lower.includes(w)).length
    if (score > bestScore) {
      best = type
      bestScore = score
    }
  }
  return {
    reasoning: `The customer's message is about ${best.replace("_", " ")}.`,
    type: best,
    priority: "medium",
    confidence: 0.95
  }
}

const replies: Record<ReplyType, string> = {
  billing:
    "Thank you for writing to us about your bill. Our billing team is reviewing the charge on your account, and we will reply here with what we find.",
  technical:
    "Thank you for the report. Please try these steps: 1) clear your browser cache, 2) sign in from a private window, 3) if the problem persists, tell us when it happened so our engineers can look into it.",
  feature_request:
    "Thank you for the suggestion. We have shared it with our product team, who review every request when they plan their work.",
  account:
    "Thank you for contacting us about your account. Please use the 'Forgot password' link on the sign-in page; if that does not help, reply here and we will verify your identity.",
  other:
    "Thank you for getting in touch. Our support team is glad to help; reply here with any details you would like us to look at."
}

const replyTypeOfDraft = (text: string): ReplyType => {
  const match = /reply to this (\w+) ticket/.exec(text)
  const type = match?.[1]
  return type === "billing" || type === "technical" || type === "feature_request" || type === "account" ? type : "other"
}

const escalationAnswer = "The ticket needs a person: please open a ticket from the triage data."

let answers = 0

const openAiBody = (operation: QuotaOperation, body: Record<string, unknown>) => {
  const user = lastUserText(body)
  const content = operation === "classify"
    ? JSON.stringify(classifyText(ticketText(user)))
    : operation === "draft"
    ? replies[replyTypeOfDraft(user)]
    : escalationAnswer
  return {
    id: `chatcmpl-quota-${++answers}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: typeof body["model"] === "string" ? body["model"] : "gpt-quota",
    choices: [{
      index: 0,
      message: { role: "assistant", content, refusal: null },
      finish_reason: "stop",
      logprobs: null
    }],
    usage: { prompt_tokens: 200, completion_tokens: 40, total_tokens: 240 }
  }
}

const anthropicBody = (operation: QuotaOperation, body: Record<string, unknown>) => {
  const user = lastUserText(body)
  const content = operation === "classify"
    ? [{ type: "tool_use", id: `toolu_quota_${answers + 1}`, name: "classify_ticket", input: classifyText(ticketText(user)) }]
    : [{ type: "text", text: operation === "draft" ? replies[replyTypeOfDraft(user)] : escalationAnswer }]
  return {
    id: `msg_quota_${++answers}`,
    type: "message",
    role: "assistant",
    model: typeof body["model"] === "string" ? body["model"] : "claude-quota",
    content,
    stop_reason: operation === "classify" ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 200, output_tokens: 40 }
  }
}

const errorBody = (wire: Wire, status: number) => {
  const [anthropicType, openAiType, message] = status === 429
    ? ["rate_limit_error", "requests", "Rate limit reached for requests"]
    : status === 529
    ? ["overloaded_error", "server_error", "Overloaded"]
    : status === 503
    ? ["api_error", "server_error", "Service unavailable"]
    : ["api_error", "server_error", "Internal server error"]
  return wire === "anthropic"
    ? { type: "error", error: { type: anthropicType, message } }
    : { error: { message, type: openAiType, param: null, code: status === 429 ? "rate_limit_exceeded" : null } }
}

/** OpenAI's duration format: `20ms`, `1.5s`, `6m0s`. */
const openAiDuration = (ms: number): string => {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))}ms`
  if (ms < 60_000) return `${Math.round(ms) / 1000}s`
  const minutes = Math.floor(ms / 60_000)
  return `${minutes}m${Math.round((ms - minutes * 60_000) / 1000)}s`
}

// ---------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------

const listenOn = (server: Server, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.once("error", onError)
    server.listen(port, "127.0.0.1", () => {
      server.off("error", onError)
      resolve((server.address() as AddressInfo).port)
    })
  })

const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    if (!server.listening) return resolve()
    server.close(() => resolve())
    server.closeAllConnections()
  })

/** Starts the provider; `close` stops it. */
export const startQuotaProvider = async (options: QuotaProviderOptions = {}): Promise<QuotaProvider> => {
  const started = performance.now()
  const now = () => performance.now() - started
  const latencyMs = options.latencyMs ?? 0
  const retryAfter = options.retryAfterSeconds ?? 1
  const sliding = options.window === "sliding"
  let quota = options.requestsPerSecond

  let requests = 0
  let ok = 0
  let throttled = 0
  let failed = 0
  let refused = 0
  const timeline: Array<{ atMs: number; status: number; operation: QuotaOperation }> = []

  // The quota: admitted requests in the current fixed window, or their times in the last second.
  let windowIndex = -1
  let windowCount = 0
  const recent: Array<number> = []
  // Admitted requests in the last minute, for the rate-limit headers.
  const lastMinute: Array<number> = []

  let outage: OutageMode | undefined
  let outageTimer: ReturnType<typeof setTimeout> | undefined
  let closing = false
  const sockets = new Set<Socket>()
  const inFlight = new Set<ServerResponse>()
  const hung = new Set<ServerResponse>()
  const timers = new Set<ReturnType<typeof setTimeout>>()

  const admit = (at: number): boolean => {
    while (lastMinute.length > 0 && lastMinute[0]! <= at - 60_000) lastMinute.shift()
    if (quota === undefined) {
      lastMinute.push(at)
      return true
    }
    if (sliding) {
      while (recent.length > 0 && recent[0]! <= at - 1_000) recent.shift()
      if (recent.length >= quota) return false
      recent.push(at)
    } else {
      const index = Math.floor(at / 1_000)
      if (index !== windowIndex) {
        windowIndex = index
        windowCount = 0
      }
      if (windowCount >= quota) return false
      windowCount++
    }
    lastMinute.push(at)
    return true
  }

  const rateLimitHeaders = (wire: Wire, at: number): Record<string, string> => {
    if (options.rateLimitHeaders !== true || quota === undefined) return {}
    const limit = Math.round(quota * 60)
    const remaining = Math.max(0, limit - lastMinute.length)
    const resetMs = ((limit - remaining) / quota) * 1_000
    return wire === "openai"
      ? {
        "x-ratelimit-limit-requests": String(limit),
        "x-ratelimit-remaining-requests": String(remaining),
        "x-ratelimit-reset-requests": openAiDuration(resetMs)
      }
      : {
        "anthropic-ratelimit-requests-limit": String(limit),
        "anthropic-ratelimit-requests-remaining": String(remaining),
        "anthropic-ratelimit-requests-reset": new Date(Date.now() + resetMs + (at - now())).toISOString()
      }
  }

  const answer = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string>,
    onSent: () => void
  ) => {
    const send = () => {
      inFlight.delete(response)
      if (response.destroyed || response.writableEnded) return
      onSent()
      response.writeHead(status, { "content-type": "application/json", ...headers })
      response.end(JSON.stringify(body))
    }
    if (latencyMs <= 0) return send()
    const timer = setTimeout(() => {
      timers.delete(timer)
      send()
    }, latencyMs)
    timers.add(timer)
    response.on("close", () => {
      clearTimeout(timer)
      timers.delete(timer)
      inFlight.delete(response)
    })
  }

  const handle = (request: IncomingMessage, response: ServerResponse, text: string) => {
    const path = (request.url ?? "").split("?")[0]
    const wire: Wire | undefined = request.method === "POST" && path === "/v1/chat/completions"
      ? "openai"
      : request.method === "POST" && path === "/v1/messages"
      ? "anthropic"
      : undefined
    if (wire === undefined) {
      response.writeHead(404, { "content-type": "application/json" })
      response.end(JSON.stringify({ error: { message: `no route ${request.method} ${path}` } }))
      return
    }
    const at = now()
    requests++
    inFlight.add(response)
    const body = parseObject(text)
    const operation = operationOf(wire, body)
    const requestId = { [wire === "openai" ? "x-request-id" : "request-id"]: `req_quota_${requests}` }
    if (outage === "hang") {
      inFlight.delete(response)
      hung.add(response)
      response.on("close", () => hung.delete(response))
      return
    }
    if (outage !== undefined && outage !== "refuse") {
      const status = Number(outage)
      return answer(response, status, errorBody(wire, status), requestId, () => {
        failed++
        timeline.push({ atMs: at, status, operation })
      })
    }
    if (!admit(at)) {
      return answer(response, 429, errorBody(wire, 429), {
        ...requestId,
        "retry-after": String(retryAfter),
        ...rateLimitHeaders(wire, at)
      }, () => {
        throttled++
        timeline.push({ atMs: at, status: 429, operation })
      })
    }
    const reply = wire === "openai" ? openAiBody(operation, body) : anthropicBody(operation, body)
    return answer(response, 200, reply, { ...requestId, ...rateLimitHeaders(wire, at) }, () => {
      ok++
      timeline.push({ atMs: at, status: 200, operation })
    })
  }

  const server = createServer((request, response) => {
    void readBody(request).then((text) => handle(request, response, text), () => response.destroy())
  })
  server.keepAliveTimeout = 60_000
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  const port = await listenOn(server, 0)

  // Listening stops and starts in order, even when an outage ends before the server closed.
  let listening: Promise<unknown> = Promise.resolve()

  const resetAll = () => {
    for (const socket of sockets) socket.destroy()
  }

  const endOutage = () => {
    if (outageTimer !== undefined) clearTimeout(outageTimer)
    outageTimer = undefined
    const ended = outage
    outage = undefined
    if (ended === "hang") {
      for (const response of hung) response.socket?.destroy()
      hung.clear()
    }
    if (ended === "refuse" && !closing) {
      listening = listening.then(() => listenOn(server, port)).catch(() => undefined)
    }
  }

  const startOutage = (mode: OutageMode, durationMs?: number) => {
    if (outage !== undefined) endOutage()
    outage = mode
    if (mode === "refuse") {
      refused += inFlight.size
      listening = listening.then(() => {
        const closed = closeServer(server)
        resetAll()
        return closed
      })
    }
    if (durationMs !== undefined) outageTimer = setTimeout(endOutage, durationMs)
  }

  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => ({ requests, ok, throttled, failed, refused, timeline: [...timeline] }),
    startOutage,
    endOutage,
    setQuota: (requestsPerSecond) => {
      quota = requestsPerSecond
    },
    close: async () => {
      closing = true
      if (outageTimer !== undefined) clearTimeout(outageTimer)
      outage = undefined
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      await listening
      const closed = closeServer(server)
      resetAll()
      await closed
    }
  }
}
