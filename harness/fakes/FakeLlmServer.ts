/**
 * A fake LLM provider on 127.0.0.1 (random port) that speaks enough of the Anthropic Messages
 * API (`POST /v1/messages`) and the OpenAI Chat Completions API (`POST /v1/chat/completions`)
 * for the real SDKs: scripted replies and faults, and a record of every request it received.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, type Scope } from "effect"

export interface ReceivedRequest {
  readonly method: string
  readonly path: string
  readonly headers: Readonly<Record<string, string | undefined>>
  /** The JSON body (`undefined` when it was not JSON). */
  readonly body: unknown
}

export interface ScriptedReply {
  /** Default 200. */
  readonly status?: number
  /** Sent as JSON. */
  readonly body?: unknown
  /** Sent as is (instead of `body`). */
  readonly raw?: string
  readonly headers?: Readonly<Record<string, string>>
  /** Wait this long before answering (for timeouts). */
  readonly delayMs?: number
}

export type Responder = (request: ReceivedRequest, index: number) => ScriptedReply

export interface FakeLlmServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  /** Every request received, in order. */
  readonly requests: ReadonlyArray<ReceivedRequest>
  /** Replies to give next, in order; after them, the fallback answers. */
  readonly script: (...replies: ReadonlyArray<ScriptedReply>) => void
  readonly setFallback: (responder: Responder) => void
}

/** A request's whole body as UTF-8 text. */
export const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    request.on("error", reject)
  })

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const flatHeaders = (request: IncomingMessage): Record<string, string | undefined> =>
  Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(", ") : value])
  )

const send = (response: ServerResponse, reply: ScriptedReply): void => {
  if (response.destroyed) return
  const payload = reply.raw ?? JSON.stringify(reply.body ?? {})
  response.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers })
  response.end(payload)
}

const listen = (server: Server): Promise<string> =>
  new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as AddressInfo
      resolve(`http://127.0.0.1:${address.port}`)
    })
  })

/** Starts the fake; it stops when the scope closes. */
export const fakeLlmServer = (fallback: Responder): Effect.Effect<FakeLlmServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const requests: Array<ReceivedRequest> = []
      const queue: Array<ScriptedReply> = []
      let responder = fallback
      const server = createServer((req, res) => {
        void readBody(req).then((text) => {
          const received: ReceivedRequest = {
            method: req.method ?? "",
            path: req.url ?? "",
            headers: flatHeaders(req),
            body: parseJson(text)
          }
          requests.push(received)
          const reply = queue.shift() ?? responder(received, requests.length - 1)
          if (reply.delayMs === undefined) return send(res, reply)
          const timer = setTimeout(() => send(res, reply), reply.delayMs)
          res.on("close", () => clearTimeout(timer))
        })
      })
      const url = await listen(server)
      const fake: FakeLlmServer = {
        url,
        requests,
        script: (...replies) => void queue.push(...replies),
        setFallback: (next) => {
          responder = next
        }
      }
      return { server, fake }
    }),
    ({ server }) =>
      Effect.promise(() =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        })
      )
  ).pipe(Effect.map(({ fake }) => fake))

// ---------------------------------------------------------------------------
// Anthropic Messages API replies
// ---------------------------------------------------------------------------

export interface Usage {
  readonly input: number
  readonly output: number
}

const defaultUsage: Usage = { input: 120, output: 30 }

export const anthropicMessage = (
  content: ReadonlyArray<unknown>,
  options: { readonly stopReason?: string; readonly usage?: Usage } = {}
): ScriptedReply => ({
  body: {
    id: "msg_fake",
    type: "message",
    role: "assistant",
    model: "claude-fake",
    content,
    stop_reason: options.stopReason ?? "end_turn",
    stop_sequence: null,
    usage: {
      input_tokens: (options.usage ?? defaultUsage).input,
      output_tokens: (options.usage ?? defaultUsage).output
    }
  }
})

export const anthropicToolUse = (input: unknown, usage?: Usage): ScriptedReply =>
  anthropicMessage([{ type: "tool_use", id: "toolu_fake", name: "classify_ticket", input }], {
    stopReason: "tool_use",
    ...(usage === undefined ? {} : { usage })
  })

export const anthropicText = (text: string, usage?: Usage): ScriptedReply =>
  anthropicMessage([{ type: "text", text }], usage === undefined ? {} : { usage })

export const anthropicRefusal = (): ScriptedReply => anthropicMessage([], { stopReason: "refusal" })

// ---------------------------------------------------------------------------
// OpenAI Chat Completions replies
// ---------------------------------------------------------------------------

export const openAiCompletion = (
  content: string | null,
  options: { readonly refusal?: string; readonly finishReason?: string; readonly usage?: Usage | null } = {}
): ScriptedReply => {
  const usage = options.usage === undefined ? defaultUsage : options.usage
  return {
    body: {
      id: "chatcmpl-fake",
      object: "chat.completion",
      created: 1_700_000_000,
      model: "gpt-fake",
      choices: [{
        index: 0,
        message: { role: "assistant", content, refusal: options.refusal ?? null },
        finish_reason: options.finishReason ?? "stop",
        logprobs: null
      }],
      ...(usage === null
        ? {}
        : { usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output } })
    }
  }
}

// ---------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------

export const errorReply = (status: number, headers: Readonly<Record<string, string>> = {}): ScriptedReply => ({
  status,
  headers,
  body: { type: "error", error: { type: "fake_error", message: `fake ${status}` } }
})

export const slowReply = (reply: ScriptedReply, delayMs: number): ScriptedReply => ({ ...reply, delayMs })
