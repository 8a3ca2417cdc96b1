import { describe, expect, it } from 'vitest';
import { allowed, NAV, navFor } from '../../control-plane/web/src/lib/nav.ts';
import { en } from '../../control-plane/web/src/i18n/en.ts';

describe('navigation by role', () => {
  it('shows a researcher their projects and the explorer', () => {
    expect(navFor(['researcher']).map((n) => n.id)).toEqual(['projects', 'explore']);
  });

  it('shows a lead who is also a researcher projects, the explorer, the application form and their applications, once each', () => {
    expect(navFor(['project_lead', 'researcher']).map((n) => n.id)).toEqual(['projects', 'explore', 'apply', 'my-applications']);
  });

  it('gives administrator, auditor and operator pages to nobody without those roles', () => {
    const privileged = NAV.filter((n) => n.path.startsWith('/admin') || n.path.startsWith('/audit') || n.path.startsWith('/operator'));
    expect(privileged.length).toBe(9);
    for (const n of privileged) expect(allowed(n, ['researcher', 'project_lead', 'citizen'])).toBe(false);
  });

  it('has a label and a help text in the dictionary for every page', () => {
    const missing = NAV.flatMap((n) => [n.label, `${n.label}.help`]).filter((k) => !(k in en));
    expect(missing).toEqual([]);
  });

  it('never puts a page under /rooms/, the room proxy', () => {
    expect(NAV.filter((n) => n.path.startsWith('/rooms'))).toEqual([]);
  });
});
