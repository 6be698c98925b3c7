/**
 * Requests for a credential in a reply, for the `unsafe_link` policy: a password, a PIN, a card
 * number, a CVV, a one-time code or another credential asked for, in the languages below, not
 * when negated, for a new or reset one, or as a topic. Works on the normalized text
 * (`normalization/Normalize.ts`) and returns spans on it.
 */
import { normalizeText } from "../normalization/Normalize.ts"
import { startsOf, type TextProfile, triggerGroup } from "./Triggers.ts"
import type { Hit } from "../verdict/Types.ts"

/*
 * Credential requests: a credential (password, PIN, passcode, CVV/CVC, security code, card
 * number or details, login details, a one-time/2FA/verification code, an SSN, and their German,
 * French, Spanish, Italian, Portuguese and Dutch names: Passwort, Kartennummer, mot de passe,
 * cryptogramme, contraseña, número de tarjeta, codice di sicurezza, senha, wachtwoord …) asked
 * for by a verb of the same clause at most ten words before it (enter, type, send, share, give,
 * tell, confirm, reply with, "I'll need"; geben … ein, senden, bestätigen, mitteilen; saisir,
 * indiquez-nous, envoyez, communiquez; responda, envíe, indique, introduzca; inserisca, invii,
 * comunichi; envie, informe, digite; stuur, geef, vul in …) or, in German and Dutch, by a verb
 * right after it ("Passwort eingeben"). Not when the clause negates it ("we will never ask you
 * to send your password", "ne communiquez jamais", "nunca partilhe"), not for a new or
 * forgotten password or one to reset or change ("enter your new password", "use the Forgot
 * password? link", "votre mot de passe via le lien"), and not for a policy or a manager
 * ("password policy").
 */
/**
 * A word of a script with Latin lookalikes (Cyrillic) as the normalization leaves it, lower case
 * and capitalized (`пароль` folds to `пapoль`, `Пароль` to `Пapoль`), as a pattern or as words.
 */
const foldedForms = (word: string): ReadonlyArray<string> => [
  normalizeText(word).text.toLowerCase(),
  normalizeText(word.charAt(0).toUpperCase() + word.slice(1)).text.toLowerCase()
]
const foldedRe = (word: string): string => `(?:${foldedForms(word).join("|")})`
const foldedAll = (words: ReadonlyArray<string>): ReadonlyArray<string> => words.flatMap(foldedForms)

const RUSSIAN_VERBS = foldedAll([
  "введите", "ввести", "укажите", "указать", "сообщите", "сообщить", "отправьте", "отправить", "пришлите", "прислать",
  "назовите", "подтвердите", "напишите", "вышлите"
])
const RUSSIAN_NEGATIONS = foldedAll(["не", "никогда", "никому", "нельзя"])
const RUSSIAN_NOT_A_REQUEST = foldedAll(["новый", "новый", "сбросить", "изменить", "смените", "забыли", "восстановить"])

