/**
 * What an LLM call costs: a price table by model (US dollars per million input and output
 * tokens), overridable from a JSON file (`--prices FILE`), and the cost of token counts.
 *
 * The defaults are list prices for standard (non-batch, non-cached) calls as published by the
 * providers when this table was written; check them before quoting a figure, and override
 * them with `--prices` for negotiated or newer prices.
 */
import { Effect, Result, Schema, SchemaIssue } from "effect"
import { readFileSync } from "node:fs"
import { defaultPrices, type PriceTable } from "../../domain/Pricing.ts"

export { costUsd, defaultPrices, freeProviders, type ModelPrice, type PriceTable, priceOf } from "../../domain/Pricing.ts"

const Price = Schema.Struct({
  input: Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0)),
  output: Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))
})

/** A prices file: `{ "<model>": { "input": <$ per 1M>, "output": <$ per 1M> }, … }`. */
export const PricesFile = Schema.Record(Schema.String, Price)

export class PricesFileError extends Schema.TaggedError<PricesFileError>()("PricesFileError", {
  message: Schema.String
}) {}

const decodePrices = Schema.decodeUnknownResult(PricesFile)
const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/** The prices of a JSON text, merged over `base` (an entry in the text wins). */
export const parsePrices = (text: string, source: string, base: PriceTable = defaultPrices) =>
  Effect.gen(function*() {
    const json = yield* Effect.try({
      try: (): unknown => JSON.parse(text),
      catch: (error) => new PricesFileError({ message: `${source}: not JSON (${error instanceof Error ? error.message : String(error)})` })
    })
    const decoded = decodePrices(json, { errors: "all", onExcessProperty: "error" })
    if (Result.isFailure(decoded)) {
      const first = formatter(decoded.failure.issue).issues[0]
      const path = (first?.path ?? []).map((segment) => String(typeof segment === "object" ? segment.key : segment))
      const where = path.length === 0 ? "" : `${path.join(".")}: `
      return yield* new PricesFileError({ message: `${source}: ${where}${first?.message ?? "invalid prices"}` })
    }
    return { ...base, ...decoded.success } satisfies PriceTable
  })

/** The prices of a file, merged over the defaults. */
export const loadPrices = (path: string) =>
  Effect.try({
    try: () => readFileSync(path, "utf8"),
    catch: (error) => new PricesFileError({ message: `${path}: cannot read (${error instanceof Error ? error.message : String(error)})` })
  }).pipe(Effect.flatMap((text) => parsePrices(text, path)))
