/**
 * Reading configuration values the way the original system (Python) accepted them: words in any
 * case with surrounding blanks ignored, the usual truthy and falsy words, and aliases (`text` for
 * `console`, Python's `WARNING` and `CRITICAL`). A value outside them stops startup with a
 * message that lists what is accepted and names the variable.
 */
import { Config, Option, Schema } from "effect"

/** The words read as true (any case). */
export const truthyWords = ["1", "true", "yes", "y", "on"] as const
/** The words read as false (any case); a blank value is false too. */
export const falsyWords = ["0", "false", "no", "n", "off"] as const

const normalize = (raw: string): string => raw.trim().toLowerCase()

/**
 * One of `values`, or a word of `aliases` standing for one, in any case with blanks around it
 * ignored (`LLM_PROVIDER=OpenAI` is `openai`). A problem lists the accepted values.
 */
export const choice = <const A extends string>(
  name: string,
  values: ReadonlyArray<A>,
  aliases: Readonly<Record<string, A>> = {}
): Config.Config<A> => {
  const byWord = new Map<string, A>()
  for (const value of values) byWord.set(value.toLowerCase(), value)
  for (const [alias, value] of Object.entries(aliases)) byWord.set(alias.toLowerCase(), value)
  const expected = [...values, ...Object.keys(aliases)].join(", ")
  return Config.schema(
    Schema.String.check(Schema.makeFilter((raw: string) =>
      byWord.has(normalize(raw))
        ? undefined
        : `Expected one of ${expected} (any case), got ${JSON.stringify(raw.slice(0, 40))}`
    )),
    name
  ).pipe(Config.map((raw) => byWord.get(normalize(raw)) ?? values[0]!))
}

/**
 * A yes/no variable: `1`, `true`, `yes`, `y`, `on` are true; `0`, `false`, `no`, `n`, `off` and
 * a blank value are false (any case). Unset gives `fallback`.
 */
export const flag = (name: string, fallback = false): Config.Config<boolean> =>
  Config.schema(
    Schema.String.check(Schema.makeFilter((raw: string) => {
      const word = normalize(raw)
      return word === "" || (truthyWords as ReadonlyArray<string>).includes(word) ||
          (falsyWords as ReadonlyArray<string>).includes(word)
        ? undefined
        : `Expected one of ${[...truthyWords, ...falsyWords].join(", ")} (any case), got ${JSON.stringify(raw.slice(0, 40))}`
    })),
    name
  ).pipe(
    Config.map((raw) => (truthyWords as ReadonlyArray<string>).includes(normalize(raw))),
    Config.withDefault(fallback)
  )

/**
 * An integer variable of at least `minimum`. Unset gives `fallback`; without a fallback an unset
 * variable is a problem naming it.
 */
export const intAtLeast = (minimum: number) => (name: string, fallback?: number): Config.Config<number> => {
  const value = Config.schema(Schema.Int.check(Schema.isGreaterThanOrEqualTo(minimum)), name)
  return fallback === undefined ? value : value.pipe(Config.withDefault(fallback))
}

/** An integer variable of at least 1 (unset gives `fallback`). */
export const positiveInt = intAtLeast(1)

/** An integer variable of at least 0 (unset gives `fallback`). */
export const nonNegativeInt = intAtLeast(0)

/** A string variable with blanks around it trimmed; `undefined` when unset or blank. */
export const optionalString = (name: string): Config.Config<string | undefined> =>
  Config.String(name).pipe(
    Config.option,
    Config.map((value) => Option.isSome(value) && value.value.trim() !== "" ? value.value.trim() : undefined)
  )
