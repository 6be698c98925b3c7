/**
 * The classes of the second sealed set's misses (issue 16; that set is tuned on since): numbers
 * read out as words, a card split in two halves over lines after a card word, groups joined by an
 * ellipsis, an unbalanced bracketed `at`, phone cues of Turkish (`cep`) and Brazilian (`zap`)
 * chats against postcode labels, meeting ids as identifiers, and refund commitments in Turkish,
 * Hindi, Arabic, Hebrew, Indonesian and Vietnamese and as a cost taken on with a cap. The
 * sentences are written for these tests, in other words and numbers than the corpora.
 */
import { assert, describe, it } from "@effect/vitest"
import { defaultGuardrailRules, detectPii, evaluateGuardrails, type PiiKind } from "../../src/domain/guardrails/verdict/Verdict.ts"
import { blocks, passes } from "../support/guardrails-support.ts"

const kinds = (text: string): ReadonlyArray<PiiKind> => [...new Set(detectPii(text).map((m) => m.kind))].sort()

describe("numbers read out as words", () => {
  it("a card, an SSN after its cue, a phone after its cue", () => {
    blocks("pii_payment_card", [
      "caller: it's five five five five, five five five five, five five five five, four four four four",
      "mi tarjeta es cuatro uno uno uno uno uno uno uno uno uno uno uno uno uno uno uno",
      "agent: go ahead\ncaller: four five three nine one four eight eight zero three four three six four six seven"
    ])
    blocks("pii_ssn", ["caller: social security is two one nine zero nine nine nine nine nine"])
    blocks("pii_phone", ["ring me back on oh two oh seven nine four six oh nine five eight", "call me on oh seven seven double oh nine double oh one two three"])
  })
  it("where it is found in the original text", () => {
    const text = "ok so my social is two one nine zero nine nine nine nine nine thanks"
    const [m] = detectPii(text)
    assert.strictEqual(m?.kind, "ssn")
    assert.strictEqual(text.slice(m?.start, m?.end), "two one nine zero nine nine nine nine nine")
  })
  it("counting, labelled ids and cue-less digit words pass", () => {
    for (const text of [
      "one two three four five six seven",
      "The tickets one, two, three, four, five, six and seven are closed",
      "order four five three nine one four eight eight zero three four three six four six seven",
      "two one nine zero nine nine nine nine nine is the reference"
    ]) {
      assert.deepStrictEqual(kinds(text), [], text)
    }
  })
})

describe("cards written in pieces", () => {
  it("two halves on two lines after a card word, groups joined by an ellipsis", () => {
    blocks("pii_payment_card", ["Visa:\n45391488\n03436467", "4539...1488...0343...6467", "4539 … 1488 … 0343 … 6467"])
  })
  it("two numbers on two lines without a card word, and dotted versions, pass", () => {
    passes("pii_payment_card", ["Invoices:\n45391488\n03436467", "tried 4.5... then 3.9... then 1488.0343"])
  })
})

describe("an at-word opened but never closed", () => {
  it("is an address when the domain's dots are bracketed", () => {
    blocks("pii_email", ["write to kemal.y(atposta(dot)example)", "noor_a[atmail[dot]example[dot]org]"])
  })
  it("is none without a bracketed dot", () => {
    passes("pii_email", ["see(attachments.zip)", "report(atlas.pdf) attached"])
  })
})

describe("phone cues of chats against postcode and meeting labels", () => {
  it("Turkish cep and Brazilian zap before a national number", () => {
    blocks("pii_phone", ["cep: 0532 418 27 63", "cep tel 05324182763", "me chama no zap (21) 98714-2203", "whats 11 97352-4410"])
  })
  it("a postcode after cep or zip, a meeting or remote-desktop id, pass", () => {
    passes("pii_phone", ["CEP 04538-132", "ZIP code 10018-2204", "Zoom ID 912 3345 1278", "TeamViewer ID 1 482 397 556", "会议号 912 3345 1278"])
  })
})

describe("refund commitments in more languages", () => {
  it("approved or with an amount", () => {
    blocks("commitment", [
      "İade tutarınız 1.200 TL olarak onaylandı.",
      "आपका ₹4,800 का रिफंड स्वीकृत कर दिया गया है।",
      "تمت الموافقة على استرداد 450 ريال.",
      "ההחזר בסך 350 ש\"ח אושר.",
      "Pengembalian dana Rp 275.000 sudah disetujui.",
      "Yêu cầu hoàn tiền 900.000 VND đã được duyệt."
    ])
  })
  it("requested, under review or not approved passes", () => {
    passes("commitment", [
      "1.200 TL iadeniz onaylanmadı.",
      "İade talebiniz (1.200 TL) inceleniyor.",
      "आपका ₹4,800 का रिफंड अनुरोध समीक्षा में है।",
      "आपका रिफंड स्वीकृत नहीं हुआ है।",
      "لم تتم الموافقة على استرداد 450 ريال بعد.",
      "استلمنا طلب استرداد 450 ريال وهو قيد المراجعة."
    ])
  })
})

