import { useI18n, type MessageKey } from '../i18n/index.tsx';
import type { Permit } from '../lib/types.ts';

/** What data a permit covers and until when. */
export function PermitView({ permit }: { permit: Permit }) {
  const { t, date } = useI18n();
  const expired = new Date(permit.expiresAt).getTime() < Date.now();
  const cohort = Object.entries(permit.cohort ?? {});
  return (
    <div className="permit">
      <dl className="facts">
        <dt>{t('permit.id')}</dt>
        <dd>
          <code>{permit.id}</code> · {t('permit.version', { n: permit.version })}
        </dd>
        <dt>{t('permit.caseType')}</dt>
        <dd>{t(`caseType.${permit.caseType}` as MessageKey)}</dd>
        <dt>{t('permit.period')}</dt>
        <dd>
          {date(permit.period.from)} – {date(permit.period.to)}
        </dd>
        <dt>{t('permit.expires')}</dt>
        <dd>
          <strong>{date(permit.expiresAt)}</strong>
          {expired ? <span className="badge bad"> {t('permit.expired')}</span> : null}
        </dd>
        <dt>{t('permit.legalBasis')}</dt>
        <dd>{t(`legalBasis.${permit.legalBasis}` as MessageKey)}</dd>
        <dt>{t('permit.optOut')}</dt>
        <dd>{permit.optOutHonoured ? t('common.yes') : t('common.no')}</dd>
        {permit.consent ? (
          <>
            <dt>{t('consent.permitTerms')}</dt>
            <dd data-testid="permit-consent">
              {permit.consent.text} <span className="hint">({t('consent.version', { version: permit.consent.version })})</span>
            </dd>
          </>
        ) : null}
        <dt>{t('permit.linkage')}</dt>
        <dd>{permit.linkageAllowed ? t('common.yes') : t('common.no')}</dd>
        <dt>{t('permit.cohort')}</dt>
        <dd>
          {cohort.length
            ? cohort.map(([k, v]) => `${t(`cohort.${k}` as MessageKey)}: ${Array.isArray(v) ? v.join(', ') : String(v)}`).join('; ')
            : t('permit.wholePopulation')}
        </dd>
        <dt>{t('permit.persons')}</dt>
        <dd>{permit.authorisedPersons.join(', ')}</dd>
        <dt>{t('permit.issued')}</dt>
        <dd>
          {date(permit.issuedAt)} · {permit.issuedBy}
        </dd>
        <dt>{t('permit.reason')}</dt>
        <dd>{permit.reason}</dd>
      </dl>
      <h3>{t('permit.datasets')}</h3>
      <ul>
        {permit.datasets.map((d) => (
          <li key={d.dataset}>
            <strong>{d.dataset}</strong>: {d.variables.join(', ')}
          </li>
        ))}
      </ul>
    </div>
  );
}
