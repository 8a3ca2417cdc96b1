/**
 * The e-mail of one notification. Users have no language of their own on the platform, so the
 * mail says it in both, Norwegian first (the platform's first language), as Norwegian public
 * services do in mail to people whose language they do not know. It holds only what the
 * notification holds: its kind and ids made into a sentence, and a link to where the change is
 * seen; never a citizen's identity (params are ids and names only, `notify`), never data.
 */
import type { NotificationKind } from './schemas.ts';
import { notificationText } from './texts.ts';

export interface MailContent {
  subject: string;
  text: string;
}

const SUBJECT_MAX = 200;
/** Control characters out: nothing a param holds can start a header or a line of its own. */
const plain = (s: string) => s.replace(/[\p{Cc}\p{Cf}]+/gu, ' ').trim();

export function mailFor(n: { kind: NotificationKind; params: Record<string, string>; link: string | null }, baseUrl: string): MailContent {
  const nb = plain(notificationText('nb', n.kind, n.params));
  const en = plain(notificationText('en', n.kind, n.params));
  // Only a path of the platform's own UI becomes a link; anything else is left out.
  const url = n.link && /^\/[A-Za-z0-9/_.~%-]*$/.test(n.link) && !n.link.startsWith('//') ? `${baseUrl}${n.link}` : baseUrl;
  const subject = `Analyserom: ${nb} / ${en}`;
  return {
    subject: subject.length > SUBJECT_MAX ? `${subject.slice(0, SUBJECT_MAX - 1)}…` : subject,
    text: [
      nb,
      `Se: ${url}`,
      '',
      en,
      `See: ${url}`,
      '',
      '-- ',
      'Analyserom. Denne e-posten er sendt automatisk; ikke svar på den.',
      'This e-mail was sent automatically; do not reply to it.',
      '',
    ].join('\n'),
  };
}
