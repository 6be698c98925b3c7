/**
 * Why a server could not start listening, said so that an operator can act on it: the
 * variables that set the address, the address, and the reason in words (port in use, not
 * this machine's address, privileges, name resolution).
 */
import { Schema } from "effect"

/** A server could not listen: the message names the variables, the address and the reason. */
export class HttpListenError extends Schema.TaggedError<HttpListenError>()("HttpListenError", {
  message: Schema.String
}) {}

/** The listen failure of `host:port`, configured by `hostVariable` and `portVariable`. */
export const listenError = (
  what: string,
  variables: { readonly host: string; readonly port: string },
  address: { readonly host: string; readonly port: number },
  cause: unknown
): HttpListenError => {
  const code = typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined
  const reason = code === "EADDRINUSE"
    ? "the port is in use by another process"
    : code === "EADDRNOTAVAIL"
    ? "the address is not one of this machine's"
    : code === "EACCES"
    ? "permission denied (a port below 1024 needs privileges)"
    : code === "ENOTFOUND" || code === "EAI_AGAIN"
    ? "the host name does not resolve"
    : cause instanceof Error && cause.message !== ""
    ? cause.message
    : String(cause)
  return new HttpListenError({
    message: `${what} cannot listen on ${variables.host}=${address.host} ${variables.port}=${address.port}: ${reason}${
      code === undefined ? "" : ` (${code})`
    }`
  })
}