const CREDENTIAL_NOUN_RE = new RegExp(
  [
    // English
    String.raw`pw|pwd|passwd|pword|(?:long\s+)?number\s+on\s+(?:the\s+)?(?:front|back)\s+of\s+(?:your|the)\s+(?:credit\s+|debit\s+|bank\s+)?card|digits\s+on\s+(?:the\s+)?(?:front|back)(?:\s+of\s+(?:your|the)\s+card)?|long\s+number\s+on\s+(?:your|the)\s+card|password|passcode|passphrase|pin(?:\s+(?:code|number))?|cvv2?|cvc2?|cv2|csc|security\s+code|card\s+(?:number|no|details|verification\s+(?:code|value))|(?:credit|debit|bank)\s+card(?:\s+(?:number|details))?|login\s+(?:details|credentials)|credentials|one-time\s+(?:code|password|passcode)|otp|(?:two-factor|2fa|authentication|authenticator|sign-in|login)\s+code|verification\s+code|social\s+security\s+number|ssn`,
    // German
    String.raw`passwort|kennwort|pin-?(?:code|nummer)|geheimzahl|(?:kredit)?kartennummer|(?:kredit)?kartendaten|karten-?pr[üu]fnummer|pr[üu]fnummer|pr[üu]fziffer|sicherheitscode|zugangsdaten|anmeldedaten|login-?daten|best[äa]tigungscode|einmalcode`,
    // French
    String.raw`mot\s+de\s+passe|code\s+(?:pin|secret|confidentiel|de\s+s[ée]curit[ée]|de\s+v[ée]rification|[àa]\s+usage\s+unique)|num[ée]ro\s+(?:complet\s+)?de\s+(?:votre\s+|la\s+)?carte(?:\s+bancaire)?|cryptogramme|identifiants|coordonn[ée]es\s+bancaires`,
    // Spanish
    String.raw`contrase[ñn]a|clave\s+de\s+acceso|n[úu]mero\s+(?:complet[oa]\s+|entero\s+)?de\s+(?:su\s+|tu\s+|la\s+)?tarjeta|c[óo]digo\s+(?:de\s+seguridad|de\s+verificaci[óo]n|pin|cvv|cvc)|credenciales|datos\s+de\s+(?:su\s+|tu\s+|la\s+)?tarjeta`,
    // Italian
    String.raw`numero\s+(?:complet[oa]\s+|intero\s+)?(?:della|di|dalla)\s+(?:sua\s+|tua\s+)?carta|codice\s+(?:di\s+sicurezza|di\s+verifica|pin|segreto|cvv|cvc)|credenziali|dati\s+della\s+(?:sua\s+|tua\s+)?carta`,
    // Portuguese
    String.raw`senha|palavra-passe|n[úu]mero\s+(?:complet[oa]\s+|inteiro\s+)?do\s+(?:seu\s+|teu\s+)?cart[ãa]o|c[óo]digo\s+(?:de\s+seguran[çc]a|de\s+verifica[çc][ãa]o|pin|cvv|cvc)|credenciais|dados\s+do\s+(?:seu\s+)?cart[ãa]o`,
    // Dutch
    String.raw`wachtwoord|pincode|(?:credit)?kaartnummer|beveiligingscode|verificatiecode|inloggegevens|kaartgegevens`,
    // Polish
    String.raw`has[łl]\p{L}*|kod(?:u|em)?\s+(?:pin|cvv|cvc|weryfikacyjn\p{L}*|bezpiecze[ńn]stwa)|numer(?:u)?\s+karty|dan(?:e|ych)\s+(?:logowania|karty)`,
    // Swedish, Danish, Norwegian
    String.raw`l[öo]senord\p{L}*|pinkod(?:en|e)?|kortnummer\p{L}*|s[äa]kerhetskod\p{L}*|verifieringskod\p{L}*|inloggningsuppgifter|adgangskode\p{L}*|kodeord\p{L}*|sikkerhe[dt]skode\p{L}*|passord\p{L}*|bekr[æa]ftelseskode\p{L}*`,
    // Finnish
    String.raw`salasan\p{L}*|pin-koodi\p{L}*|kortin\s*numero\p{L}*|turvakoodi\p{L}*|vahvistuskoodi\p{L}*|tunnuksesi|tunnukset`,
    // Czech
    String.raw`hesl\p{L}*|[čc][íi]sl\p{L}*\s+karty|bezpe[čc]nostn[íi]\s+k[óo]d\p{L}*|ov[ěe][řr]ovac[íi]\s+k[óo]d\p{L}*|p[řr]ihla[šs]ovac[íi]\s+[úu]daje`,
    // Turkish
    String.raw`[şs]ifre\p{L}*|parola\p{L}*|kart\s+numara\p{L}*|g[üu]venlik\s+kod\p{L}*|do[ğg]rulama\s+kod\p{L}*`,
    // Indonesian and Malay, Vietnamese, Romanian, Hungarian
    String.raw`kata\s+sandi|nomor\s+kartu|nombor\s+kad|kode\s+(?:otp|verifikasi|keamanan|cvv)|m[ậa]t\s+kh[ẩa]u|s[ốo]\s+th[ẻe]|m[ãa]\s+(?:otp|x[áa]c\s+(?:minh|th[ựu]c)|b[ảa]o\s+m[ậa]t|pin|cvv)|parol[ae]\p{L}*|num[ăa]rul\s+cardului|codul\s+(?:pin|cvv|de\s+securitate)|jelsz[óo]\p{L}*|k[áa]rtyasz[áa]m\p{L}*|biztons[áa]gi\s+k[óo]d\p{L}*`,
    // Russian (folded as the normalization folds it)
    `${foldedRe("парол")}\\p{L}*|${foldedRe("пин-код")}\\p{L}*|${foldedRe("номер")}\\s+${foldedRe("карты")}|${foldedRe("код")}\\s+${foldedRe("подтверждения")}|${foldedRe("данные")}\\s+${foldedRe("карты")}`
  ].map((alternatives) => `(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])`).join("|"),
  "giu"
)

