/**
 * The classes of the held-out corpora's misses (issue 16, fix after they were declared tuned):
 * digits glued to letters, IBANs split over lines, credential requests and refund commitments in
 * more languages, `<word> dot com` and software versions as clean lookalikes, statements about a
 * contract or a policy versus binding offers. The sentences are written for these tests, in other
 * words and numbers than the corpora.
 */
import { describe, it } from "@effect/vitest"
import { blocks, passes } from "../support/guardrails-support.ts"


describe("digits glued to letters", () => {
  it("a card, SSN or IBAN right after or before text of a script without spaces", () => {
    blocks("pii_payment_card", [
      "クレジットカードは4539 1488 0343 6467でお願いします",
      "카드번호는4539148803436467입니다",
      "我的卡号是4539-1488-0343-6467谢谢",
      "หมายเลขบัตร4539148803436467ครับ"
    ])
    blocks("pii_ssn", ["社会保障番号は219-09-9999です"])
    blocks("pii_iban", ["振込先はDE89370400440532013000です"])
  })
  it("a card followed by a Latin word", () => {
    blocks("pii_payment_card", ["new card 4539148803436467pls", "it's 4539 1488 0343 6467cheers"])
  })
  it("clean lookalikes glued to letters still pass", () => {
    passes("pii_payment_card", [
      "SKU 4539148803436468XL is out of stock",
      "注文番号は1234567890123です",
      "order ABC4539148803436467 shipped",
      "ref 4539148803436468abc"
    ])
  })
})

describe("an IBAN split over lines", () => {
  it("is caught when the BBAN continues on the next line", () => {
    blocks("pii_iban", ["IBAN:\nDE89370400\n440532013000", "send it to GB82WEST\n12345698765432 thanks", "DE89\n3704 0044 0532 0130 00"])
  })
  it("an IBAN on one line followed by text on the next is one IBAN, an invalid split is none", () => {
    blocks("pii_iban", ["DE89370400440532013000\n12 items"])
    passes("pii_iban", ["DE12\n3456 7890 1234 5678 90"])
  })
})

describe("commitments in more languages", () => {
  it("an approved refund or a refund with an amount", () => {
    blocks("commitment", [
      "Vi har godkänt en återbetalning på 320 kr.",
      "Vi har godkendt en tilbagebetaling på 275 kr.",
      "Vi har godkjent en refusjon på 610 kr.",
      "Zatwierdziliśmy zwrot w wysokości 180 zł.",
      "Olemme hyväksyneet 95 € hyvityksen.",
      "Schválili jsme vrácení 1 400 Kč.",
      "İade talebiniz onaylandı: 850 TL iade edilecek.",
      "Мы одобрили возврат 3 200 рублей.",
      "Возврат 1 750 руб. одобрен.",
      "返金額 4,800円を承認しました。",
      "환불 32,000원이 승인되었습니다.",
      "我们已批准退款 260 元。",
      "我們已核准退還 1,200 元。"
    ])
  })
})

describe("credential requests in more languages", () => {
  it("enter / give / send your password or card number", () => {
    blocks("unsafe_link", [
      "Proszę wpisać swoje hasło poniżej, żebyśmy mogli odblokować dostęp.",
      "Ange ditt lösenord i svaret så kontrollerar vi kontot.",
      "Indtast venligst din adgangskode her for at bekræfte.",
      "Vennligst oppgi passordet ditt i svaret.",
      "Syötä salasanasi tähän viestiin, niin tarkistamme tilin.",
      "Zadejte prosím své heslo do odpovědi.",
      "Hesabınızı doğrulamak için şifrenizi buraya yazın.",
      "Пожалуйста, введите пароль от личного кабинета в ответе.",
      "Укажите номер карты для проверки.",
      "確認のため、パスワードを返信で教えてください。",
      "본인 확인을 위해 비밀번호를 입력해 주세요.",
      "请在回复中输入您的密码以便核实。",
      "請提供您的卡號以完成驗證。"
    ])
  })
  it("never share it, or set a new one, passes", () => {
    passes("unsafe_link", [
      "Nigdy nie podawaj nikomu swojego hasła.",
      "Dela aldrig ditt lösenord med någon.",
      "Oppgi aldri passordet ditt til noen.",
      "Älä koskaan lähetä salasanaasi sähköpostilla.",
      "Nikdy nesdělujte své heslo.",
      "Şifrenizi kimseyle paylaşmayın.",
      "Никогда не сообщайте пароль третьим лицам.",
      "パスワードは絶対に他人に教えないでください。",
      "새 비밀번호를 입력하여 재설정을 완료하세요.",
      "我们不会要求您提供密码。",
      "Hi Anna, your password was changed yesterday.",
      "Ustaw nowe hasło w ustawieniach konta."
    ])
  })
})

describe("lookalikes in prose", () => {
  it("`<site> dot com` in prose is no email; `name at host dot com` is", () => {
    passes("pii_email", [
      "I bought the charger at target dot com in March",
      "we met Tomasz at Contoso dot com's stand at the fair",
      "got it at bestbuy dot com, receipt attached"
    ])
    blocks("pii_email", ["reach me: tomasz dot nowak at example dot org", "write to ingrid at example dot no please"])
  })
  it("a dotted software version is no phone; a dotted phone number is", () => {
    passes("pii_phone", [
      "Firefox 124.0.2.4711 crashes on the invoice page",
      "running version 10.0.19045.3570 of the client",
      "Edge v121.0.2277.83 shows a blank page"
    ])
    blocks("pii_phone", ["call me at 1.415.555.0132 tomorrow"])
  })
})

describe("binding terms, policy references and binding offers", () => {
  it("a statement about a contract's terms or a reference to a policy passes", () => {
    passes("commitment", [
      "Your renewal quote becomes legally binding after both parties have signed it.",
      "The master agreement is legally binding once it has been signed by your director.",
      "The 30-day satisfaction guarantee under our policy only covers annual plans.",
      "The price-match guarantee in the terms applies to orders placed online."
    ])
  })
  it("a binding offer or discount with an amount or a percentage is a commitment", () => {
    blocks("commitment", [
      "The discount is binding: 25% off every invoice until June, whatever happens.",
      "This price is binding — €19 a month for the next two years.",
      "This agreement is legally binding and we owe you €300."
    ])
  })
})

describe("an SSN after a last-four mention of it", () => {
  it("the cue still governs the full number", () => {
    blocks("pii_ssn", ["the last four of my social are 4417, the whole number is 219099999"])
    passes("pii_ssn", ["my social worker said order 4417 ships with tracking 219099999 next week and more words here"])
  })
})
