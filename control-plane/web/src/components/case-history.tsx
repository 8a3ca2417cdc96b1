/** The case's history, one step a line in order, with the text of messages, requests and answers; and its attachments. */
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { EP } from '../lib/endpoints.ts';
import type { CaseAttachment, CaseEvent } from '../lib/types.ts';

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

export function CaseHistory({ history }: { history: CaseEvent[] }) {
  const { t, date } = useI18n();
  return (
    <ol className="case-history">
      {history.map((e) => {
        const d = e.details;
        const decision = str(d.decision);
        const vars = {
          to: str(d.to),
          file: str(d.filename),
          permit: str(d.permit),
          version: str(d.version),
          decision: decision ? t(`appStatus.${decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : decision}` as MessageKey) : '',
        };
        const refs = Array.isArray(d.legalReferences) ? (d.legalReferences as string[]) : [];
        return (
          <li key={e.id} data-event={e.kind}>
            <p>
              <time dateTime={e.at}>{date(e.at, true)}</time> · <strong>{e.actorName}</strong> {t(`case.event.${e.kind}` as MessageKey, vars)}
              {d.implicit === true ? ` (${t('case.implicit')})` : null}
            </p>
            {str(d.text) ? <blockquote>{str(d.text)}</blockquote> : null}
            {e.kind === 'decided' && str(d.reason) ? <blockquote>{str(d.reason)}</blockquote> : null}
            {e.kind === 'decided' && refs.length ? <p className="muted">{refs.join('; ')}</p> : null}
            {e.kind === 'withdrawn' && str(d.reason) ? <blockquote>{str(d.reason)}</blockquote> : null}
          </li>
        );
      })}
    </ol>
  );
}

export function CaseAttachments({ applicationId, attachments }: { applicationId: string; attachments: CaseAttachment[] }) {
  const { t, date, num } = useI18n();
  if (!attachments.length) return <p className="muted">{t('case.noAttachments')}</p>;
  const typeLabel = (type: string) => (['ethics_approval', 'protocol', 'dpia', 'other'].includes(type) ? t(`case.type.${type}` as MessageKey) : type);
  return (
    <ul className="plain case-attachments">
      {attachments.map((a) => (
        <li key={a.id} data-attachment={a.id}>
          <a href={EP.caseAttachment(applicationId, a.id)} download={a.filename}>
            {t('case.download')} {a.filename}
          </a>{' '}
          · {typeLabel(a.type)} · {a.contentType} · {t('case.bytes', { n: num(a.sizeBytes) })} · {a.uploadedBy} · {date(a.uploadedAt, true)}
          <br />
          <code className="hash" title="SHA-256">
            {a.sha256}
          </code>
        </li>
      ))}
    </ul>
  );
}