/** `CREDENTIAL_NOUN_RE`, sticky: a noun at a given offset. */
const CREDENTIAL_NOUN_AT_RE = new RegExp(CREDENTIAL_NOUN_RE.source, "iuy")

/** A word every credential noun starts with (its first word's stem), as trigger words. */
const CREDENTIAL_WORDS = triggerGroup([
  "pw", "pwd", "passwd", "pword", "number", "digits", "long", "pass", "pin", "cvv", "cvc", "cv2", "csc", "security", "card", "credit", "debit", "bank", "login", "credential", "one-time",
  "otp", "two-factor", "authentication", "authenticator", "sign-in", "verification", "social", "ssn",
  "passwort", "kennwort", "geheimzahl", "kartennummer", "kreditkarten", "kartendaten", "karten", "prüf", "pruf", "sicherheitscode",
  "zugangsdaten", "anmeldedaten", "bestätigungscode", "bestatigungscode", "einmalcode",
  "mot", "code", "numéro", "numero", "cryptogramme", "identifiants", "coordonnées", "coordonnees",
  "contraseña", "contrasena", "clave", "número", "código", "codigo", "credenciales", "datos",
  "codice", "credenziali", "dati",
  "senha", "palavra", "credenciais", "dados",
  "wachtwoord", "pincode", "kaartnummer", "creditcardnummer", "beveiligingscode", "verificatiecode", "inloggegevens", "kaartgegevens",
  "hasł", "hasl", "kod", "kodu", "kodem", "numer", "numeru", "dane", "danych",
  "lösenord", "losenord", "pinkod", "kortnummer", "säkerhetskod", "sakerhetskod", "verifieringskod", "inloggningsuppgifter",
  "adgangskode", "kodeord", "sikkerhedskode", "sikkerhetskode", "passord", "bekræftelseskode", "bekraftelseskode",
  "salasan", "kortin", "turvakoodi", "vahvistuskoodi", "tunnuk",
  "hesl", "čísl", "cisl", "bezpečnostní", "bezpecnostni", "ověřovací", "overovaci", "přihlašovací", "prihlasovaci",
  "şifre", "sifre", "parola", "kart", "güvenlik", "guvenlik", "doğrulama", "dogrulama",
  "kata", "nomor", "nombor", "kode", "mật", "mat", "số", "so", "mã", "ma", "parol", "numărul", "numarul", "codul", "jelsz", "kártyaszám", "kartyaszam", "biztonsági", "biztonsagi",
  ...foldedAll(["парол", "пин-код", "номер", "код", "данные"]),
  // Japanese, Korean, Chinese (anywhere in the text)
  "パスワード", "暗証番号", "カード番号", "セキュリティコード", "認証コード", "비밀번호", "카드번호", "카드 번호", "보안코드", "인증번호", "密码", "密碼", "卡号", "卡號", "验证码", "驗證碼", "安全码"
])

