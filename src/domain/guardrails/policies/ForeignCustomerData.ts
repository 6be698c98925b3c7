/**
 * The `foreign_customer_data` policy: the ids, emails and phone numbers of other customers in
 * a reply (anything the ticket's own customer record does not hold). Works on the normalized
 * text (`normalization/Normalize.ts`) and the PII found in it, and returns spans on it.
 */
import { type PiiOptions, phoneValue } from "../detectors/Phones.ts"
import { profileText, startsOf, type TextProfile, triggerGroup } from "../detectors/Triggers.ts"
import type { Hit, PiiCandidate } from "../verdict/Types.ts"

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** The ticket's own customer, as the specialist knows it. */
export interface CustomerContext {
  readonly customerId?: string | undefined
  /** The enriched customer record (`ticket.customer`), any JSON object. */
  readonly customer?: { readonly [key: string]: unknown } | undefined
}

/**
 * The default shape of a customer id: `cust-…`, `customer_…`, `acct-…`, `account-…`, `client-…`,
 * `member-…`, `user-…` followed by letters/digits, or `…-cust` / `…-customer` (the seed ids
 * `cust-1`, `e2e-cust`, `int-cust`, `test-customer`). Configurable (`GUARDRAILS_CUSTOMER_ID_PATTERN`).
 */
export const defaultCustomerIdPattern =
  String.raw`(?<![\w-])(?:(?:cust|cus|customer|acct|acc|account|client|member|usr|user)[-_][A-Za-z0-9][\w-]*|[A-Za-z0-9]\w*-cust(?:omer)?)(?![\w-])`

/**
 * The shape of the ticket's own customer id, as a pattern for ids like it: its letters-and-
 * separator prefix kept (`cust-`, `C-`, `acct_`), the rest as digits or letters-and-digits of
 * about the same length (`cust-48213` → `cust-` and 3–7 digits). `undefined` when the id has no
 * such prefix or nothing after it.
 */
export const idShapeOf = (id: string): RegExp | undefined => idShapeOfCached(id)?.regex

interface IdShape {
  readonly regex: RegExp
  /** Finds the shape's prefix (`cust-`, `C-`), case-insensitively. */
  readonly test: RegExp
}

const shapes = new Map<string, IdShape | null>()

const idShapeOfCached = (id: string): IdShape | undefined => {
  const hit = shapes.get(id)
  if (hit !== undefined) return hit ?? undefined
  const shape = buildIdShape(id)
  if (shapes.size > 1000) shapes.clear()
  shapes.set(id, shape ?? null)
  return shape
}

