/**
 * Unicode's confusables data (the `unhomoglyph` package): the skeleton of each code point that
 * looks like another, and the skeleton of a string. `CodePointFolding.ts` folds with it; the
 * prompt builder (`services/llm/Prompts.ts`) finds the lookalikes of `<` and `>` with it.
 */
import { createRequire } from "node:module"

const loadConfusables = (): ReadonlyMap<number, string> => {
  const raw: unknown = createRequire(import.meta.url)("unhomoglyph/data.json")
  const map = new Map<number, string>()
  if (typeof raw !== "object" || raw === null) return map
  for (const [from, to] of Object.entries(raw)) {
    const cp = from.codePointAt(0)
    if (typeof to === "string" && cp !== undefined && String.fromCodePoint(cp) === from) map.set(cp, to)
  }
  return map
}

/** Code point → its confusable skeleton (Unicode confusables, via `unhomoglyph`). */
export const confusableSkeletons: ReadonlyMap<number, string> = loadConfusables()

/** The confusable skeleton of a string (code point by code point; unmapped code points stay). */
export const confusableSkeleton = (text: string): string => {
  let out = ""
  for (const ch of text) out += confusableSkeletons.get(ch.codePointAt(0) ?? 0) ?? ch
  return out
}