/** Verbs that ask for what follows them, in the seven languages (lower case, whole words). */
const REQUEST_VERBS: ReadonlySet<string> = new Set([
  // English
  "enter", "type", "input", "provide", "send", "share", "give", "tell", "confirm", "verify", "submit", "reply", "respond",
  "email", "text", "post", "paste", "write", "include", "disclose", "re-enter", "reenter", "key", "read", "spell", "what's",
  "need", "require",
  // German
  "geben", "gib", "eingeben", "senden", "sende", "schicken", "schick", "zusenden", "übermitteln", "mitteilen", "nennen",
  "angeben", "bestätigen", "bestätige", "antworten", "schreiben", "tippen", "verraten", "teilen", "lautet",
  // French
  "indiquez", "indiquer", "envoyez", "envoyer", "communiquez", "communiquer", "saisissez", "saisir", "entrez", "entrer",
  "tapez", "taper", "confirmez", "confirmer", "donnez", "donner", "transmettez", "transmettre", "répondez", "fournissez",
  "fournir", "précisez", "écrivez", "renseignez", "renseigner",
  // Spanish
  "responda", "responder", "envíe", "envíenos", "envie", "enviar", "enviarnos", "indique", "indíquenos", "facilite",
  "facilítenos", "proporcione", "proporciónenos", "introduzca", "introducir", "escriba", "confirme", "confirmar", "díganos",
  "comparta", "compartir", "ingrese", "ingresar", "mande", "mándenos", "dícte", "díctenos",
  // Italian
  "inserisca", "inserisci", "inserire", "invii", "invia", "inviare", "inviarci", "comunichi", "comunicare", "comunicarci",
  "fornisca", "fornire", "fornirci", "indichi", "indicare", "confermi", "conferma", "confermare", "scriva", "scrivere",
  "digiti", "digitare", "risponda", "condivida", "dettare", "detti",
  // Portuguese
  "envie-nos", "passa", "passe", "manda", "mande", "mandar", "passar", "envia", "informe", "informar", "informe-nos", "digite", "digitar", "insira", "inserir", "responda-nos", "forneça",
  "fornecer", "partilhe", "partilhar", "compartilhe", "compartilhar", "escreva", "escrever", "introduza", "diga-nos",
  // Dutch
  "stuur", "stuurt", "sturen", "opsturen", "geef", "geeft", "vul", "vult", "invullen", "voer", "voert", "invoeren",
  "bevestig", "bevestigen", "deel", "delen", "typ", "noem", "mail", "antwoord", "doorgeven", "opgeven",
  // Polish
  "podaj", "podać", "podanie", "wpisz", "wpisać", "wprowadź", "wprowadzić", "wyślij", "wysłać", "prześlij", "przesłać", "potwierdź",
  "potwierdzić", "udostępnij", "napisz",
  // Swedish, Danish, Norwegian
  "ange", "uppge", "skriv", "skicka", "bekräfta", "lämna", "svara", "indtast", "angiv", "oplys", "bekræft", "giv", "oppgi",
  "bekreft", "tast", "send", "dela",
  // Finnish
  "antakaa", "syötä", "syöttäkää", "lähetä", "lähettäkää", "kirjoita", "kirjoittakaa", "kerro", "kertokaa", "vahvista",
  "vahvistakaa", "ilmoita", "ilmoittakaa",
  // Czech
  "zadejte", "zadat", "zadej", "uveďte", "uvést", "pošlete", "zašlete", "sdělte", "sdělit", "napište", "potvrďte", "vyplňte",
  // Indonesian and Malay, Vietnamese, Romanian, Hungarian
  "kirim", "kirimkan", "berikan", "masukkan", "ketik", "sebutkan", "bagikan", "tulis", "hantar", "gửi", "gui", "nhập", "nhap", "cấp", "sẻ",
  "trimiteți", "trimiteti", "trimite", "introduceți", "introduceti", "furnizați", "furnizati", "spuneți", "spuneti", "confirmați", "confirmati",
  "adja", "küldje", "kuldje", "írja", "irja", "adjon",
  ...RUSSIAN_VERBS
])

/** Verbs that ask only with a first-person subject ("I'll need your password", not "you'll need your password"). */
const FIRST_PERSON_VERBS: ReadonlySet<string> = new Set(["need", "require"])
const FIRST_PERSON: ReadonlySet<string> = new Set(["i", "we", "i'll", "we'll", "i'd", "we'd"])
const AUXILIARIES: ReadonlySet<string> = new Set(["will", "would", "shall", "still", "also", "just", "do", "then", "first"])
/** Verbs that are nouns too ("your email and password"): a verb only before its object ("email us your …"). */
const AMBIGUOUS_VERBS: ReadonlySet<string> = new Set(["email", "text", "mail", "post", "key", "read", "type", "input"])
const OBJECTS: ReadonlySet<string> = new Set(["us", "me", "your", "the", "it", "them", "in", "back", "over", "out", "here"])
/** A subject before the verb makes a statement ("we verify your SSN with the IRS"), except in a question ("could you send …"). */
const SUBJECTS: ReadonlySet<string> = new Set(["we", "i", "they", "he", "she", "it", "you", "we'll", "i'll", "you'll", "they'll"])
const ASKING: ReadonlySet<string> = new Set(["can", "could", "would", "will", "please", "kindly"])

