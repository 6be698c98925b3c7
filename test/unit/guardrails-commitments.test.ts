/**
 * Commitments and credential requests by class, in English, German, French, Spanish, Italian,
 * Portuguese and Dutch (issue 16 §3): amounts in any currency format, refund and compensation
 * words, approvals, guarantees, legally binding language, liability admissions, "no further
 * checks"; and the hedged, reported, requested and quoted forms that must pass. The sentences
 * are written for these tests (not taken from the corpora).
 */
import { assert, describe, it } from "@effect/vitest"
import { defaultCommitmentPatterns } from "../../src/domain/guardrails/verdict/Verdict.ts"
import { blocks, passes } from "../support/guardrails-support.ts"


describe("the built-in commitment patterns", () => {
  it("compile, as configured patterns must, and none matches the empty string", () => {
    for (const source of defaultCommitmentPatterns) {
      assert.isFalse(new RegExp(source, "giu").test(""), source.slice(0, 80))
      assert.isFalse(new RegExp(source, "iuy").test(""), source.slice(0, 80))
    }
  })
})

describe("commitment: amounts in any currency format", () => {
  it("symbol or code before or after, grouped by spaces, NBSP, thin spaces, dots, commas or apostrophes, decimal comma", () => {
    blocks("commitment", [
      "We will refund $1,250.00 to your card.",
      "We will refund 1.250,00 € to your card.",
      "We will refund 1\u00A0250 € to your card.",
      "We will refund 1\u202F250,50 EUR to your card.",
      "We will refund CHF 1'250.– to your card.",
      "We will refund EUR 89 to your card.",
      "We will refund 89 GBP to your card.",
      "We will refund £89.99 to your card.",
      "We will refund R$ 1.250,00 to your card.",
      "We will refund ₹4,999 to your card.",
      "We will refund 3 500 kr to your card.",
      "We will refund 500 złotych to your card.",
      "We will refund 20 dollars to your card."
    ])
  })
})

describe("commitment: refunds, credits and compensation with an amount, per language", () => {
  it("blocks them", () => {
    blocks("commitment", [
      "A credit of $40 has been added to your account.",
      "We've reimbursed you 15 USD for the delay.",
      "As compensation we're sending you €25.",
      "Wir erstatten Ihnen die 49,99 € zurück.",
      "Sie erhalten eine Gutschrift über 30 €.",
      "Als Entschädigung überweisen wir Ihnen 100 €.",
      "Nous vous remboursons 35 € dès aujourd'hui.",
      "Un avoir de 20 € a été ajouté à votre compte.",
      "Vous recevrez un dédommagement de 150 €.",
      "Le devolveremos 60 € en su tarjeta.",
      "Hemos abonado 25 € en su cuenta.",
      "Le reembolsamos 1.000 € hoy mismo.",
      "Le rimborseremo 80 € entro domani.",
      "Abbiamo accreditato 12,50 € sul suo conto.",
      "Riceverà un risarcimento di 200 €.",
      "Vamos estornar R$ 89,90 no seu cartão.",
      "O reembolso de 45 € será feito hoje.",
      "Wij betalen u € 75 terug.",
      "U ontvangt een vergoeding van 40 euro.",
      "We hebben € 19,99 teruggestort op uw rekening."
    ])
  })

  it("refunds promised without an amount, unless conditional", () => {
    blocks("commitment", [
      "Don't worry, you'll get your money back today.",
      "Sie erhalten Ihr Geld zurück.",
      "Vous serez remboursé demain.",
      "Le devolveremos el dinero.",
      "U krijgt uw geld terug."
    ])
    passes("commitment", ["If the review finds a double charge, you'll get your money back.", "Sobald alles geprüft ist, erstatten wir Ihnen den Betrag."])
  })

  it("percentage and full refunds", () => {
    blocks("commitment", [
      "You'll get a 50% refund on the renewal.",
      "You're getting a 25 % discount refunded.",
      "We'll give you a full refund.",
      "Sie erhalten eine vollständige Erstattung.",
      "Vous aurez un remboursement intégral.",
      "Le haremos un reembolso total.",
      "Riceverà un rimborso completo.",
      "Terá um reembolso integral.",
      "U krijgt een volledige terugbetaling."
    ])
  })

  it("approved refunds and first-person approvals", () => {
    blocks("commitment", [
      "The refund has been approved.",
      "Ihre Erstattung wurde genehmigt.",
      "Votre remboursement a été approuvé.",
      "Su reembolso ha sido aprobado.",
      "Il rimborso è stato approvato.",
      "O seu reembolso foi aprovado.",
      "Uw terugbetaling is goedgekeurd.",
      "Confermiamo il rimborso dell'abbonamento."
    ])
  })
})

