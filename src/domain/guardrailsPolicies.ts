/**
 * Reply policies beyond PII: forbidden phrases, unsafe links and credential requests,
 * commitments (refund amounts, approvals, guarantees, legal language), and other customers'
 * data. Each works on the normalized text (`guardrailsNormalize.ts`) and returns spans on it;
 * `guardrails.ts` maps them back to the original text.
 */
import type { NormalizedText } from "./guardrailsNormalize.ts"
import { originalSpan, phraseKey } from "./guardrailsNormalize.ts"
import type { FindingKind, PiiCandidate } from "./guardrailsTypes.ts"
import { type PiiOptions, phoneValue } from "./guardrailsPii.ts"

/** A finding on the normalized text. */
export interface Hit {
  readonly kind: FindingKind
  readonly start: number
  readonly end: number
}

// ---------------------------------------------------------------------------
// Phrases
// ---------------------------------------------------------------------------

/** Phrases with their keys, for `findPhrases`. */
export interface PhraseSet {
  readonly phrases: ReadonlyArray<string>
  /** Per phrase, the keys of its written forms (`I am not a lawyer`, `I'm not a lawyer`). */
  readonly keys: ReadonlyArray<ReadonlyArray<string>>
  /** Any of the keys (one scan of a text's key instead of one per phrase). */
  readonly any: RegExp | undefined
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** English contractions, both ways: a phrase written one way also matches the other. */
const CONTRACTIONS: ReadonlyArray<readonly [string, string]> = [
  ["i am", "i'm"], ["you are", "you're"], ["we are", "we're"], ["they are", "they're"], ["it is", "it's"],
  ["that is", "that's"], ["is not", "isn't"], ["are not", "aren't"], ["was not", "wasn't"],
  ["do not", "don't"], ["does not", "doesn't"], ["did not", "didn't"], ["cannot", "can't"], ["can not", "can't"],
  ["will not", "won't"], ["would not", "wouldn't"], ["we will", "we'll"], ["i will", "i'll"], ["you will", "you'll"],
  ["we have", "we've"], ["i have", "i've"], ["let us", "let's"]
]

/** The written forms of a phrase: as given, and with each contraction expanded or contracted. */
const phraseForms = (phrase: string): ReadonlyArray<string> => {
  const forms = new Set([phrase.normalize("NFKC").replace(/[\u2018\u2019\u02bc]/g, "'")])
  for (const [long, short] of CONTRACTIONS) {
    for (const form of [...forms]) {
      for (const [from, to] of [[long, short], [short, long]] as const) {
        const re = new RegExp(String.raw`(?<![\p{L}'])${escapeRegExp(from)}(?![\p{L}'])`, "giu")
        if (re.test(form)) forms.add(form.replace(re, to))
      }
    }
  }
  return [...forms]
}

export const phraseSet = (phrases: ReadonlyArray<string>): PhraseSet => {
  const keys = phrases.map((phrase) => [
    ...new Set(phraseForms(phrase).map((form) => phraseKey(form).key.replaceAll("#", "")).filter((k) => k.length > 0))
  ])
  const all = keys.flat()
  return { phrases, keys, any: all.length === 0 ? undefined : new RegExp(all.map(escapeRegExp).join("|")) }
}

/**
 * Where the phrases occur in a normalized text: substring match on phrase keys (case, accents,
 * spacing, hyphens, punctuation, `%`/`percent` and the ASCII confusables do not matter; a
 * sentence end does). `key` is `phraseKey(text).key` when the caller has it. Returns, per phrase found, its index and the normalized span of its first
 * occurrence.
 */
export const findPhrases = (
  text: string,
  set: PhraseSet,
  key: string = phraseKey(text).key
): ReadonlyArray<{ readonly index: number; readonly start: number; readonly end: number }> => {
  if (set.any === undefined || !set.any.test(key)) return []
  const found: Array<readonly [number, string]> = []
  set.keys.forEach((needles, index) => {
    const needle = needles.find((n) => key.includes(n))
    if (needle !== undefined) found.push([index, needle])
  })
  if (found.length === 0) return []
  const { key: keyed, at } = phraseKey(text, true)
  return found.map(([index, needle]) => {
    const k = keyed.indexOf(needle)
    const start = at?.[k] ?? 0
    const end = (at?.[k + needle.length - 1] ?? start) + 1
    return { index, start, end }
  })
}

// ---------------------------------------------------------------------------
// Links
// ---------------------------------------------------------------------------

/*
 * Links: `scheme://…` URLs, `www.…`, bare domains with a common TLD (`paypa1-secure.com/login`),
 * markdown links `[text](url)` and HTML anchors `<a href="url">text</a>`. A link's host must be
 * on the allow-list (the host itself or a sub-domain of a listed one). A host that is not
 * plain ASCII in the original text (written with lookalike letters or invisible characters
 * that normalization removed) is never allowed. A link whose text names a host different from
 * its target is always blocked, whatever the allow-list says.
 */
const URL_RE = /\b(?:https?|ftp):\/\/[^\s<>"'`)\]]+|\bwww\.[^\s<>"'`)\]]+/giu
const COMMON_TLDS =
  "com|net|org|info|biz|io|co|app|dev|xyz|online|site|top|shop|store|link|click|live|me|us|uk|de|fr|es|it|nl|ru|cn|tk|ml|ga|cf|gq|ly|to|cc|ws|su|pw|icu|vip|club|support|help|login|secure|account|services?|finance|bank|pay|email|page"
const BARE_DOMAIN_RE = new RegExp(
  String.raw`(?<![\p{L}\p{N}@._%/-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:${COMMON_TLDS})(?![\p{L}\p{N}-]|\.[\p{L}\p{N}])(?:\/[^\s<>"'\x60)\]]*)?`,
  "giu"
)
/** What any link has: a scheme, `www.`, an `href`, a markdown link, or a dot between a letter or digit and two letters. */
const MAYBE_LINK_RE = /:\/\/|www\.|href|\]\(|[a-z0-9]\.[a-z]{2}/i
const HOST_IN_TEXT_RE = /(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}/i
const MARKDOWN_LINK_RE = /\[([^\]\n]{0,300})\]\(\s*<?([^)\s>]{1,2000})>?(?:\s+"[^"\n]*")?\s*\)/g
const HTML_LINK_RE = /<a\b[^>]{0,500}?\bhref\s*=\s*["']?([^"'\s>]{1,2000})["']?[^>]{0,500}>([\s\S]{0,500}?)<\/a\s*>/gi

/** The host of a URL-ish string (`https://user@host:443/x`, `www.host/x`, `host.com/x`), lower case. */
export const hostOf = (link: string): string | undefined => {
  let rest = link.trim()
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(rest)
  if (scheme !== null) rest = rest.slice(scheme[0].length)
  else if (/^(?:mailto|tel):/i.test(rest)) return undefined
  const end = rest.search(/[/?#\\]/)
  let authority = end < 0 ? rest : rest.slice(0, end)
  const at = authority.lastIndexOf("@")
  if (at >= 0) authority = authority.slice(at + 1)
  const host = authority.replace(/:\d*$/, "").replace(/\.$/, "").toLowerCase()
  return host.length > 0 ? host : undefined
}

const bareHost = (host: string): string => host.replace(/^www\./, "")

/** Whether `host` is allowed: equal to a listed host or a sub-domain of one. */
export const hostAllowed = (host: string, allowed: ReadonlyArray<string>): boolean =>
  allowed.some((a) => {
    const h = bareHost(host)
    const b = bareHost(a.toLowerCase())
    return h === b || h.endsWith("." + b)
  })

/*
 * Credential requests: a verb asking for something (enter, type, provide, send, share, give,
 * tell, confirm, verify, submit, reply with, email, text, paste, write, include, disclose)
 * followed, within a few words, by a password, PIN, passcode, CVV/CVC, security code, card
 * number or details, login details/credentials, a one-time/2FA/verification code, or an SSN.
 * Not when negated shortly before ("we will never ask you to send your password") and not for
 * a new password ("enter your new password").
 */
const CREDENTIAL_NOUN_RE =
  /\b(?:password|passcode|passphrase|pin(?:\s+(?:code|number))?|cvv2?|cvc2?|cv2|csc|security\s+code|card\s+(?:number|no|details|verification\s+(?:code|value))|(?:credit|debit)\s+card(?:\s+(?:number|details))?|login\s+(?:details|credentials)|credentials|one-time\s+(?:code|password|passcode)|otp|2fa\s+code|verification\s+code|social\s+security\s+number|ssn)\b/giu
const CREDENTIAL_VERBS = new Set([
  "enter", "type", "input", "provide", "send", "share", "give", "tell", "confirm", "verify", "submit", "reply", "respond",
  "email", "text", "post", "paste", "write", "include", "disclose", "re-enter", "reenter", "key"
])
const CREDENTIAL_FILLERS = new Set([
  "us", "me", "it", "back", "with", "in", "to", "here", "below", "again", "the", "your", "full", "complete", "whole",
  "entire", "current", "old", "existing", "account", "login", "online", "banking", "bank", "card's", "16-digit", "long",
  "all", "of", "a", "copy"
])

const isWordCode = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 39 || c === 45 || c > 127

/**
 * Where the verb asking for a credential starts, reading the words (separated by spaces) right
 * before the noun backwards over filler words (`undefined`: no verb asks for it).
 */
const credentialVerbBefore = (text: string, nounStart: number): number | undefined => {
  let i = nounStart
  for (let words = 0; words < 8; words++) {
    let end = i
    while (end > 0 && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 10)) end--
    if (end === i && words > 0) return undefined
    let start = end
    while (start > 0 && isWordCode(text.charCodeAt(start - 1))) start--
    if (start === end) return undefined
    const w = text.slice(start, end).toLowerCase()
    if (CREDENTIAL_VERBS.has(w)) return start
    if (!CREDENTIAL_FILLERS.has(w)) return undefined
    i = start
  }
  return undefined
}

/** A credential request names one of these (a cheap prefilter for `CREDENTIAL_RE`). */
const CREDENTIAL_WORDS_RE = /pass|pin|cvv|cvc|cv2|csc|card|credential|otp|code|ssn|social/i
const NEGATION_BEFORE_RE = /\b(?:never|not|don't|do not|won't|will not|no one|nobody|shouldn't|should not|cannot|can't|must not|mustn't)\b[^.!?\n]{0,40}$/i

/** Link and credential-request hits in a normalized text; `emails` are spans whose domains are not links. */
export const findUnsafeLinks = (
  normalized: NormalizedText,
  allowedHosts: ReadonlyArray<string>,
  emails: ReadonlyArray<{ readonly start: number; readonly end: number }> = []
): ReadonlyArray<Hit> => {
  const text = normalized.text
  const hits: Array<Hit> = []
  if (MAYBE_LINK_RE.test(text)) {
    /** Whether the original text of a host's span is the host as read (no lookalikes, no invisible characters). */
    const writtenPlainly = (start: number, end: number, host: string): boolean => {
      const [s, e] = originalSpan(normalized, start, end)
      const original = normalized.original.slice(s, e).toLowerCase()
      return original.includes(host) && /^[\x20-\x7E]*$/.test(original)
    }
    const covered: Array<readonly [number, number]> = emails.map((e) => [e.start, e.end] as const)
    const isCovered = (at: number): boolean => covered.some(([s, e]) => s <= at && at < e)
    const checkLink = (start: number, link: string): void => {
      if (isCovered(start)) return
      covered.push([start, start + link.length])
      const host = hostOf(link)
      if (host === undefined) return
      const hostStart = start + Math.max(0, link.toLowerCase().indexOf(host))
      if (!hostAllowed(host, allowedHosts) || !writtenPlainly(hostStart, hostStart + host.length, host)) {
        hits.push({ kind: "host_not_allowed", start, end: start + link.length })
      }
    }
    const checkLabelled = (start: number, end: number, label: string, target: string): void => {
      const named = HOST_IN_TEXT_RE.exec(label)?.[0]?.toLowerCase()
      const host = hostOf(target)
      if (named !== undefined && (host === undefined || bareHost(named) !== bareHost(host))) {
        hits.push({ kind: "link_text_mismatch", start, end })
      }
    }
    for (const m of text.matchAll(MARKDOWN_LINK_RE)) {
      const label = m[1] ?? ""
      const target = m[2] ?? ""
      checkLabelled(m.index, m.index + m[0].length, label, target)
      checkLink(m.index + m[0].indexOf(target, label.length + 2), target)
    }
    for (const m of text.matchAll(HTML_LINK_RE)) {
      const target = m[1] ?? ""
      const label = m[2] ?? ""
      checkLabelled(m.index, m.index + m[0].length, label, target)
      checkLink(m.index + m[0].indexOf(target), target)
    }
    for (const m of text.matchAll(URL_RE)) checkLink(m.index, m[0].replace(/[.,;:!?]+$/, ""))
    for (const m of text.matchAll(BARE_DOMAIN_RE)) checkLink(m.index, m[0].replace(/[.,;:!?]+$/, ""))
  }
  if (CREDENTIAL_WORDS_RE.test(text)) {
    for (const noun of text.matchAll(CREDENTIAL_NOUN_RE)) {
      const start = credentialVerbBefore(text, noun.index)
      if (start === undefined) continue
      if (NEGATION_BEFORE_RE.test(text.slice(Math.max(0, start - 60), start))) continue
      hits.push({ kind: "credential_request", start, end: noun.index + noun[0].length })
    }
  }
  return hits
}

// ---------------------------------------------------------------------------
// Commitments
// ---------------------------------------------------------------------------

const AMOUNT = String.raw`(?:[$€£¥₹]\s?\d[\d,.]*|\b\d[\d,.]*\s?(?:[$€£¥₹]|usd|eur|gbp|cad|aud|chf|dollars?|euros?|pounds?|bucks)(?![\p{L}]))`
const NOT_NEGATED = String.raw`(?<!\b(?:not|never|no|cannot|can't|can\s+not|couldn't|won't|unable\s+to|don't|do\s+not|any|without)\s+(?:\w+\s+){0,2})`

/** Commitment phrases matched like forbidden phrases (on phrase keys). */
export const defaultCommitmentPhrases: ReadonlyArray<string> = [
  "legally binding",
  "binding agreement",
  "binding commitment",
  "we accept liability",
  "we accept full liability",
  "we admit liability",
  "admission of liability",
  "we accept responsibility",
  "we accept full responsibility",
  "we take full responsibility",
  "we are liable",
  "we are legally responsible",
  "no further checks are needed",
  "no further checks needed",
  "no further checks are required",
  "no further verification is needed",
  "no further verification needed",
  "you have our word",
  "you have my word"
]

/**
 * Commitment patterns (regular expressions, matched case-insensitively on the normalized text):
 * a refund, credit, reimbursement or compensation with an amount (either order); a full refund;
 * an approved/granted/authorized refund or credit; a guarantee or a promise (not negated:
 * "we can't guarantee a date" passes); legal or liability language (legally binding, accepting
 * or admitting liability, responsibility or fault, "we are liable", "no further checks needed",
 * waived fees or rights, indemnity).
 */
export const defaultCommitmentPatterns: ReadonlyArray<string> = [
  String.raw`\b(?:refund(?:ed|s|ing)?|credit(?:ed|s)?|reimburs(?:e|ed|ement|ing)|compensat(?:e|ed|ion|ing)|chargeback|cash\s?back|payout|goodwill)\b[^.!?\n]{0,50}?${AMOUNT}`,
  String.raw`${AMOUNT}[^.!?\n]{0,40}?\b(?:refund|credit|reimburs|compensat|chargeback|goodwill)`,
  String.raw`${NOT_NEGATED}\b(?:full|complete|entire)\s+refund\b|\brefund(?:ed)?\b[^.!?\n]{0,20}\bin\s+full\b`,
  String.raw`\b(?:refund|credit|reimbursement|compensation|chargeback|claim)s?\b(?:(?!\b(?:not|never|pending|yet)\b|n't)[^.!?\n]){0,40}?\b(?:approved|granted|authori[sz]ed)\b`,
  String.raw`${NOT_NEGATED}\b(?:approved|authori[sz]ed|granted)\b[^.!?\n]{0,25}?\b(?:refund|credit|reimbursement|compensation)`,
  String.raw`${NOT_NEGATED}\bguarantee(?:[ds]|ing)?\b`,
  String.raw`\b(?:we|i)\s+(?:do\s+)?promise\b`,
  String.raw`\blegally\s+(?:binding|obligated|responsible|liable)\b`,
  String.raw`\b(?:we|i|the\s+company|our\s+company)\s+(?:hereby\s+|fully\s+)?(?:accept|admit|acknowledge|assume)s?\s+(?:full\s+|all\s+|complete\s+)?(?:legal\s+)?(?:liability|responsibility|fault|blame)\b`,
  String.raw`\b(?:we\s+are|we're|i\s+am|i'm)\s+(?:fully\s+|legally\s+)?(?:liable|at\s+fault)\b`,
  String.raw`\bno\s+(?:further|additional|more)\s+(?:checks?|verification|review|approval)s?\b[^.!?\n]{0,20}\b(?:needed|required|necessary)\b`,
  String.raw`\bwaive[sd]?\b[^.!?\n]{0,30}\b(?:fees?|charges?|rights?|claims?|penalt(?:y|ies))\b`,
  String.raw`\bindemnif(?:y|ies|ied|ication)\b`
]

/** A commitment pattern as compiled for matching. */
export const compilePattern = (source: string): RegExp => new RegExp(source, "giu")

/**
 * For each default pattern, words (lower case) of which its matches contain at least one, and
 * whether they contain a digit: a cheap test run before the pattern. Patterns configured by
 * hand have none and always run.
 */
const patternHints: ReadonlyMap<string, { readonly words: ReadonlyArray<string>; readonly digit: boolean }> = new Map(
  [
    [["refund", "credit", "reimburs", "compensat", "chargeback", "cash", "payout", "goodwill"], true],
    [["refund", "credit", "reimburs", "compensat", "chargeback", "goodwill"], true],
    [["refund"], false],
    [["approved", "granted", "authori"], false],
    [["approved", "granted", "authori"], false],
    [["guarant"], false],
    [["promise"], false],
    [["legally"], false],
    [["liabil", "responsib", "fault", "blame"], false],
    [["liable", "fault"], false],
    [["no further", "no additional", "no more"], false],
    [["waive"], false],
    [["indemn"], false]
  ].map(([words, digit], i) => [defaultCommitmentPatterns[i] ?? "", { words: words as ReadonlyArray<string>, digit: digit as boolean }])
)

/** A commitment pattern, with the prefilter of a default one. */
export interface CommitmentPattern {
  readonly regex: RegExp
  readonly hint: { readonly words: ReadonlyArray<string>; readonly digit: boolean } | undefined
}

export const commitmentPattern = (source: string): CommitmentPattern => ({
  regex: compilePattern(source),
  hint: patternHints.get(source)
})

/**
 * A screen for a text's phrase key: when it does not match, no phrase of `sets` and no pattern
 * of `patterns` can match the text. `undefined` when there is no such screen (a pattern
 * without hint words, i.e. configured by hand, must always run).
 */
export const phraseScreen = (sets: ReadonlyArray<PhraseSet>, patterns: ReadonlyArray<CommitmentPattern>): RegExp | undefined => {
  if (patterns.some((p) => p.hint === undefined)) return undefined
  const words = [
    ...sets.flatMap((set) => set.keys.flat()),
    ...patterns.flatMap((p) => p.hint?.words ?? []).map((w) => phraseKey(w).key)
  ]
  return words.length === 0 ? /(?!)/ : new RegExp([...new Set(words)].map(escapeRegExp).join("|"))
}

const HAS_DIGIT_RE = /\d/
/** Every hint word of the default patterns, found in one scan of a text. */
const HINT_WORDS_RE = new RegExp([...new Set([...patternHints.values()].flatMap((h) => h.words))].map(escapeRegExp).join("|"), "g")

/** Commitment hits: phrases (on keys) and patterns (on the normalized text). */
export const findCommitments = (
  text: string,
  phrases: PhraseSet,
  patterns: ReadonlyArray<CommitmentPattern>,
  key: string = phraseKey(text).key
): ReadonlyArray<Hit> => {
  const hits: Array<Hit> = []
  for (const p of findPhrases(text, phrases, key)) hits.push({ kind: "phrase", start: p.start, end: p.end })
  const present = new Set(text.toLowerCase().match(HINT_WORDS_RE))
  const digit = present.size > 0 && HAS_DIGIT_RE.test(text)
  for (const { hint, regex: pattern } of patterns) {
    if (hint !== undefined && ((hint.digit && !digit) || !hint.words.some((w) => present.has(w)))) continue
    pattern.lastIndex = 0
    const m = pattern.exec(text)
    if (m !== null) hits.push({ kind: "pattern", start: m.index, end: m.index + Math.max(1, m[0].length) })
  }
  return hits
}

// ---------------------------------------------------------------------------
// Other customers' data
// ---------------------------------------------------------------------------

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

const shapes = new Map<string, { readonly regex: RegExp; readonly prefix: string } | null>()

const idShapeOfCached = (id: string): { readonly regex: RegExp; readonly prefix: string } | undefined => {
  const hit = shapes.get(id)
  if (hit !== undefined) return hit ?? undefined
  const shape = buildIdShape(id)
  if (shapes.size > 1000) shapes.clear()
  shapes.set(id, shape ?? null)
  return shape
}

const buildIdShape = (id: string): { readonly regex: RegExp; readonly prefix: string } | undefined => {
  const m = /^([A-Za-z]{1,12}[-_#:.])([A-Za-z0-9]{3,40})$/.exec(id)
  if (m === null) return undefined
  const prefix = escapeRegExp(m[1] ?? "")
  const rest = m[2] ?? ""
  const min = Math.max(1, rest.length - 2)
  const max = rest.length + 2
  const body = /^\d+$/.test(rest) ? `\\d{${min},${max}}` : `(?=[A-Za-z]*\\d)[A-Za-z0-9]{${min},${max}}`
  return { regex: new RegExp(`(?<![\\w-])${prefix}${body}(?![\\w-])`, "giu"), prefix: (m[1] ?? "").toLowerCase() }
}

/** A customer id pattern, with a prefilter for the default one (`undefined`: always run). */
export interface CompiledCustomerIdPattern {
  readonly regex: RegExp
  readonly hint: RegExp | undefined
}

/** Every match of the default customer id pattern contains one of these. */
const DEFAULT_ID_HINT_RE = /cust|acct|acc[-_]|account[-_]|client[-_]|member[-_]|usr[-_]|user[-_]|cus[-_]/i

export const customerIdPattern = (source: string): CompiledCustomerIdPattern => ({
  regex: compilePattern(source),
  hint: source === defaultCustomerIdPattern ? DEFAULT_ID_HINT_RE : undefined
})

const ID_CUE_HINT_RE = /(?:customer|account|client|member|user)(?:\s+|-)?(?:id|number|no|#)/i

/** An id after a cue ("customer id: X", "account #X", "customer number X"); X needs a digit, `-` or `_`. */
const ID_CUE_RE =
  /\b(?:customer|account|client|member|user)(?:\s+|-)?(?:id|ids|number|no\.?|#)\s*[:#]?\s*(?:is\s+)?([A-Za-z0-9][\w.-]{1,63})/giu

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
  options: PiiOptions
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
  const candidates = (customerId.hint === undefined || customerId.hint.test(text)) ||
    ID_CUE_HINT_RE.test(text) || (shape !== undefined && text.toLowerCase().includes(shape.prefix))
  if (!candidates || own().ids.size === 0) return hits
  const inPii = (start: number): boolean => pii.some((m) => m.start <= start && start < m.end)
  const check = (id: string, start: number): void => {
    const token = id.replace(/[.,;:]+$/, "")
    if (hits.some((h) => h.start === start)) return
    // A label of a host name (`https://example.com.account-check.test/`) is not an id.
    if (text[start - 1] === "." || /^\.[a-z]/i.test(text.slice(start + token.length, start + token.length + 2))) return
    if (!own().ids.has(token.toLowerCase()) && !inPii(start)) hits.push({ kind: "customer_id", start, end: start + token.length })
  }
  if (customerId.hint === undefined || customerId.hint.test(text)) {
    for (const m of text.matchAll(customerId.regex)) check(m[0], m.index)
  }
  if (shape !== undefined && text.toLowerCase().includes(shape.prefix)) {
    for (const m of text.matchAll(shape.regex)) check(m[0], m.index)
  }
  if (ID_CUE_HINT_RE.test(text)) {
    for (const m of text.matchAll(ID_CUE_RE)) {
      const id = m[1] ?? ""
      if (/[\d_-]/.test(id)) check(id, m.index + m[0].length - id.length)
    }
  }
  return hits
}