/** A word between the verb and the credential that makes it something else than a request for it. */
const NOT_A_REQUEST: ReadonlySet<string> = new Set([
  // English
  "reset", "change", "update", "create", "choose", "set", "pick", "recover", "forgot", "forget", "forgotten", "remember",
  "new", "protect", "keep", "store", "save", "manage", "strong", "secure", "link", "manager", "settings", "via", "using",
  "through",
  // German
  "zurücksetzen", "ändern", "neues", "neue", "neuen", "neuer", "vergessen", "festlegen", "wählen", "erstellen", "einstellungen",
  // French
  "réinitialiser", "changer", "modifier", "nouveau", "nouvelle", "oublié", "créer", "choisir", "lien", "paramètres",
  // Spanish
  "restablecer", "cambiar", "nueva", "nuevo", "olvidó", "olvidado", "olvidaste", "crear", "elegir", "enlace",
  // Italian
  "reimpostare", "cambiare", "nuova", "dimenticato", "creare", "impostazioni",
  // Portuguese
  "redefinir", "alterar", "mudar", "nova", "novo", "esqueceu", "criar",
  // Dutch
  "wijzigen", "wijzig", "resetten", "nieuw", "nieuwe", "kiezen", "aanmaken", "instellingen",
  // Polish, Swedish, Danish, Norwegian, Finnish, Czech, Turkish, Russian
  "nowe", "nowego", "nowym", "zresetować", "zmienić", "zmień", "zapomniane", "nytt", "nya", "återställ", "ändra", "glömt",
  "ny", "nye", "nulstil", "ændre", "glemt", "tilbakestill", "endre", "uusi", "uuden", "vaihda", "palauta", "unohtunut",
  "nové", "nový", "obnovit", "změnit", "zapomenuté", "yeni", "sıfırla", "değiştir", ...RUSSIAN_NOT_A_REQUEST
])

/** Negations, in the seven languages (whole words; `n't` endings too). */
const NEGATIONS: ReadonlySet<string> = new Set([
  "never", "not", "no", "don't", "won't", "cannot", "can't", "shouldn't", "mustn't", "nobody", "noone",
  "nie", "niemals", "nicht", "kein", "keine", "keinesfalls",
  "jamais", "ne", "pas", "aucun", "aucune",
  "nunca", "jamás", "ningún", "ninguna",
  "mai", "non", "nessuno", "nessun",
  "não", "nao",
  "nooit", "niet", "geen",
  "nigdy", "nikomu", "inte", "aldrig", "ej", "ikke", "aldri", "älä", "älkää", "ei", "koskaan", "nikdy", "asla", "hiçbir",
  "jangan", "tidak", "mat", "nahi", "nahin", "kabhi", "không", "khong", "đừng", "dung", "niciodată", "niciodata", "nu", "soha", "ne", "sose",
  ...RUSSIAN_NEGATIONS
])

/** After the credential: it is a topic, not the thing asked for ("password policy", "card number field"). */
const TOPIC_AFTER_RE = /^[\s-]*(?:policy|policies|manager|reset|requirements?|rules|strength|hint|field|page|recovery|expiry|richtlinie)\b/i

/** German and Dutch verbs at the end of the clause ("Ihr Passwort hier eingeben", "uw wachtwoord doorgeven"). */
const VERB_AFTER: ReadonlySet<string> = new Set([
  "eingeben", "mitteilen", "nennen", "angeben", "senden", "schicken", "zusenden", "übermitteln", "bestätigen",
  "durchgeben", "invullen", "doorgeven", "opgeven", "sturen", "opsturen", "bevestigen", "delen",
  // Turkish (verb at the end)
  // (folded as the normalization folds them: dotless `ı` to `i`)
  ...foldedAll([
    "girin", "giriniz", "gönderin", "gönderiniz", "paylaşın", "paylaşınız", "yazın", "yazınız", "bildirin", "bildiriniz", "iletin",
    "iletiniz", "onaylayın", "onaylayınız", "söyleyin"
  ]),
  // Hindi and Urdu written in Latin letters (Hinglish: "password yahan bhej dijiye")
  "bhej", "bhejiye", "bhejo", "bhejein", "bhejen", "batao", "bataiye", "bataye", "bataen", "dijiye", "dedijiye", "daliye", "daalo",
  "likhiye", "likho", "boliye"
])

/** The clause a position is in: from the last sentence or clause end before it (`.`, `!`, `?`, `;`, `:` and a space, a line break). */
const CLAUSE_END_RE = /[.!?;:](?=\s)|\n/g

