/**
 * Checks that a page's visible labels all come from the chosen language's dictionary:
 *  - no visible text is a label of the other language only;
 *  - every text that stays the same after switching language is a label spelled alike in
 *    both, or data (it appears in the API's answers), a code, a number or punctuation.
 */
import type { Page } from 'playwright-core';
import { en } from '../../control-plane/web/src/i18n/en.ts';
import { nb } from '../../control-plane/web/src/i18n/nb.ts';

/** Browser globals used inside `page.evaluate` callbacks (this repo type-checks tests without the DOM library). */
declare const document: any;
declare const NodeFilter: any;

export type Lang = 'nb' | 'en';
/** Labels spelled alike in both languages ("Status", "Analyserom"). */
const SAME_IN_BOTH = (Object.keys(en) as (keyof typeof en)[]).filter((k) => en[k] === nb[k]).map((k) => en[k]);

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Each dictionary value as a whole-text pattern; `{name}` placeholders match anything. */
function patterns(dict: Record<string, string>): RegExp[] {
  return Object.values(dict).map(
    (v) =>
      new RegExp(
        `^${v
          .split(/\{\w+\}/)
          .map(escapeRegExp)
          .join('.+')}$`,
        's',
      ),
  );
}
const PATTERNS: Record<Lang, RegExp[]> = { en: patterns(en), nb: patterns(nb) };

const norm = (s: string) =>
  s
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[·—–(\s]+|[·—–:)\s]+$/g, '')
    .trim();

export function isLabelOf(lang: Lang, text: string): boolean {
  const t = norm(text);
  return PATTERNS[lang].some((p) => p.test(t)) || PATTERNS[lang].some((p) => p.test(`${t}:`));
}

export interface TextNode {
  text: string;
  inCode: boolean;
}

/** Every rendered text node under <body> (visible or screen-reader-only), option labels and placeholders. */
export async function pageTexts(page: Page): Promise<TextNode[]> {
  return page.evaluate(() => {
    const out: { text: string; inCode: boolean }[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = (n.textContent ?? '').trim();
      if (!el || !text || el.closest('script,style,template')) continue;
      const hiddenByDetails = el.closest('details:not([open])') && !el.closest('summary');
      if (!el.checkVisibility() && !el.closest('.visually-hidden') && !el.closest('option') && !hiddenByDetails) continue;
      out.push({ text, inCode: !!el.closest('code,pre,svg text,[data-symbol]') });
    }
    for (const el of document.querySelectorAll('[placeholder]') as Iterable<{ placeholder: string }>) {
      out.push({ text: el.placeholder, inCode: false });
    }
    return out;
  });
}

/** Texts of language `lang` that belong to the other language's dictionary only (and are not data, like the user name `lead`). */
export function foreignLabels(lang: Lang, texts: TextNode[], data: Set<string>): string[] {
  const other: Lang = lang === 'nb' ? 'en' : 'nb';
  return texts.filter((t) => !t.inCode && !data.has(t.text) && isLabelOf(other, t.text) && !isLabelOf(lang, t.text)).map((t) => t.text);
}

/** Every string leaf of some JSON values: what counts as data rather than a label. */
export function stringLeaves(values: unknown[]): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'number' || typeof v === 'boolean') out.add(String(v));
    else if (typeof v === 'string') {
      out.add(v.trim());
      for (const part of v.split(/[,;]\s*/)) out.add(part.trim());
    } else if (Array.isArray(v)) {
      // Lists are shown joined ("fnr, sex").
      if (v.every((x) => typeof x === 'string')) out.add(v.join(', '));
      v.forEach(walk);
    } else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  values.forEach(walk);
  return out;
}

/** Texts unchanged by the language switch that are neither same-spelled labels nor data: hard-coded labels. */
export function untranslated(before: TextNode[], after: TextNode[], data: Set<string>): string[] {
  const afterSet = new Set(after.map((t) => t.text));
  const same = (s: string) => SAME_IN_BOTH.some((v) => isSameLabel(v, s));
  return [...new Set(before.filter((t) => !t.inCode && afterSet.has(t.text)).map((t) => t.text))].filter((text) => {
    const n = norm(text);
    if (!/\p{L}/u.test(n)) return false; // punctuation, separators
    if (/\d/.test(n)) return false; // numbers, dates, ids
    if (data.has(n) || data.has(text)) return false;
    if ([...data].some((d) => d.length > 3 && (d.includes(n) || n.includes(d)))) return false;
    return !same(text);
  });
}

function isSameLabel(value: string, text: string): boolean {
  const p = new RegExp(
    `^${value
      .split(/\{\w+\}/)
      .map(escapeRegExp)
      .join('.+')}$`,
    's',
  );
  const n = norm(text);
  return p.test(n) || p.test(`${n}:`);
}

/** Switches the language with the banner button and waits for `<html lang>` to follow. */
export async function switchLanguage(page: Page, to: Lang): Promise<void> {
  const current = await page.evaluate(() => document.documentElement.lang);
  if (current === to) return;
  await page.locator('[data-testid="lang-switch"]').click();
  await page.waitForFunction((l) => document.documentElement.lang === l, to);
}

/**
 * Checks the page as it stands in both languages and returns to `back`: no label of the other
 * language, and nothing left unchanged by the switch but same-spelled labels and data.
 */
export async function labelProblems(page: Page, data: unknown[], back: Lang = 'en'): Promise<{ foreign: Record<Lang, string[]>; unchanged: string[] }> {
  await switchLanguage(page, 'nb');
  const nbTexts = await pageTexts(page);
  await switchLanguage(page, 'en');
  const enTexts = await pageTexts(page);
  const known = stringLeaves(data);
  const out = {
    foreign: { nb: foreignLabels('nb', nbTexts, known), en: foreignLabels('en', enTexts, known) },
    unchanged: untranslated(nbTexts, enTexts, known),
  };
  await switchLanguage(page, back);
  return out;
}
