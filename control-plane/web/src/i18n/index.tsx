/**
 * Two languages, Norwegian bokmål and English, in two dictionaries with the same keys (the
 * type system and a unit test both check it). Every visible label goes through `t`.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en } from './en.ts';
import { nb } from './nb.ts';

export type { MessageKey } from './keys.ts';
import type { MessageKey } from './keys.ts';
export type Lang = 'nb' | 'en';
export const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { nb, en };

/** Fills `{name}` placeholders. */
export function format(template: string, vars?: Record<string, string | number>): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  setLang(l: Lang): void;
  t: Translate;
  /** Dates and numbers in the chosen language. */
  date(iso: string | null | undefined, withTime?: boolean): string;
  num(n: number): string;
}

const Ctx = createContext<I18n | null>(null);

function initialLang(): Lang {
  const saved = localStorage.getItem('lang');
  if (saved === 'nb' || saved === 'en') return saved;
  return /^(nb|no|nn)\b/i.test(navigator.language) ? 'nb' : 'en';
}

export function LanguageProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem('lang', l);
    setLangState(l);
  }, []);
  const value = useMemo<I18n>(() => {
    const dict = DICTIONARIES[lang];
    const locale = lang === 'nb' ? 'nb-NO' : 'en-GB';
    return {
      lang,
      setLang,
      t: (key, vars) => format(dict[key] ?? key, vars),
      date(iso, withTime = false) {
        if (!iso) return '';
        const d = new Date(iso);
        if (Number.isNaN(d.getTime())) return iso;
        return withTime
          ? d.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC'
          : d.toLocaleDateString(locale, { dateStyle: 'medium', timeZone: 'UTC' });
      },
      num: (n) => n.toLocaleString(locale),
    };
  }, [lang, setLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside LanguageProvider');
  return v;
}
