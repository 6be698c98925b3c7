/**
 * The headers every response of a protected server carries: `nosniff`, a CSP
 * (`default-src 'none'` unless the application sets its own), `Referrer-Policy: no-referrer`,
 * `X-Frame-Options: DENY`, `Cross-Origin-Resource-Policy: same-origin` and
 * `Cache-Control: no-store` (unless set).
 */
import type { ServerResponse } from "node:http"

/** The headers every response carries (the application's own values win). */
export const securityHeaders: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "no-store"
}

/** Sets the security headers the application has not set itself (call before writing). */
export const applySecurityHeaders = (res: ServerResponse) => {
  for (const [name, value] of Object.entries(securityHeaders)) {
    if (!res.hasHeader(name)) res.setHeader(name, value)
  }
}