const clauseStart = (text: string, at: number): number => {
  const from = Math.max(0, at - 200)
  let start = from
  CLAUSE_END_RE.lastIndex = from
  for (let m = CLAUSE_END_RE.exec(text); m !== null && m.index < at; m = CLAUSE_END_RE.exec(text)) start = m.index + 1
  return start
}

/** A word: letters and digits, with inner apostrophes and hyphens (`don't`, `indiquez-nous`); quotes around it are not part of it. */
const WORD_RE = /[\p{L}\p{N}](?:[\p{L}\p{N}'-]*[\p{L}\p{N}])?/gu
/** French and Italian elisions before a verb (`d'indiquer`, `l'inserire`): the verb is what follows. */
const ELISION_RE = /^(?:d|l|qu|j|m|t|s|c)'/

const isNegation = (word: string): boolean => NEGATIONS.has(word) || word.endsWith("n't")

/** Whether a word (or one of its hyphenated parts: `indiquez-nous`, `re-enter`) is in `set`. */
const inSet = (set: ReadonlySet<string>, word: string): boolean => set.has(word) || (word.includes("-") && word.split("-").some((part) => set.has(part)))

/** A credential request for the noun at `[start, end)`: the span from its verb to the noun, or `undefined`. */
const credentialRequest = (text: string, start: number, end: number): readonly [number, number] | undefined => {
  if (TOPIC_AFTER_RE.test(text.slice(end, end + 20))) return undefined
  // The words after it in the clause: a negation there ("Deel uw wachtwoord nooit", "Geben Sie Ihr
  // Passwort nicht weiter") makes it no request either; a verb there may ask for it (German, Dutch).
  let after: ReadonlyArray<string> | undefined
  const next = (): ReadonlyArray<string> =>
    (after ??= ((/^[^.!?;\n]{0,100}/.exec(text.slice(end, end + 100))?.[0] ?? "").toLowerCase().match(WORD_RE) ?? []).slice(0, 9))
  const from = clauseStart(text, start)
  const clause = text.slice(from, start).toLowerCase()
  const words = clause.match(WORD_RE) ?? []
  if (clause.includes("'")) for (let i = 0; i < words.length; i++) words[i] = words[i]!.replace(ELISION_RE, "")
  const word = (i: number): string => words[i] ?? ""
  for (let i = words.length - 1, seen = 0; i >= 0 && seen < 10; i--, seen++) {
    const w = word(i)
    if (isNegation(w) || inSet(NOT_A_REQUEST, w)) return undefined
    if (!inSet(REQUEST_VERBS, w)) continue
    const before = word(i - 1)
    const before2 = word(i - 2)
    if (FIRST_PERSON_VERBS.has(w)) {
      if (!FIRST_PERSON.has(before) && !(AUXILIARIES.has(before) && FIRST_PERSON.has(before2))) continue
    } else {
      if (AMBIGUOUS_VERBS.has(w) && !OBJECTS.has(word(i + 1))) continue
      const subject = SUBJECTS.has(before) ? before2 : AUXILIARIES.has(before) && SUBJECTS.has(before2) ? word(i - 3) : undefined
      if (subject !== undefined && !ASKING.has(subject)) continue
    }
    // The clause before the verb must not negate it ("we will never ask you to send …"), nor the words after the credential.
    for (let j = Math.max(0, i - 6); j < i; j++) if (isNegation(word(j))) return undefined
    if (next().some(isNegation)) return undefined
    // The verb's place: its last occurrence among the words read (the search went backwards).
    const at = clause.lastIndexOf(w.length > 0 ? w : " ")
    return [from + Math.max(0, at), end]
  }
  // German and Dutch: the verb after the credential, in the same clause.
  if (next().some(isNegation)) return undefined
  for (const w of next()) {
    if (inSet(NOT_A_REQUEST, w)) return undefined
    if (VERB_AFTER.has(w)) {
      if (words.some((v) => isNegation(v) || inSet(NOT_A_REQUEST, v))) return undefined
      return [start, end]
    }
  }
  return undefined
}

/*
 * Credential requests in Japanese, Korean and Chinese, written without spaces between words: the
 * credential, then within its sentence a verb asking for it (入力してください, 教えて, 입력해 주세요,
 * 알려 주세요), or in Chinese the verb before it (请输入密码, 請提供卡號). Not for a new or reset one
 * (新しいパスワード, 새 비밀번호, 新密码, 再設定, 재설정, 重置) and not when negated (ないでください,
 * 絶対に, 마세요, 절대, 不要, 请勿, 切勿, 不会).
 */
const CJK_CREDENTIAL = String.raw`パスワード|暗証番号|カード番号|セキュリティコード|認証コード|確認コード|비밀번호|카드\s?번호|보안\s?코드|인증\s?번호|密码|密碼|卡号|卡號|银行卡号|銀行卡號|验证码|驗證碼|安全码|安全碼`
const CJK_REQUEST_RE = new RegExp(
  String.raw`(?:${CJK_CREDENTIAL})[^。．！？!?\n]{0,24}?(?:入力|教え|お知らせ|送信|送って|ご記入|記入|ご提供|返信|입력|알려|보내|회신|적어|제공)` +
    String.raw`|(?:请|請|麻烦|麻煩)?(?:输入|輸入|提供|告诉|告訴|发送|發送|回复|回覆|填写|填寫)(?:您的|你的|一下)?[^。！？!?\n]{0,8}?(?:${CJK_CREDENTIAL})`,
  "gu"
)
const CJK_NOT_A_REQUEST_RE =
  /新しい|再設定|リセット|変更|忘れ|새\s?비밀번호|재설정|변경|新密码|新密碼|重置|重设|重設|修改|忘记|忘記|ないで|しないで|絶対|決して|마세요|절대|않|不要|请勿|請勿|切勿|绝不|絕不|不会|不會|从不|從不|永远不|永遠不/u
const CJK_RE = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/u

const findCjkCredentialRequests = (text: string, hits: Array<Hit>): void => {
  for (const m of text.matchAll(CJK_REQUEST_RE)) {
    // The sentence around it: from its last sentence end before it to the next one after it.
    const before = text.slice(Math.max(0, m.index - 40), m.index)
    const sentenceStart = Math.max(before.lastIndexOf("。"), before.lastIndexOf("\n"), before.lastIndexOf("!"), before.lastIndexOf("?"))
    const tail = /^[^。．！？!?\n]{0,30}/u.exec(text.slice(m.index + m[0].length))?.[0] ?? ""
    if (CJK_NOT_A_REQUEST_RE.test(before.slice(sentenceStart + 1) + m[0] + tail)) continue
    hits.push({ kind: "credential_request", start: m.index, end: m.index + m[0].length })
  }
}

/*
 * Credential requests in Hindi (verb after: पासवर्ड … साझा करें), Arabic (verb before: أرسل لنا رقم
 * بطاقتك), Hebrew (שלחו את הסיסמה) and Greek (στείλτε μας τον αριθμό της κάρτας), whose words the
 * word reader above does not split (combining vowel signs) or whose letters the normalization folds
 * in part: patterns over the normalized words, within one sentence, not when negated (मत, कभी
 * नहीं, لا, أبدا, לעולם, אל, μην, ποτέ).
 */
const nfAlt = (...words: ReadonlyArray<string>): string => `(?:${words.flatMap(foldedForms).join("|")})`
const HINDI_CREDENTIAL = nfAlt("पासवर्ड", "कार्ड नंबर", "कार्ड नम्बर", "कार्ड संख्या", "पिन", "ओटीपी", "सीवीवी", "सत्यापन कोड")
const HINDI_VERB = nfAlt("साझा", "भेज", "बता", "दर्ज", "लिख", "दीजिए", "दें", "डाल", "शेयर", "टाइप")
const ARABIC_VERB = nfAlt("أرسل", "ارسل", "أرسلي", "أرسلوا", "أدخل", "ادخل", "زودنا", "زوّدنا", "شارك", "اكتب", "أخبرنا", "أعطنا", "قدم", "قدّم", "أرسلوا لنا", "يرجى إرسال", "يرجى إدخال", "إرسال", "إدخال")
const ARABIC_CREDENTIAL = nfAlt("رقم بطاق", "رقم البطاق", "كلمة المرور", "كلمة السر", "الرقم السري", "رمز التحقق", "رمز الأمان", "رمز CVV")
const HEBREW_VERB = nfAlt("שלח", "שלחו", "שלחי", "הזן", "הזינו", "הקלד", "מסור", "מסרו", "ספר", "כתוב", "כתבו", "אשר")
const HEBREW_CREDENTIAL = nfAlt("סיסמ", "הסיסמ", "מספר כרטיס", "מספר הכרטיס", "קוד אבטחה", "קוד האבטחה", "קוד אימות")
const GREEK_VERB = nfAlt("στείλτε", "στείλε", "δώστε", "δώσε", "πείτε", "πες", "εισάγετε", "πληκτρολογήστε", "γράψτε", "επιβεβαιώστε", "αποστείλετε")
const GREEK_CREDENTIAL = nfAlt("αριθμό της κάρτας", "αριθμό κάρτας", "αριθμός κάρτας", "κωδικό πρόσβασης", "κωδικό", "κωδικός", "pin", "cvv")
const OTHER_SCRIPT_REQUEST_RE = new RegExp(
  [
    `${HINDI_CREDENTIAL}[^।.!?\n]{0,40}?${HINDI_VERB}`,
    `${ARABIC_VERB}[^.!?؟\n]{0,30}?${ARABIC_CREDENTIAL}`,
    `${HEBREW_VERB}[^.!?\n]{0,30}?${HEBREW_CREDENTIAL}`,
    `${GREEK_VERB}[^.!?;\n]{0,40}?${GREEK_CREDENTIAL}`
  ].join("|"),
  "giu"
)
const OTHER_SCRIPT_NOT_A_REQUEST_RE = new RegExp(
  `(?<![\\p{L}\\p{M}])${nfAlt("मत", "न", "ना", "नहीं", "कभी नहीं", "कभी न", "नया", "रीसेट", "لا", "أبدا", "أبدًا", "لن", "الجديدة", "إعادة تعيين", "לעולם", "אל", "חדשה", "איפוס", "μην", "ποτέ", "νέο", "επαναφορά")}(?![\\p{L}\\p{M}])`,
  "iu"
)
const OTHER_SCRIPT_RE = /[\u0370-\u03ff\u0590-\u06ff\u0900-\u097f]/u

const findOtherScriptCredentialRequests = (text: string, hits: Array<Hit>): void => {
  for (const m of text.matchAll(OTHER_SCRIPT_REQUEST_RE)) {
    const before = text.slice(Math.max(0, m.index - 40), m.index)
    const sentenceStart = Math.max(before.lastIndexOf("."), before.lastIndexOf("।"), before.lastIndexOf("\n"), before.lastIndexOf("!"), before.lastIndexOf("?"))
    const tail = /^[^.!?।؟\n]{0,30}/u.exec(text.slice(m.index + m[0].length))?.[0] ?? ""
    if (OTHER_SCRIPT_NOT_A_REQUEST_RE.test(before.slice(sentenceStart + 1) + m[0] + tail)) continue
    hits.push({ kind: "credential_request", start: m.index, end: m.index + m[0].length })
  }
}

/** The credential nouns at the words where their trigger words start (`starts`), or anywhere when not known. */
const findCredentialRequests = (text: string, hits: Array<Hit>, starts: ReadonlyArray<number> | undefined): void => {
  const check = (start: number, end: number): void => {
    const span = credentialRequest(text, start, end)
    if (span !== undefined) hits.push({ kind: "credential_request", start: span[0], end: span[1] })
  }
  if (starts === undefined) {
    for (const noun of text.matchAll(CREDENTIAL_NOUN_RE)) check(noun.index, noun.index + noun[0].length)
    return
  }
  for (const at of starts) {
    CREDENTIAL_NOUN_AT_RE.lastIndex = at
    const noun = CREDENTIAL_NOUN_AT_RE.exec(text)
    if (noun !== null) check(at, at + noun[0].length)
  }
}

/**
 * Credential-request hits in a normalized text: the credential nouns where their trigger words
 * start (`profile`, of the text), then the requests in Japanese, Korean and Chinese, then those
 * in Hindi, Arabic, Hebrew and Greek. A text without credential words skips the first two.
 */
export const credentialRequestHits = (text: string, profile: TextProfile): ReadonlyArray<Hit> => {
  const hits: Array<Hit> = []
  if ((profile.groups & CREDENTIAL_WORDS) !== 0) {
    // "2FA code" starts with a digit, not a trigger word: that one text is read whole.
    findCredentialRequests(text, hits, /2fa/i.test(text) ? undefined : startsOf(profile, CREDENTIAL_WORDS))
    if (CJK_RE.test(text)) findCjkCredentialRequests(text, hits)
  }
  if (OTHER_SCRIPT_RE.test(text)) findOtherScriptCredentialRequests(text, hits)
  return hits
}
