/**
 * The apply form's consent part: a project on the legal basis consent says what participants
 * consent to (the text the citizens are shown, and its version). Rendered inside the form's
 * `grid-form` fieldset; the values live in the form's draft (`apply-draft.ts`), which puts them
 * into the application's `project.consent`.
 */
import { useI18n } from '../i18n/index.tsx';

export function ConsentFields(props: { text: string; version: string; onChange(c: { consentText?: string; consentVersion?: string }): void }) {
  const { t } = useI18n();
  return (
    <>
      <label htmlFor="consentText">{t('consent.formText')}</label>
      <textarea
        id="consentText"
        name="consentText"
        required
        minLength={20}
        maxLength={20000}
        rows={4}
        aria-describedby="consentText-hint"
        value={props.text}
        onChange={(e) => props.onChange({ consentText: e.target.value })}
      />
      <p id="consentText-hint" className="hint">
        {t('consent.formTextHint')}
      </p>
      <label htmlFor="consentVersion">{t('consent.formVersion')}</label>
      <input
        id="consentVersion"
        name="consentVersion"
        required
        maxLength={40}
        value={props.version}
        onChange={(e) => props.onChange({ consentVersion: e.target.value })}
      />
    </>
  );
}
