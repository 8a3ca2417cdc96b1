import { useI18n } from '../i18n/index.tsx';
import { EP } from '../lib/endpoints.ts';
import { CopiesView } from '../components/copies-view.tsx';
import { Page } from '../components/page.tsx';

/** Access administrator: every data copy with its manifest. */
export function CopiesPage() {
  const { t } = useI18n();
  return <Page title={t('nav.adminCopies')}><CopiesView path={EP.copies} /></Page>;
}
