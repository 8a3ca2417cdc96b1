import { useEffect, useRef, type ReactNode } from 'react';
import { useI18n } from '../i18n/index.tsx';
import { Link } from '../lib/router.tsx';

/** Until the person acts, the page keeps the browser's focus order (skip link first). */
let interacted = false;
for (const type of ['keydown', 'pointerdown'])
  addEventListener(
    type,
    () => {
      interacted = true;
    },
    { capture: true },
  );

/** The page heading: sets the document title and takes focus after navigation, so screen readers announce the new page. */
export function Page({ title, children, tabs }: { title: string; children: ReactNode; tabs?: ReactNode }) {
  const { t } = useI18n();
  const h1 = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} – ${t('app.name')}`;
  }, [title, t]);
  useEffect(() => {
    if (interacted && (document.activeElement === document.body || document.activeElement?.closest('nav, form'))) h1.current?.focus();
  }, [title]);
  return (
    <>
      <h1 tabIndex={-1} ref={h1}>
        {title}
      </h1>
      {tabs}
      {children}
    </>
  );
}

export function Tabs({ label, items, current }: { label: string; items: { href: string; label: string }[]; current: string }) {
  return (
    <nav aria-label={label} className="tabs">
      <ul>
        {items.map((i) => (
          <li key={i.href}>
            <Link href={i.href} aria-current={i.href === current ? 'page' : undefined}>
              {i.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  const hid = `h-${id ?? title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <section aria-labelledby={hid} className="card">
      <h2 id={hid}>{title}</h2>
      {children}
    </section>
  );
}
