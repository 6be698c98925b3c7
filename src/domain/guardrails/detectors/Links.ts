/**
 * The `unsafe_link` policy: links to hosts off the allow-list, links whose text names another
 * host than their target, script and data URIs, and requests for a password, a card number, a
 * CVV or another credential (`CredentialRequests.ts`). Works on the normalized text
 * (`normalization/Normalize.ts`) and returns spans on it.
 */
import { type NormalizedText, originalSpan } from "../normalization/Normalize.ts"
import { credentialRequestHits } from "./CredentialRequests.ts"
import { profileText, type TextProfile, triggerGroup } from "./Triggers.ts"
import type { Hit } from "../verdict/Types.ts"

/*
 * Links: `scheme://…` URLs, `www.…`, bare domains with a common TLD (`paypa1-secure.com/login`),
 * markdown links `[text](url)` and images `![](url)`, HTML anchors `<a href="url">text</a>`. A
 * link's host must be on the allow-list (the host itself or a sub-domain of a listed one). A
 * host that is not plain ASCII in the original text (written with lookalike letters or
 * invisible characters that normalization removed) is never allowed. A link whose text names a
 * host different from its target is always blocked, whatever the allow-list says. So is a
 * `javascript:`, `vbscript:`, `data:` (with a media type) or `file:` URI: it has no host to
 * allow.
 */
const URL_RE = /\b(?:https?|ftp):\/\/[^\s<>"'`)\]]+|\bwww\.[^\s<>"'`)\]]+/giu
const COMMON_TLDS =
  "com|net|org|info|biz|io|co|app|dev|xyz|online|site|top|shop|store|link|click|live|me|us|uk|de|fr|es|it|nl|ru|cn|tk|ml|ga|cf|gq|ly|to|cc|ws|su|pw|icu|vip|club|support|help|login|secure|account|services?|finance|bank|pay|email|page"
const BARE_DOMAIN_RE = new RegExp(
  String.raw`(?<![\p{L}\p{N}@._%/-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:${COMMON_TLDS})(?![\p{L}\p{N}-]|\.[\p{L}\p{N}])(?:\/[^\s<>"'\x60)\]]*)?`,
  "giu"
)
/** A protocol-relative link (`//cdn.example.test/x.js`): any TLD, as a browser resolves it. */
const PROTOCOL_RELATIVE_RE =
  /(?<![\p{L}\p{N}:/])\/\/(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?![\p{L}\p{N}-])(?:[/?#:][^\s<>"'\x60)\]]*)?/giu
/** URIs that run or carry content instead of pointing to a host. */
const SCRIPT_URI_RE = /(?<![\p{L}\p{N}])(?:javascript|vbscript|livescript):\S|(?<![\p{L}\p{N}])data:[a-z]+\/[a-z0-9.+-]+[;,]|(?<![\p{L}\p{N}])file:\/\//giu
/** What any link has: a scheme, `www.`, an `href`, a markdown link, or a dot between a letter or digit and two letters. */
const MAYBE_LINK_RE = /:\/\/|www\.|href|\]\(|[a-z0-9]\.[a-z]{2}|script:|data:/i
const HOST_IN_TEXT_RE = /(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}/i
const MARKDOWN_LINK_RE = /\[([^\]\n]{0,300})\]\(\s*<?([^)\s>]{1,2000})>?(?:\s+"[^"\n]*")?\s*\)/g
const HTML_LINK_RE = /<a\b[^>]{0,500}?\bhref\s*=\s*["']?([^"'\s>]{1,2000})["']?[^>]{0,500}>([\s\S]{0,500}?)<\/a\s*>/gi

/** Words of links without `:`, a dot or a bracket: none. Words of script and data URIs. */
const LINK_WORDS = triggerGroup(["www", "href", "javascript", "vbscript", "livescript", "data", "file"])

/** The host of a URL-ish string (`https://user@host:443/x`, `www.host/x`, `host.com/x`), lower case. */
export const hostOf = (link: string): string | undefined => {
  let rest = link.trim()
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(rest)
  if (scheme !== null) rest = rest.slice(scheme[0].length)
  else if (/^(?:mailto|tel):/i.test(rest)) return undefined
  else if (rest.startsWith("//")) rest = rest.slice(2)
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

const findLinks = (normalized: NormalizedText, allowedHosts: ReadonlyArray<string>, covered: Array<readonly [number, number]>, hits: Array<Hit>): void => {
  const text = normalized.text
  /** Whether the original text of a host's span is the host as read (no lookalikes, no invisible characters). */
  const writtenPlainly = (start: number, end: number, host: string): boolean => {
    const [s, e] = originalSpan(normalized, start, end)
    // NFKC first: fullwidth letters and dots (`help．example．com`) resolve to the same host (IDNA
    // maps them so); lookalike letters of other scripts and invisible characters do not.
    const original = normalized.original.slice(s, e).normalize("NFKC").toLowerCase()
    return original.includes(host) && /^[\x20-\x7E]*$/.test(original)
  }
  const isCovered = (at: number): boolean => covered.some(([s, e]) => s <= at && at < e)
  const checkLink = (start: number, link: string): void => {
    if (isCovered(start)) return
    covered.push([start, start + link.length])
    if (/^(?:javascript|vbscript|livescript|data|file):/i.test(link)) {
      hits.push({ kind: "host_not_allowed", start, end: start + link.length })
      return
    }
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
  if (text.includes("//")) for (const m of text.matchAll(PROTOCOL_RELATIVE_RE)) checkLink(m.index, m[0].replace(/[.,;:!?]+$/, ""))
  for (const m of text.matchAll(SCRIPT_URI_RE)) {
    const end = text.slice(m.index).search(/\s|$/)
    checkLink(m.index, text.slice(m.index, m.index + (end < 0 ? text.length : end)))
  }
}

/**
 * Link and credential-request hits in a normalized text; `emails` are spans whose domains are
 * not links; `profile` (of the text) lets a reply without link characters or credential words
 * skip the checks.
 */
export const findUnsafeLinks = (
  normalized: NormalizedText,
  allowedHosts: ReadonlyArray<string>,
  emails: ReadonlyArray<{ readonly start: number; readonly end: number }> = [],
  profile: TextProfile = profileText(normalized.text)
): ReadonlyArray<Hit> => {
  const text = normalized.text
  const hits: Array<Hit> = []
  const maybeLink = profile.colon || profile.dotted || profile.bracket || (profile.groups & LINK_WORDS) !== 0
  if (maybeLink && MAYBE_LINK_RE.test(text)) findLinks(normalized, allowedHosts, emails.map((e) => [e.start, e.end] as const), hits)
  hits.push(...credentialRequestHits(text, profile))
  return hits
}