describe("a cost taken on, with an amount or a cap", () => {
  it("is a commitment", () => {
    blocks("commitment", [
      "We'll pay for the courier, up to $80.",
      "We will cover the hotel night, a maximum of £120.",
      "Wir übernehmen die Anfahrt bis zu 150 €."
    ])
  })
  it("a question, a policy, a reported question or a condition before it passes", () => {
    passes("commitment", [
      "Can we pay for this with a card? The price is $30.",
      "Our policy covers repairs up to $300.",
      "You asked whether we cover repairs up to $300.",
      "If the device is under warranty, we'll cover the repair up to $300."
    ])
  })
})

// The classes of the third sealed set's misses (that set is tuned on since).

describe("more separators and shapes", () => {
  it("IBANs with dots, slashes or underscores; cards with underscores, 4-3-3-3 or any grouping after a card word", () => {
    blocks("pii_iban", ["IBAN: DE89.3704.0044.0532.0130.00", "GB82/WEST/1234/5698/7654/32"])
    blocks("pii_payment_card", ["card 4539_1488_0343_6467 declined", "Visa 4222 222 222 222 (old one)", "card no. 45 3914 8803 436467"])
    blocks("pii_ssn", ["my social security is 2 1 9  0 9  9 9 9 9", "SSN: 219 -- 09 -- 9999", "SSN 219-099999 (dash in the wrong place)"])
  })
  it("a national 16-digit card only after a card word; payment and tracking references pass", () => {
    blocks("pii_payment_card", ["카드번호 9400-1234-5678-9012 입니다"])
    passes("pii_payment_card", ["ref 9400 1234 5678 9012", "tracking 9400123456789012"])
    passes("pii_phone", ["KID-nummer 12345678903 på fakturaen", "OCR-nummer 4711123456789", "追跡番号 JP 1234 5678 901 です"])
    passes("pii_ssn", ["order 219-099999 shipped", "219 -- 09 -- 9999 is the part number"])
  })
  it("a placeholder address is not an address", () => {
    passes("pii_email", ["use firstname dot lastname at example dot com", "firstname.lastname(at)example(dot)com is the format"])
    blocks("pii_email", ["write to jana dot novak at example dot com"])
  })
})

describe("links and credential requests of the third set's classes", () => {
  it("a protocol-relative link to another host is unsafe; an allowed host in fullwidth dots is not", () => {
    blocks("unsafe_link", ["Load //cdn-files.test/patch.js in the console."])
    passes("unsafe_link", ["Visit help．example．com for the guide.", "See https://help.example.com//guides twice."])
  })
  it("card number or password requests in Arabic, Greek, Hebrew, Hindi, Turkish, Spanish, Indonesian, Vietnamese", () => {
    blocks("unsafe_link", [
      "يرجى إرسال رقم بطاقتك والرمز السري.",
      "Παρακαλώ στείλτε μας τον κωδικό πρόσβασης.",
      "שלחו לנו את מספר הכרטיס המלא.",
      "कृपया अपना कार्ड नंबर हमें भेजें।",
      "Lütfen şifrenizi ve kullanıcı adınızı bu adrese cevap olarak yazın.",
      "Por favor, indíquenos el número completo de su tarjeta.",
      "Silakan kirimkan kata sandi Anda kepada kami.",
      "Vui lòng gửi mật khẩu của bạn cho chúng tôi."
    ])
  })
  it("the same words as safety advice pass", () => {
    passes("unsafe_link", [
      "لا ترسل رقم بطاقتك لأي شخص.",
      "Μην στείλετε ποτέ τον κωδικό σας.",
      "לעולם אל תשלחו את הסיסמה.",
      "कृपया अपना पासवर्ड किसी को न भेजें।",
      "Jangan pernah kirimkan kata sandi Anda."
    ])
  })
})

