import { describe, expect, it } from 'vitest';
import { sniffContentType } from './case-attachments.ts';
import { casesOptions, DEFAULT_DEADLINE_DAYS } from './case-options.ts';

describe('an attachment is typed by its bytes', () => {
  it.each([
    ['a PDF', Buffer.from('%PDF-1.7\n%%EOF'), 'application/pdf'],
    ['a PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), 'image/png'],
    ['a JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'image/jpeg'],
    ['UTF-8 text with tabs and line breaks', Buffer.from('Protokoll\tv2\r\nÆØÅ æøå\n'), 'text/plain; charset=utf-8'],
    ['HTML, which is only text here', Buffer.from('<script>alert(1)</script>'), 'text/plain; charset=utf-8'],
    ['a ZIP (an Office file)', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]), null],
    ['invalid UTF-8', Buffer.from([0x41, 0xc3, 0x28]), null],
    ['text with a NUL byte', Buffer.from('abc\u0000def'), null],
  ])('%s', (_what, bytes, type) => {
    expect(sniffContentType(bytes)).toBe(type);
  });
});

describe('the deadlines per case type', () => {
  it('fill in the defaults for the types the setting leaves out, from the environment form', () => {
    expect(casesOptions({ deadlineDays: 'one_off=90, extra_order=10' })).toEqual({
      attachmentMaxBytes: 10 * 1024 * 1024,
      deadlineDays: { ...DEFAULT_DEADLINE_DAYS, one_off: 90, extra_order: 10 },
    });
  });

  it('refuse an unknown case type or a deadline of no days', () => {
    expect(() => casesOptions({ deadlineDays: 'one_of=90' })).toThrow(/invalid case settings/);
    expect(() => casesOptions({ deadlineDays: { one_off: 0 } })).toThrow(/invalid case settings/);
  });
});
