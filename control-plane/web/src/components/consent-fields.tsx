/**
 * The apply form's consent part: a project on the legal basis consent says what participants
 * consent to (the text the citizens are shown, and its version). Rendered inside the form's
 * `grid-form` fieldset; `consentFromForm` reads it into the application's `project.consent`.
 */
import { useI18n } from '../i18n/index.tsx';

export function ConsentFields() {
  const { t } = useI18n();
  return (
    <>
      <label htmlFor="consentText">{t('consent.formText')}</label>
      <textarea id="consentText" name="consentText" required minLength={20} maxLength={20000} rows={4} aria-describedby="consentText-hint" />
      <p id="consentText-hint" className="hint">
        {t('consent.formTextHint')}
      </p>
      <label htmlFor="consentVersion">{t('consent.formVersion')}</label>
      <input id="consentVersion" name="consentVersion" required maxLength={40} defaultValue="1.0" />
    </>
  );
}

/** `{ consent }` for the project part when the form has the consent fields, else nothing. */
export function consentFromForm(f: FormData): { consent?: { text: string; version: string } } {
  const text = f.get('consentText');
  if (text === null) return {};
  return { consent: { text: String(text), version: String(f.get('consentVersion') ?? '') } };
}
