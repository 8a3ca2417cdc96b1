/**
 * What a notification says, made from its kind and params in the reader's language: the one
 * source for the web UI (which bundles this file as it is: no runtime imports, like
 * `projects/legal-bases.ts`) and for e-mail (`mail-text.ts`). A param value the texts know
 * (a decision, a reason) is said in words; any other is shown as it is (an id, a version).
 */
import type { NotificationKind } from './schemas.ts';

export type NotificationLang = 'en' | 'nb';

const TEMPLATES: Record<NotificationLang, Record<NotificationKind, string>> = {
  en: {
    'application.message': 'New message on application {application}',
    'application.info_requested': 'More information is asked for on application {application}; the case waits for your answer',
    'application.info_provided': 'The applicant answered the request for more information on application {application}',
    'application.assigned': 'Application {application} was assigned to you',
    'application.decided': 'Application {application} was {decision}',
    'permit.issued': 'Permit {permit} version {version} was issued',
    'export.submitted': 'Export request {export} awaits your review',
    'export.reviewed': 'Your export request {export} was {decision}',
    'room.stopped': 'Your room {room} was stopped: {reason}',
    'copy.new_version': "Version {version} of the project's data copy is ready: {reason}",
    'consent.requested': 'Project {project} asks for your consent',
    'citizen.question': 'A citizen asked your project a question ({question})',
    'citizen.answer': 'Your question {question} was answered',
  },
  nb: {
    'application.message': 'Ny melding i søknad {application}',
    'application.info_requested': 'Det bes om mer informasjon i søknad {application}; saken venter på svaret ditt',
    'application.info_provided': 'Søkeren har svart på forespørselen om mer informasjon i søknad {application}',
    'application.assigned': 'Søknad {application} er tildelt deg',
    'application.decided': 'Søknad {application} er {decision}',
    'permit.issued': 'Tillatelse {permit} versjon {version} er utstedt',
    'export.submitted': 'Utleveringsforespørsel {export} venter på din vurdering',
    'export.reviewed': 'Utleveringsforespørselen din {export} er {decision}',
    'room.stopped': 'Rommet ditt {room} ble stoppet: {reason}',
    'copy.new_version': 'Versjon {version} av prosjektets datakopi er klar: {reason}',
    'consent.requested': 'Prosjekt {project} ber om samtykket ditt',
    'citizen.question': 'En innbygger har stilt prosjektet ditt et spørsmål ({question})',
    'citizen.answer': 'Spørsmålet ditt {question} er besvart',
  },
};

/** Param values said in words, by param name. */
const WORDS: Record<NotificationLang, Record<string, Record<string, string>>> = {
  en: {
    decision: {
      approved: 'approved',
      rejected: 'rejected',
      returned: 'returned for changes',
    },
    reason: {
      permit_expired: 'the permit expired',
      project_closed: 'the project was closed',
      no_permit: 'the project has no permit in force',
      not_a_member: 'you are no longer a member of the project',
      not_authorised_by_permit: 'the permit no longer names you',
      no_such_project: 'the project no longer exists',
      operator: 'an operator stopped it',
      idle: 'it was idle too long',
      max_lifetime: 'it reached its longest running time',
      first_copy: 'the first copy under the permit',
      permit_changed: 'the permit changed',
      consent_withdrawn: 'a participant withdrew their consent',
      consent_given: 'participants gave their consent',
    },
  },
  nb: {
    decision: {
      approved: 'godkjent',
      rejected: 'avslått',
      returned: 'sendt tilbake for endringer',
    },
    reason: {
      permit_expired: 'tillatelsen er utløpt',
      project_closed: 'prosjektet er avsluttet',
      no_permit: 'prosjektet har ingen gjeldende tillatelse',
      not_a_member: 'du er ikke lenger medlem av prosjektet',
      not_authorised_by_permit: 'tillatelsen omfatter ikke lenger deg',
      no_such_project: 'prosjektet finnes ikke lenger',
      operator: 'en driftsansvarlig stoppet det',
      idle: 'det var ubrukt for lenge',
      max_lifetime: 'det nådde lengste tillatte kjøretid',
      first_copy: 'den første kopien under tillatelsen',
      permit_changed: 'tillatelsen er endret',
      consent_withdrawn: 'en deltaker har trukket samtykket sitt',
      consent_given: 'deltakere har gitt samtykke',
    },
  },
};

/** The notification's sentence in `lang`; a placeholder without its param is left out. */
export function notificationText(lang: NotificationLang, kind: NotificationKind, params: Readonly<Record<string, string>>): string {
  const template = TEMPLATES[lang][kind] ?? kind;
  return template
    .replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = params[name];
      if (value === undefined) return '';
      return WORDS[lang][name]?.[value] ?? value;
    })
    .replace(/(?<=\S)\s+(?=[,.:;)])/g, '') // only a run that follows a word: linear, where `\s+(…)` rescans every run from each of its spaces
    .replace(/\(\)/g, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
}
