/**
 * Email addresses: plain ones (`@`, ` @ `, `%40`) and obfuscated ones (`jane (at) example (dot)
 * com`, `name AT host DOT com`, `(arobase)`, `[punkt]` …), not URL user parts, file names or
 * placeholders. Runs on normalized text (`normalization/Normalize.ts`).
 */
import { triggerGroup } from "./Triggers.ts"
import type { PiiCandidate } from "../verdict/Types.ts"

type Candidate = PiiCandidate

/*
 * Plain addresses: RFC 5322-ish dot-atom local part (letters incl. Unicode, digits and
 * !#$%&'*+/=?^_`{|}~-, dots between atoms), '@' (or ' @ ' with a space on both sides), one or
 * more domain labels (letters/digits, inner hyphens, ≤63 chars) and a TLD of ≥2 letters.
 * Quoted local parts and IP-literal domains are not supported. `%40` (URL-encoded '@') counts
 * as '@'. Not an address: the user part of a URL (`https://example.com@evil.test/`, a link
 * trick the link policy blocks) and a file name (`logo@2x.png`: the "TLD" is a file extension).
 */
const EMAIL_RE =
  /(?<![\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-])[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*(?:@| @ |%40)(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,63}(?![\p{L}\p{N}-]|\.[\p{L}\p{N}])/gu

/** A URL's scheme and the start of its authority right before an address: URL userinfo. */
const URL_AUTHORITY_BEFORE_RE = /[a-z][a-z0-9+.-]*:\/\/[^\s/?#@]*$/i

/**
 * File extensions that are not top-level domains: `logo@2x.png`, `icon@3x.webp` are file
 * names (the extensions that are TLDs too, `.zip`, `.mov`, `.pl` …, are not listed).
 */
const FILE_EXTENSIONS: ReadonlySet<string> = new Set([
  "png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "tif", "tiff", "heic", "avif", "pdf", "doc", "docx",
  "xls", "xlsx", "ppt", "pptx", "odt", "ods", "txt", "csv", "tsv", "json", "xml", "yaml", "yml", "toml", "ini", "cfg",
  "conf", "log", "js", "mjs", "cjs", "jsx", "ts", "tsx", "css", "scss", "html", "htm", "php", "exe", "dll", "dylib",
  "tar", "gz", "tgz", "bz2", "rar", "mp3", "mp4", "wav", "ogg", "webm", "mkv", "avi", "lock", "bak", "tmp"
])

/** A local part made of placeholder words (`firstname.lastname`, `your_name`): the shape of an address, not one. */
const TEMPLATE_LOCAL_RE =
  /^(?:(?:first|last|given|family|sur|user|your|full|vor|nach|pre)?(?:name|names)|first|last|initials?|user|username|you|yourname|vorname|nachname|pr[ée]nom|nom|nombre|apellido|cognome|sobrenome)(?:[._-](?:(?:first|last|given|family|sur|user|your)?name|first|last|initials?|vorname|nachname|pr[ée]nom|nom|nombre|apellido|cognome|sobrenome))*$/i

/** The placeholders of a plain address: `firstname.lastname`, `your.name`, `user`, `you` (a name part is needed). */
const PLAIN_TEMPLATE_LOCAL_RE =
  /^(?:(?:(?:first|last|given|family|sur|full|your|user)?name)(?:[._-](?:(?:first|last|given|family|sur)?name|initials?))*|user|username|you|yourname|your[._-]name)$/i

const detectPlainEmails = (text: string, out: Array<Candidate>): void => {
  for (const m of text.matchAll(EMAIL_RE)) {
    let start = m.index
    const end = start + m[0].length
    // Quotes/backticks/braces opening the local part are punctuation around the address.
    while (start < end && "'`{|".includes(text[start] ?? "")) start++
    let raw = text.slice(start, end)
    // In a URL query (`?email=jane%40example.com`) the local part starts after the `=`.
    const encoded = raw.indexOf("%40")
    if (encoded >= 0) {
      const eq = raw.lastIndexOf("=", encoded)
      if (eq >= 0) {
        start += eq + 1
        raw = raw.slice(eq + 1)
      }
    }
    if (raw.startsWith("@") || raw.startsWith("%40") || raw.startsWith(" @")) continue
    // The user part of a URL (`https://example.com@evil.test/`) is the link's business.
    if (raw.startsWith("//") || URL_AUTHORITY_BEFORE_RE.test(text.slice(Math.max(0, start - 300), start))) continue
    if (FILE_EXTENSIONS.has(raw.slice(raw.lastIndexOf(".") + 1).toLowerCase())) continue
    // An SCP-style repository address (`git@github.com:org/app.git`), a placeholder
    // (`firstname.lastname@…`, `user@domain.tld`): the shape of an address, not one.
    if (text[end] === ":" && /[\w./~-]/.test(text[end + 1] ?? "")) continue
    const at = raw.search(/ @ |%40|@/)
    const local = raw.slice(0, at)
    if (PLAIN_TEMPLATE_LOCAL_RE.test(local) || /\.(?:tld|invalid|localhost)$/i.test(raw)) continue
    out.push({ kind: "email", start, end, value: raw.replace(/ @ |%40/, "@").toLowerCase() })
  }
}

/*
 * Obfuscated addresses: `jane (at) example (dot) com`, `bob [at] example [dot] net`,
 * `kwame{at}example.com`, `li.na(@)example.cn`, `name AT host DOT com`, `rick dot thornton at
 * example dot com`, `r.ahmed@example[dot]com`, and the bracketed words of other languages
 * (`(arobase)`, `(arroba)`, `(chiocciola)`, `(Klammeraffe)`, `(punkt)`, `(point)`, `(punto)` …).
 * A bracketed at (`(at)`, `[at]`, `{at}`, `<at>`, `(@)`, `(arobase)` …) always counts; a
 * bare ` at ` counts only when the address is unmistakable: upper-case `AT`, or a local part
 * with a `.`, `_`, `+` or digit (not a version such as `4.1`), or written with ` dot `, or an
 * email cue (email, e-mail, mail, address, contact, write, reply) shortly before. The domain
 * needs at least two labels joined by `.`, ` dot `, `[dot]` or `(dot)` and a TLD of 2–24
 * letters.
 */
/** The words an obfuscated address may use for its `@`, as trigger words (`Triggers.ts`). */
export const AT_WORDS = triggerGroup([
  "at", "arobase", "arobas", "arroba", "chiocciola", "klammeraffe", "affe", "apenstaartje", "snabel", "małpa", "malpa", "kukac",
  "zavináč", "zavinac"
])

/** "at" and "dot" in the languages people obfuscate addresses in (bracketed: `(arobase)`, `[punkt]`). */
const AT_WORD_RE_SOURCE = "at|@|arobase|arobas|arroba|chiocciola|klammeraffe|affe|apenstaartje|snabel-?a|ma[lł]pa|kukac|zavin[aá][cč]"
const DOT_WORDS = String.raw`dot|\.|punkt|point|punto|ponto|punt|kropka|pont|te[cč]ka|nokta|piste`
const BRACKETED_AT = String.raw`\s*[([{<]\s*(?:${AT_WORD_RE_SOURCE})\s*[)\]}>]\s*`
/**
 * An opening bracket and an "at" word glued to the local part with no closing bracket
 * (`priya.n{atexample{dot}in}`): an `@` only when the domain after it has a bracketed dot.
 */
const OPEN_AT = String.raw`(?<=[\p{L}\p{N}])[([{<]\s*(?:${AT_WORD_RE_SOURCE})(?![)\]}>]|\s*[)\]}>])`
const AT_ANCHOR_RE = new RegExp(String.raw`${BRACKETED_AT}|\s+at\s+|${OPEN_AT}`, "giu")
/** With a plain `@` as well, for an address whose dots only are obfuscated (`r.ahmed@example[dot]com`). */
const AT_OR_PLAIN_ANCHOR_RE = new RegExp(String.raw`${BRACKETED_AT}|\s+at\s+|${OPEN_AT}|@`, "giu")
const BRACKETED_DOT = String.raw`\s*[([{<]\s*(?:${DOT_WORDS})\s*[)\]}>]\s*`
const DOT_SEP = String.raw`(?:${BRACKETED_DOT}|\s+dot\s+|\.)`
const BRACKETED_DOT_RE = new RegExp(BRACKETED_DOT.replace(/^\\s\*/, ""), "iu")
/** Whether a text may hold an obfuscated address (a cheap test before `detectObfuscatedEmails`). */
const OBFUSCATED_HINT_RE = new RegExp(String.raw`\bat\b|[([{<]\s*(?:${AT_WORD_RE_SOURCE})\s*[)\]}>]|${OPEN_AT}`, "iu")
const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?`
const DOMAIN_AT_RE = new RegExp(String.raw`${LABEL}(?:${DOT_SEP}${LABEL})+(?![\p{L}\p{N}-]|\.[\p{L}\p{N}])`, "iuy")
const LOCAL_BEFORE_RE = /(?<![\p{L}\p{N}._%+'-])[\p{L}\p{N}][\p{L}\p{N}._%+'-]*(?:\s+dot\s+[\p{L}\p{N}][\p{L}\p{N}._%+'-]*)*$/iu
const EMAIL_CUE_RE = /(?:e-?mail|gmail|mail|address|contact|write|reply|send)[^\n]{0,40}$/i
const VERSION_RE = /^v?\d+(?:\.\d+)*$/i
/** Words that stand before " at <site>" in prose ("contact us at help.example.com"), never a local part on their own. */
const PROSE_WORDS = new Set([
  "me", "us", "you", "him", "her", "them", "it", "we", "i", "they", "our", "your", "home", "work", "office", "least",
  "all", "once", "first", "last", "that", "this", "look", "available", "online", "here", "there", "anytime", "page",
  "site", "website", "link", "portal", "account", "support", "help", "directly", "mail", "email", "e-mail", "is", "are"
])

/** A determiner before a bare local part makes it a noun of prose ("the charger at shop dot com"). */
const DETERMINER_BEFORE_RE = /(?<![\p{L}\p{N}])(?:the|a|an|my|your|our|their|his|her|this|that|some)\s+$/iu

const DOT_SEP_RE = new RegExp(String.raw`${BRACKETED_DOT}|\s+dot\s+`, "giu")
const canonicalDomain = (domain: string): string => domain.replace(DOT_SEP_RE, ".").toLowerCase()

const detectObfuscatedEmails = (text: string, out: Array<Candidate>, plainAt: boolean): void => {
  for (const anchor of text.matchAll(plainAt ? AT_OR_PLAIN_ANCHOR_RE : AT_ANCHOR_RE)) {
    const plain = anchor[0] === "@"
    const bare = !plain && !/[([{<]/.test(anchor[0])
    const open = !plain && /[([{<]/.test(anchor[0]) && !/[)\]}>]/.test(anchor[0])
    const domainStart = anchor.index + anchor[0].length
    DOMAIN_AT_RE.lastIndex = domainStart
    const domain = DOMAIN_AT_RE.exec(text)
    if (domain === null) continue
    // A plain `@` is the plain detector's, unless the domain's dots are obfuscated.
    if (plain && !BRACKETED_DOT_RE.test(domain[0]) && !/\sdot\s/i.test(domain[0])) continue
    if (open && !BRACKETED_DOT_RE.test(domain[0])) continue
    const canonical = canonicalDomain(domain[0])
    const labels = canonical.split(".")
    const tld = labels[labels.length - 1] ?? ""
    if (!/^\p{L}{2,24}$/u.test(tld) || labels.some((l) => l.length === 0 || l.length > 63)) continue
    const left = text.slice(Math.max(0, anchor.index - 80), anchor.index)
    const local = LOCAL_BEFORE_RE.exec(left)
    if (local === null) continue
    const localText = local[0]
    const localCanonical = localText.replace(/\s+dot\s+/gi, ".")
    if (!/\p{L}/u.test(localCanonical) || VERSION_RE.test(localCanonical) || TEMPLATE_LOCAL_RE.test(localCanonical)) continue
    const start = anchor.index - localText.length
    if (bare) {
      // Prose: "<site> dot com's booth" (a possessive), "bought it at <site> dot com" (a pronoun or
      // a word of prose as the local part).
      if (/^['’]s(?![\p{L}\p{N}])/u.test(text.slice(domainStart + domain[0].length, domainStart + domain[0].length + 3))) continue
      const plainWord = !/[._+\d]/.test(localText) && !/\sdot\s/i.test(localText)
      const prose = plainWord &&
        (PROSE_WORDS.has(localCanonical.toLowerCase()) || DETERMINER_BEFORE_RE.test(text.slice(Math.max(0, start - 12), start)))
      const strong = /\bAT\b/.test(anchor[0]) ||
        !plainWord ||
        (/\sdot\s/i.test(domain[0]) && !prose) ||
        (!PROSE_WORDS.has(localCanonical.toLowerCase()) && EMAIL_CUE_RE.test(text.slice(Math.max(0, start - 45), start)))
      if (!strong) continue
    }
    out.push({ kind: "email", start, end: domainStart + domain[0].length, value: `${localCanonical.toLowerCase()}@${canonical}` })
  }
}

export const detectEmails = (text: string): Array<Candidate> => {
  const out: Array<Candidate> = []
  const at = text.includes("@")
  if (at || text.includes("%40")) detectPlainEmails(text, out)
  const plainAt = at && (BRACKETED_DOT_RE.test(text) || /\sdot\s/i.test(text))
  if (plainAt || OBFUSCATED_HINT_RE.test(text)) detectObfuscatedEmails(text, out, plainAt)
  return out
}

/** Whether a text may hold an address, plain or obfuscated (a cheap test before `detectEmails`). */
export const mayHaveEmail = (text: string): boolean => text.includes("@") || text.includes("%40") || OBFUSCATED_HINT_RE.test(text)
