import { describe, expect, it } from 'vitest';
import { en } from '../../control-plane/web/src/i18n/en.ts';
import { nb } from '../../control-plane/web/src/i18n/nb.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the two dictionaries', () => {
  it('have exactly the same keys', () => {
    expect(Object.keys(nb).sort()).toEqual(Object.keys(en).sort());
  });

  it('have no empty label', () => {
    const empty = [...Object.entries(en), ...Object.entries(nb)].filter(([, v]) => !v.trim()).map(([k]) => k);
    expect(empty).toEqual([]);
  });

  it('use the same placeholders for each key', () => {
    const differ = Object.keys(en).filter((k) => placeholders(en[k as keyof typeof en]).join() !== placeholders(nb[k as keyof typeof nb]).join());
    expect(differ).toEqual([]);
  });

  it('translate nearly every label (same spelling only for names and shared words)', () => {
    const same = Object.keys(en).filter((k) => en[k as keyof typeof en] === nb[k as keyof typeof nb]);
    expect(same.sort()).toEqual(
      [
        'agg.median',
        'agg.min',
        'agg.sum',
        'app.name',
        'apply.data',
        'audit.actor',
        'copies.manifest',
        'copies.sha256',
        'example.outputPath',
        'export.status',
        'projects.status',
        'time.minutes',
        'users.status',
        'var.type',
      ].sort(),
    );
  });
});