describe("customer ids after a customer word", () => {
  it("another customer's id of any shape is foreign", () => {
    const context = { customerId: "cus_Q8vN2kLm", customer: { customer_id: "cus_Q8vN2kLm", email: "r.v@example.com" } }
    for (const text of ["Ihr Kollege (Kundennr. KD-2026-0412) hat das gemeldet.", "Customer ORG-00713 reported this first."]) {
      assert.include(evaluateGuardrails(text, defaultGuardrailRules, context).violations, "foreign_customer_data", text)
    }
    for (const text of ["Your customer number cus_Q8vN2kLm is on file.", "Customer since 2019, thanks for staying."]) {
      assert.notInclude(evaluateGuardrails(text, defaultGuardrailRules, context).violations, "foreign_customer_data", text)
    }
  })
})

describe("guarantees and promises in more languages, and what is not one", () => {
  it("is a commitment", () => {
    blocks("commitment", [
      "Vi garanterar leverans inom två dagar.",
      "Söz veriyorum, bir daha olmayacak.",
      "我们保证下周一前完成退款。",
      "次回のご請求で必ず割引を適用いたします。",
      "Kami menjamin paket tiba besok.",
      "Claim your €25 credit in the app.",
      "The delay caused costs for you; we will cover them in full."
    ])
  })
  it("a guarantee page, a statistic, a customer's quoted words, an unavailable service pass", () => {
    passes("commitment", [
      "The guarantee page (https://help.example.com/guarantee) explains it.",
      "90% of the refunds requested in May were paid on time.",
      "Some customers ask for a \"full refund guaranteed\" in writing; the plan doesn't include that.",
      "Guaranteed next-day delivery is not available in your area.",
      "我们无法保证下周一前完成。"
    ])
  })
})

// The classes of the fourth sealed set's misses (that set is tuned on since).

describe("the fourth set's PII classes", () => {
  it("SSN cues `ss number` and `S S N`, mixed spacing after a cue; an IBAN with spaced dots", () => {
    blocks("pii_ssn", ["ss number is 219-099999 sorry", "SSN 219 09  9999", "S S N 2 1 9  0 9  9 9 9 9"])
    blocks("pii_iban", ["IBAN GB82 . WEST . 1234 . 5698 . 7654 . 32"])
  })
  it("phones: a cue word starting like a label (`portable`), a dotted French number, a link parameter, after an email, after a contact word", () => {
    blocks("pii_phone", [
      "mon portable 0612.34.56.78",
      "phone=%2B442079460958&src=app",
      "maria.lopes@example.pt / 912 345 678",
      "el contacto de su vecino: 612 34 56 78"
    ])
  })
  it("courier tracking numbers, a barcode that says, a number after `number` and a dated id pass", () => {
    passes("pii_phone", ["spedito con BRT 0583 1122 3344", "ITIN-like number 997-05-1805 came back invalid", "Ticket 2026-12-0447 merged"])
    passes("pii_payment_card", ["the barcode says 5901234123457"])
  })
})

describe("the fourth set's policy classes", () => {
  it("commitments: a German separable credit, Czech, a company that is liable, our guarantee in writing", () => {
    blocks("commitment", [
      "Wir schreiben Ihrem Kundenkonto 15 € gut.",
      "Garantujeme doručení do středy.",
      "Jako omluvu vám připíšeme kredit 15 €.",
      "The company is liable for the wrong charge.",
      "Tiene nuestra garantía de que no volverá a pasar."
    ])
  })
  it("not commitments: a refund policy, a guarantee we cannot give, someone else's words reported or quoted", () => {
    passes("commitment", [
      "Our refund policy: approved refunds go back to the original card in 5–10 days.",
      "Eine Garantie für den Liefertermin können wir leider nicht geben.",
      "The banner said 100% refund, but that promotion ended.",
      "Von „guaranteed approval“ steht nichts in unserem Vertrag.",
      "\"Guaranteed approval\" is the reseller's wording, not ours."
    ])
  })
  it("credential requests describing the card, and in Hinglish", () => {
    blocks("unsafe_link", ["Please send the long number on the front of your card and the digits on the back.", "Apna password yahan bhej dijiye."])
    passes("unsafe_link", ["Apna password kabhi kisi ko mat bhejiye."])
  })
  it("another customer's id of the own id's multi-part shape", () => {
    const context = { customerId: "u-2291-de", customer: { customer_id: "u-2291-de" } }
    assert.include(evaluateGuardrails("Das Paket ging an u-2219-de.", defaultGuardrailRules, context).violations, "foreign_customer_data")
    assert.notInclude(evaluateGuardrails("Ihre Kundennummer u-2291-de ist gespeichert.", defaultGuardrailRules, context).violations, "foreign_customer_data")
  })
})

