/**
 * Response headers as the call policy reads them: the error mapping (`retry-after`) and the
 * provider gate (rate-limit headers) both take this shape, so neither depends on the other.
 */

/** Read access to response headers (the fetch `Headers` has it). */
export interface HeaderReader {
  readonly get: (name: string) => string | null
}
