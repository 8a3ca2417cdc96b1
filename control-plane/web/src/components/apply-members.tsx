/** The members an application names, as the application form edits them (moved out of `pages/apply.tsx`, unchanged in behaviour). */
import { useI18n } from '../i18n/index.tsx';
import type { Draft } from './apply-draft.ts';
import { FieldErrorView } from './field-error.tsx';
import type { FieldError } from './form-types.ts';

export function ApplyMembers({ members, onChange, error }: { members: Draft['members']; onChange(m: Draft['members']): void; error?: FieldError | undefined }) {
  const { t } = useI18n();
  return (
    <fieldset id="members" tabIndex={-1}>
      <legend>{t('apply.members')}</legend>
      <FieldErrorView id="members" error={error} />
      {members.length === 0 ? <p className="muted">{t('apply.noMembers')}</p> : null}
      <ul className="plain">
        {members.map((m, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are identified by their place; the user name is what is being typed
          <li key={i} className="member-row">
            <label htmlFor={`member-${i}`}>{t('apply.memberUser', { n: i + 1 })}</label>
            <input
              id={`member-${i}`}
              value={m.userId}
              maxLength={100}
              onChange={(e) => onChange(members.map((x, j) => (j === i ? { ...x, userId: e.target.value } : x)))}
            />
            <label htmlFor={`member-role-${i}`}>{t('apply.memberRole', { n: i + 1 })}</label>
            <select
              id={`member-role-${i}`}
              value={m.role}
              onChange={(e) => onChange(members.map((x, j) => (j === i ? { ...x, role: e.target.value as 'lead' | 'researcher' } : x)))}
            >
              <option value="researcher">{t('memberRole.researcher')}</option>
              <option value="lead">{t('memberRole.lead')}</option>
            </select>
            <button type="button" onClick={() => onChange(members.filter((_, j) => j !== i))}>
              {t('apply.removeMember', { n: i + 1 })}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => onChange([...members, { userId: '', role: 'researcher' }])}>
        {t('apply.addMember')}
      </button>
    </fieldset>
  );
}
