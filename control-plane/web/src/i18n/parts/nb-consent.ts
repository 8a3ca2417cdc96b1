/** Norsk bokmål for consent-delen av brukergrensesnittet; samme nøkler som `en-consent.ts`. */
import type { enConsent } from './en-consent.ts';

export const nbConsent: Record<keyof typeof enConsent, string> = {
  'consent.section': 'Forespørsler om samtykke',
  'consent.none': 'Ingen prosjekter har bedt om samtykket ditt.',
  'consent.intro':
    'Disse prosjektene kan bare bruke dataene dine hvis du samtykker. Du kan gi eller trekke tilbake samtykket når som helst; trekker du det tilbake, tas dataene dine ut av prosjektets neste datakopi.',
  'consent.terms': 'Dette samtykker du til',
  'consent.version': 'Versjon {version}',
  'consent.dataPeriod': 'Dataperiode',
  'consent.requestedAt': 'Spurt',
  'consent.inForce': 'Samtykket ditt gjelder (siden {since}).',
  'consent.notGiven': 'Du har ikke gitt samtykke.',
  'consent.give': 'Gi samtykke',
  'consent.withdraw': 'Trekk tilbake samtykket',
  'consent.closed': 'Prosjektet er avsluttet og tar ikke imot nye samtykker.',
  'consent.history': 'Historikk for samtykket mitt',
  'consent.gave': 'ga samtykke (versjon {version})',
  'consent.withdrew': 'trakk tilbake samtykket',
  'consent.confirmGiveTitle': 'Gi samtykke til «{title}»?',
  'consent.confirmGive':
    'Dataene dine fra registrene for {from} – {to} kommer med i prosjektets neste datakopi, pseudonymisert. Du kan trekke tilbake samtykket når som helst.',
  'consent.confirmWithdrawTitle': 'Trekke tilbake samtykket til «{title}»?',
  'consent.confirmWithdraw':
    'Dataene dine holdes utenfor prosjektets neste datakopi, som lages snart. Kopier som ble laget mens samtykket gjaldt, blir hos prosjektet til det avsluttes.',
  'consent.givenOk': 'Samtykket ditt er registrert.',
  'consent.withdrawnOk': 'Samtykket ditt er trukket tilbake.',
  'consent.confirm': 'Bekreft',
  'consent.cancel': 'Avbryt',
  'consent.optOutApplies': 'Reservasjonen din gjelder',
  'consent.byConsent': 'Avgjøres av samtykket ditt, ikke av reservasjonen',
  'consent.optOutChanges':
    'En reservasjon holder dataene dine utenfor alle senere datakopier til prosjekter der rettsgrunnlaget tar hensyn til den. Kopier som allerede er laget, endres ikke. Den gjelder ikke prosjekter etter helseregisterloven § 19, og samtykkeprosjekter avgjøres bare av samtykket ditt.',
  'consent.optOutProjects': 'Prosjekter reservasjonen din gjelder for',
  'consent.optOutNotProjects': 'Prosjekter reservasjonen din ikke gjelder for',
  'consent.consentProjects': 'Prosjekter som avgjøres av samtykke',
  'consent.noProjects': 'Ingen',
  'consent.confirmOptOutTitle': 'Registrere reservasjonen din?',
  'consent.confirmOptOut': 'Senere datakopier til disse prosjektene holder dataene dine utenfor: {projects}.',
  'consent.confirmOptOutNone': 'Senere datakopier til prosjekter der rettsgrunnlaget tar hensyn til reservasjon, holder dataene dine utenfor.',
  'consent.confirmOptInTitle': 'Trekke tilbake reservasjonen din?',
  'consent.confirmOptIn': 'Senere datakopier til disse prosjektene kan igjen ta med dataene dine: {projects}.',
  'consent.confirmOptInNone': 'Senere datakopier til prosjekter der rettsgrunnlaget tar hensyn til reservasjon, kan igjen ta med dataene dine.',
  'consent.formText': 'Dette samtykker deltakerne til',
  'consent.formTextHint': 'Teksten hver person i utvalget får se og samtykker til (minst 20 tegn).',
  'consent.formVersion': 'Versjon av samtykketeksten',
  'consent.permitTerms': 'Dette samtykker deltakerne til',
};