const buildIdShape = (id: string): IdShape | undefined => {
  const m = /^([A-Za-z]{1,12}[-_#:./])([A-Za-z0-9]{1,40}(?:[-_./][A-Za-z0-9]{1,40}){0,3})$/.exec(id)
  if (m === null || (m[2] ?? "").replace(/[-_./]/g, "").length < 3) return undefined
  const prefix = escapeRegExp(m[1] ?? "")
  // Each part after the prefix as its class: digits of about the same length, letters of the
  // same length, letters-and-digits (`u-2291-de` → `u-` 2–6 digits `-` two letters).
  const part = (p: string): string => {
    const min = Math.max(1, p.length - 2)
    const max = p.length + 2
    if (/^\d+$/.test(p)) return `\\d{${min},${max}}`
    if (/^[A-Za-z]+$/.test(p)) return `[A-Za-z]{${p.length}}`
    return `(?=[A-Za-z]*\\d)[A-Za-z0-9]{${min},${max}}`
  }
  const pieces = (m[2] ?? "").split(/([-_./])/)
  const body = pieces.map((p, i) => (i % 2 === 1 ? escapeRegExp(p) : part(p))).join("")
  return { regex: new RegExp(`(?<![\\w-])${prefix}${body}(?![\\w-])`, "giu"), test: new RegExp(prefix, "i") }
}

/** A customer id pattern, with a prefilter for the default one (`undefined`: always run). */
export interface CompiledCustomerIdPattern {
  readonly regex: RegExp
  readonly hint: RegExp | undefined
}

/** Every match of the default customer id pattern contains one of these. */
const DEFAULT_ID_HINT_RE = /cust|acct|acc[-_]|account[-_]|client[-_]|member[-_]|usr[-_]|user[-_]|cus[-_]/i

export const customerIdPattern = (source: string): CompiledCustomerIdPattern => ({
  regex: new RegExp(source, "giu"),
  hint: source === defaultCustomerIdPattern ? DEFAULT_ID_HINT_RE : undefined
})

const ID_CUE_HINT_RE = /customer|account|client|member|user|kunde|klant|kund|asiakas|m[üu][şs]teri|cliente/i
/** Words of customer ids and of their cues (trigger words, `detectors/Triggers.ts`). */
const ID_WORDS = triggerGroup([
  "cust", "cus", "customer", "acct", "acc", "account", "client", "member", "usr", "user", "kunde", "kunden", "klant", "kund",
  "asiakas", "müşteri", "musteri", "cliente"
])

/** An id after a cue ("customer id: X", "account #X", "customer number X"); X needs a digit, `-` or `_`. */
const ID_CUE_RE =
  /\b(?:customer|account|client|member|user|kunde|kunden|klant|kund|asiakas|m[üu][şs]teri|cliente)(?:\s+|-)?(?:id|ids|number|no\.?|nr\.?|nummer|numero|num[ée]ro|número|nro\.?|#)\s*[:#]?\s*(?:is\s+|ist\s+|est\s+|es\s+)?([A-Za-z0-9][\w.-]{1,63})/giu
/**
 * An id right after a customer word with no number word ("Customer ORG-00713 reported …",
 * "Kunde CL-2026-0412"): it must look like an id, with a digit and a `-` / `_` or letters.
 */
const BARE_ID_CUE_RE =
  /\b(?:customer|client|kunden?|klant|kund|asiakas|m[üu][şs]teri|cliente)\s+((?=[\w.-]*\d)(?=[\w.-]*[A-Za-z_-])[A-Za-z0-9][\w.-]{3,63})/giu

const ID_CUE_AT_RE = new RegExp(ID_CUE_RE.source.replace(/^\\b/, ""), "iuy")
const BARE_ID_CUE_AT_RE = new RegExp(BARE_ID_CUE_RE.source.replace(/^\\b/, ""), "iuy")

interface OwnData {
  readonly ids: ReadonlySet<string>
  readonly emails: ReadonlySet<string>
  readonly phones: ReadonlyArray<string>
}

const ownDataOf = (context: CustomerContext, options: PiiOptions): OwnData => {
  const ids = new Set<string>()
  const emails = new Set<string>()
  const phones: Array<string> = []
  if (context.customerId !== undefined && context.customerId.length > 0) ids.add(context.customerId.toLowerCase())
  const visit = (value: unknown, key: string, depth: number): void => {
    if (depth > 8) return
    if (typeof value === "string") {
      const v = value.trim()
      if (/(?:^|_)id$|^id$/i.test(key) || /^(?:customer|account|client)/i.test(key)) ids.add(v.toLowerCase())
      if (v.includes("@")) emails.add(v.toLowerCase())
      else if (/phone|mobile|tel|fax|cell|whatsapp/i.test(key)) {
        const p = phoneValue(v, options)
        if (p !== undefined) phones.push(p)
      }
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, key, depth + 1)
    } else if (typeof value === "object" && value !== null) {
      for (const [k, v] of Object.entries(value)) visit(v, k, depth + 1)
    }
  }
  if (context.customer !== undefined) visit(context.customer, "", 0)
  return { ids, emails, phones }
}

const lastDigits = (value: string): string => value.replace(/\D/g, "").slice(-9)

/**
 * Other customers' identifiers, emails and phone numbers in a reply: any email or phone number
 * the customer record does not hold; any customer id (the configured shape, the shape of the
 * ticket's own id, or a token after "customer id", "account number" …) that is not the
 * ticket's own.
 */
export const findForeignCustomerData = (
  text: string,
  pii: ReadonlyArray<PiiCandidate>,
  context: CustomerContext,
  customerId: CompiledCustomerIdPattern,
  options: PiiOptions,
  profile: TextProfile = profileText(text)
): ReadonlyArray<Hit> => {
  let cached: OwnData | undefined
  const own = (): OwnData => (cached ??= ownDataOf(context, options))
  const hits: Array<Hit> = []
  for (const match of pii) {
    if (match.kind === "email" && !own().emails.has(match.value)) hits.push({ kind: "email", start: match.start, end: match.end })
    if (match.kind === "phone") {
      const mine = own().phones.some((p) => p === match.value || lastDigits(p) === lastDigits(match.value))
      if (!mine) hits.push({ kind: "phone", start: match.start, end: match.end })
    }
  }
  const ownId = context.customerId ?? (typeof context.customer?.["customer_id"] === "string" ? context.customer["customer_id"] : undefined)
  const shape = ownId === undefined ? undefined : idShapeOfCached(ownId)
  const idWords = (profile.groups & ID_WORDS) !== 0
  // The default pattern needs one of its words; a cue needs one and a number word or `#`; an id of the own one's shape needs a digit.
  const byPattern = customerId.hint === undefined || (idWords && customerId.hint.test(text))
  const byCue = idWords && ID_CUE_HINT_RE.test(text)
  const byShape = shape !== undefined && profile.digits > 0 && shape.test.test(text)
  if (!(byPattern || byCue || byShape)) return hits
  const inPii = (start: number): boolean => pii.some((m) => m.start <= start && start < m.end)
  // Candidates first: the customer record is read (its phone parsed) only when some id is there.
  const candidates: Array<Hit> = []
  const check = (id: string, start: number): void => {
    const token = id.replace(/[.,;:]+$/, "")
    if (candidates.some((h) => h.start === start) || hits.some((h) => h.start === start)) return
    // A label of a host name (`https://example.com.account-check.test/`) is not an id.
    if (text[start - 1] === "." || /^\.[a-z]/i.test(text.slice(start + token.length, start + token.length + 2))) return
    if (!inPii(start)) candidates.push({ kind: "customer_id", start, end: start + token.length })
  }
  if (byPattern) {
    for (const m of text.matchAll(customerId.regex)) check(m[0], m.index)
  }
  if (byShape) {
    for (const m of text.matchAll(shape.regex)) check(m[0], m.index)
  }
  if (byCue) {
    // Tried only where a customer word starts (the cues begin with one).
    for (const at of startsOf(profile, ID_WORDS)) {
      ID_CUE_AT_RE.lastIndex = at
      const m = ID_CUE_AT_RE.exec(text)
      if (m !== null) {
        const id = m[1] ?? ""
        if (/[\d_-]/.test(id)) check(id, at + m[0].length - id.length)
        continue
      }
      BARE_ID_CUE_AT_RE.lastIndex = at
      const bare = BARE_ID_CUE_AT_RE.exec(text)
      if (bare !== null) {
        const id = bare[1] ?? ""
        check(id, at + bare[0].length - id.length)
      }
    }
  }
  if (candidates.length === 0 || own().ids.size === 0) return hits
  for (const c of candidates) if (!own().ids.has(text.slice(c.start, c.end).toLowerCase())) hits.push(c)
  return hits
}