describe("commitment: guarantees, binding language, liability, no further checks", () => {
  it("guarantees and promises", () => {
    blocks("commitment", [
      "We guarantee the fix ships on Monday.",
      "Wir garantieren die Lieferung bis Freitag.",
      "Nous garantissons la livraison avant vendredi.",
      "Le garantizamos la entrega el viernes.",
      "Le garantiamo la consegna entro venerdì.",
      "Garantimos a entrega até sexta-feira.",
      "Wij garanderen levering voor vrijdag."
    ])
  })

  it("legally binding language", () => {
    blocks("commitment", [
      "This confirmation is legally binding.",
      "Diese Zusage ist rechtsverbindlich.",
      "Cet accord est juridiquement contraignant.",
      "Este acuerdo es jurídicamente vinculante.",
      "Questo accordo è legalmente vincolante.",
      "Este acordo é juridicamente vinculativo.",
      "Deze afspraak is juridisch bindend."
    ])
  })

  it("admissions of liability, fault or negligence, costs taken on", () => {
    blocks("commitment", [
      "It was our fault and we will cover the repair costs.",
      "We were negligent with your data.",
      "We are fully responsible for the outage.",
      "Wir übernehmen die volle Haftung.",
      "Das war unser Verschulden.",
      "Nous assumons l'entière responsabilité de la panne.",
      "C'est entièrement notre faute.",
      "Asumimos toda la responsabilidad por el fallo.",
      "Fue culpa nuestra.",
      "Ci assumiamo la piena responsabilità del disservizio.",
      "È colpa nostra.",
      "Assumimos total responsabilidade pela falha.",
      "Foi culpa nossa.",
      "Wij aanvaarden de volledige aansprakelijkheid.",
      "Het is onze schuld."
    ])
  })

  it("no further checks or verification", () => {
    blocks("commitment", [
      "No additional verification is required.",
      "We can proceed without further checks.",
      "Die Zahlung geht ohne weitere Prüfung raus.",
      "Le paiement part sans autre vérification.",
      "El pago sale sin más verificaciones.",
      "Il pagamento parte senza ulteriori verifiche.",
      "O pagamento segue sem mais verificações.",
      "De betaling gaat zonder verdere controle door."
    ])
  })
})

describe("commitment: what is not one", () => {
  it("negated and hedged", () => {
    passes("commitment", [
      "We can't refund the $30 fee, sorry.",
      "Leider können wir Ihnen die 30 € nicht erstatten.",
      "Nous ne pouvons pas vous rembourser les 30 €.",
      "No podemos reembolsarle los 30 €.",
      "Non possiamo rimborsarle i 30 €.",
      "Não podemos reembolsar os 30 €.",
      "We kunnen de € 30 helaas niet terugbetalen.",
      "We cannot guarantee a delivery date.",
      "Wir können keine Lieferung bis Freitag garantieren.",
      "Nous ne pouvons pas garantir la date.",
      "No podemos garantizar la fecha.",
      "Non possiamo garantire la data.",
      "Não podemos garantir a data.",
      "Wij kunnen de datum niet garanderen.",
      "Delivery isn't guaranteed for remote areas.",
      "We do not accept liability for third-party outages."
    ])
  })

  it("amounts requested, reported, pending or quoted; policy pointers", () => {
    passes("commitment", [
      "You requested a refund of $120; the billing team will decide.",
      "Your refund request for €300 is being reviewed.",
      "Ihre Anfrage zur Erstattung von 300 € ist eingegangen.",
      "Votre demande de remboursement de 300 € est en cours.",
      "Su solicitud de reembolso de 300 € está en revisión.",
      "La sua richiesta di rimborso di 300 € è in lavorazione.",
      "O seu pedido de reembolso de 300 € está em análise.",
      "Uw aanvraag voor een terugbetaling van € 300 is ontvangen.",
      "Refunds of up to $500 are described in our policy.",
      "The refund of $30 you asked about is still pending review.",
      "Le remboursement de 30 € que vous avez demandé est en cours.",
      "Your invoice of $49 is attached; the charge was on 3 May.",
      "You said you were \"promised a full refund\"; I can't see that in our notes.",
      "The phrase 'legally binding' in clause 4 refers to the signed order."
    ])
  })
})

describe("credential requests, per language", () => {
  it("blocks them", () => {
    blocks("unsafe_link", [
      "Please reply with your password so we can check the account.",
      "Can you send us the card number and the CVV?",
      "I'll need your card's security code to retry the payment.",
      "Bitte senden Sie uns Ihr Passwort.",
      "Bitte teilen Sie uns Ihre Kartennummer mit.",
      "Veuillez nous communiquer votre mot de passe.",
      "Merci d'indiquer le numéro de votre carte et le cryptogramme.",
      "Por favor, envíenos su contraseña.",
      "Indíquenos el número de su tarjeta y el código de seguridad.",
      "Per favore, ci invii la sua password.",
      "Mi comunichi il numero della sua carta.",
      "Por favor, envie-nos a sua senha.",
      "Informe o número do seu cartão e o código de segurança.",
      "Stuur ons uw wachtwoord.",
      "Geef ons uw kaartnummer en de beveiligingscode.",
      "Inserisca qui il codice di verifica ricevuto via SMS.",
      "Merci d'indiquer le numéro de votre carte."
    ])
  })

  it("passes warnings, self-service pointers and new passwords", () => {
    passes("unsafe_link", [
      "We will never ask for your password.",
      "You'll need your password to sign in to the app.",
      "Wir werden Sie nie nach Ihrem Passwort fragen.",
      "Sie können Ihr Passwort in den Einstellungen zurücksetzen.",
      "Ne communiquez jamais votre mot de passe.",
      "Vous pouvez changer votre mot de passe dans les paramètres.",
      "Nunca le pediremos su contraseña.",
      "Puede cambiar su contraseña en Ajustes.",
      "Non condivida mai la sua password.",
      "Nunca partilhe a sua senha.",
      "Deel uw wachtwoord nooit met anderen.",
      "Enter your new password twice to confirm it.",
      "Our password policy requires 12 characters."
    ])
  })
})

describe("links that have no host", () => {
  it("script and data URIs are unsafe", () => {
    blocks("unsafe_link", [
      "Open data:text/html;base64,PHNjcmlwdD4= to continue.",
      "[Open the form](javascript:alert(1))",
      "See file:///etc/passwd for details."
    ])
    passes("unsafe_link", ["Your data: name, plan and seats are unchanged.", "The JavaScript console shows the error."])
  })
})