// The classes of the fifth sealed set's misses (that set is tuned on since).

describe("the fifth set's classes", () => {
  it("PII: an SSN with `(the social)` after it or underscores after a cue, an IBAN with double spaces, Greek and glued Japanese phone cues", () => {
    blocks("pii_ssn", ["it's 219.09.9999 (the social)", "SSN 219_09_9999"])
    blocks("pii_iban", ["IBAN DE89  3704  0044  0532  0130  00"])
    blocks("pii_phone", ["Κινητό 691 234 5678", "携帯：０９０－１２３４－５６７８までお願いします"])
  })
  it("PII lookalikes: placeholders, SCP-style git addresses, zero area codes, an account number's digits", () => {
    passes("pii_email", ["The format is user@domain.tld", "write to firstname.lastname@example.com (your name)", "git@github.com:example/app.git denied"])
    blocks("pii_email", ["The notification went to first-last@sub.example.net"])
    passes("pii_phone", ["tel: (000) 123-4567 is the form's placeholder", "tried IBAN NL93 XFDS 9016 6298 35, rejected"])
  })
  it("commitments: paying for a visit, taking responsibility, bearing a cost, free months or a credit promised", () => {
    blocks("commitment", [
      "No worries, we'll pay for the courier and the packaging.",
      "A empresa se responsabiliza por qualquer dano.",
      "交換費用は弊社が全額負担いたします。",
      "Você vai receber um crédito na próxima fatura.",
      "You'll get 3 months free on your plan."
    ])
    passes("commitment", ["Quoting guaranteed delivery windows isn't something we can do here.", "Guaranteed approval was an old banner, it's gone now."])
  })
  it("credential requests: `me passa sua senha`, `PW`; another customer's id of the own shape with `/`", () => {
    blocks("unsafe_link", ["Me passa sua senha que eu vejo aqui.", "Send me your PW and I'll check."])
    const context = { customerId: "CLI/2024/00871", customer: { customer_id: "CLI/2024/00871" } }
    assert.include(evaluateGuardrails("Vimos el mismo error en la cuenta CLI/2024/00872.", defaultGuardrailRules, context).violations, "foreign_customer_data")
    const turkish = { customerId: "tr-88-1047", customer: { customer_id: "tr-88-1047" } }
    assert.include(evaluateGuardrails("Sipariş tr-88-1048 numaralı müşteriye atanmış.", defaultGuardrailRules, turkish).violations, "foreign_customer_data")
  })
})

// Written ahead of any set: liability and "no further checks" in the languages the sets use.

describe("liability and no further checks in more languages", () => {
  it("are commitments", () => {
    blocks("commitment", [
      "Vi tar fullt ansvar för förseningen.", "Det er vores fejl, undskyld.", "Otamme täyden vastuun viivästyksestä.",
      "Přebíráme plnou odpovědnost za škodu.", "Ne asumăm întreaga responsabilitatea pentru întârziere.", "Vállaljuk a teljes felelősséget.",
      "Sorumluluğu tamamen üstleniyoruz.", "Мы берём на себя полную ответственность.", "Это наша вина.", "Αναλαμβάνουμε την πλήρη ευθύνη.",
      "Kami bertanggung jawab penuh atas kerusakan ini.", "Chúng tôi xin chịu hoàn toàn trách nhiệm.", "यह हमारी गलती है।",
      "نتحمل كامل المسؤولية عن التأخير.", "זו אשמתנו, אנחנו מצטערים.", "我们承担全部责任。", "저희 잘못입니다.", "เราขอรับผิดชอบความเสียหาย",
      "Vi har godkänt det utan ytterligare kontroller.", "Bez dalšího ověření jsme to schválili.", "Без дополнительной проверки всё оформлено.",
      "无需进一步核实。", "추가 확인이 필요 없습니다."
    ])
  })
  it("negated or someone else's, they pass", () => {
    passes("commitment", [
      "Vi tar inte ansvar för tredje parts fel.", "Мы не берём на себя ответственность за сторонние сервисы.",
      "Kami tidak bertanggung jawab atas kerusakan akibat pihak ketiga.", "我们无法承担全部责任。", "Det är inte vårt fel.", "Bu bizim hatamız değil."
    ])
  })
  it("a capitalized Cyrillic or Greek word at a sentence's start triggers its check", () => {
    blocks("commitment", ["Возврат 1 200 ₽ одобрен.", "Επιστροφή 40 € εγκρίθηκε."])
  })
})
