/**
 * Test helpers for DynamoDB: DynamoDB Local for the tests of a file (started in beforeAll on a
 * free 127.0.0.1 port, in memory; stopped in afterAll, and killed with the test process if
 * that dies first), plus loopback servers that misbehave.
 */
import { Effect } from "effect"
import { createServer, type Server, type Socket } from "node:net"
import { afterAll, beforeAll } from "vitest"
import { type DynamoDbLocal, startDynamoDbLocal } from "../../scripts/dynamodb-local.ts"

/** Runs DynamoDB Local around the tests of the calling file; the getter throws before it runs. */
export const useDynamoDbLocal = (): (() => DynamoDbLocal) => {
  let local: DynamoDbLocal | undefined
  beforeAll(async () => {
    local = await Effect.runPromise(startDynamoDbLocal())
  }, 120_000)
  afterAll(async () => {
    await local?.stop()
  })
  return () => {
    if (local === undefined) throw new Error("DynamoDB Local is not running (did beforeAll fail?)")
    return local
  }
}

export interface BlackHole {
  readonly endpoint: string
  /** Connections accepted so far. */
  readonly connections: () => number
  /** Connections still open. */
  readonly open: () => number
  readonly close: () => Promise<void>
}

/** A 127.0.0.1 TCP server that accepts connections and never answers. */
export const startBlackHole = (): Promise<BlackHole> =>
  new Promise((resolve, reject) => {
    const sockets = new Set<Socket>()
    let accepted = 0
    const server: Server = createServer((socket) => {
      accepted++
      sockets.add(socket)
      socket.on("error", () => {})
      socket.on("close", () => sockets.delete(socket))
      socket.resume()
    })
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      if (address === null || typeof address === "string") return reject(new Error("no TCP address"))
      resolve({
        endpoint: `http://127.0.0.1:${address.port}`,
        connections: () => accepted,
        open: () => sockets.size,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          })
      })
    })
  })

/** A 127.0.0.1 port nothing listens on (bound, then released). */
export const closedPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => {
        if (address === null || typeof address === "string") reject(new Error("no TCP address"))
        else resolve(address.port)
      })
    })
  })
