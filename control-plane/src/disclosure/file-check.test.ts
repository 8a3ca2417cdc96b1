import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { FileRules } from '../policies/index.ts';
import { checkFile, checkFileBytes, checkRequestSize, FileCheckResultSchema, isNationalIdNumber, type FileCheckOptions } from './index.ts';

// 010190 124 → k1: 3·0+7·1+6·0+1·1+8·9+9·0+4·1+5·2+2·4 = 102, 102 mod 11 = 3, k1 = 11 − 3 = 8;
// k2: 5·0+4·1+3·0+2·1+7·9+6·0+5·1+4·2+3·4+2·8 = 110, mod 11 = 0, k2 = 11 → 0.
const FNR = '01019012480';

const rules: FileRules = {
  maxFileBytes: 1_000_000,
  maxRequestBytes: 5_000_000,
  allowArchives: false,
  maxUnpackedBytes: 100_000,
  scanNationalIds: true,
  scanPseudonyms: true,
  scanSmallCounts: true,
  scanBudgetMs: 10_000,
};
const opts: FileCheckOptions = { rules, tableThreshold: 10, pseudonyms: new Set(['PX-7f3a', 'PX-0b21']) };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function check(name: string, content: string | Buffer, o: FileCheckOptions = opts) {
  return checkFileBytes(name, typeof content === 'string' ? Buffer.from(content) : content, o);
}

/** A zip of stored or deflated entries, written by hand so the test needs no archiver. */
function zip(entries: Record<string, string | Buffer>): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(entries)) {
    const data = Buffer.from(content);
    const packed = deflateRawSync(data);
    const nameBuf = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(8, 10);
    dir.writeUInt32LE(crc32(data), 16);
    dir.writeUInt32LE(packed.length, 20);
    dir.writeUInt32LE(data.length, 24);
    dir.writeUInt16LE(nameBuf.length, 28);
    dir.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, packed);
    central.push(dir, nameBuf);
    offset += 30 + nameBuf.length + packed.length;
  }
  const centralBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(centralBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBuf, end]);
}

describe('national identity numbers', () => {
  it('accepts valid mod-11 check digits and rejects invalid ones', () => {
    expect(isNationalIdNumber(FNR)).toBe(true);
    expect(isNationalIdNumber('01019012481')).toBe(false);
    expect(isNationalIdNumber('01019012470')).toBe(false);
    expect(isNationalIdNumber('0101901248')).toBe(false);
  });

  it('finds a valid number in a text output, masked to its birth date', () => {
    const text = `summary\npatient ${FNR} was admitted\n`;
    expect(check('notes.txt', text)).toEqual({
      name: 'notes.txt',
      size: text.length,
      sha256: sha(Buffer.from(text)),
      type: { kind: 'text', mime: 'text/plain' },
      status: 'review',
      findings: [{ check: 'national-id', line: 2, value: '010190*****' }],
      counts: { 'national-id': 1 },
    });
  });

  it('finds the spaced form and ignores invalid check digits and longer numbers', () => {
    const result = check('notes.txt', `a 010190 12480\nb 01019012481\nc 901019012480\nd 3.01019012480\n`);
    expect(result.findings).toEqual([{ check: 'national-id', line: 1, value: '010190*****' }]);
  });
});

describe('pseudonyms and small counts', () => {
  it('reports a project pseudonym and small counts in a CSV table', () => {
    const csv = 'group,count,id\nA,12,x\nB,3,PX-7f3a\n"C, D",9,y\n';
    const result = check('table.csv', csv);
    expect(result.type).toEqual({ kind: 'csv', mime: 'text/csv' });
    expect(result.status).toBe('review');
    expect(result.findings).toEqual([
      { check: 'pseudonym', line: 3, value: 'PX-7f3a' },
      { check: 'small-count', line: 3, value: '3', column: 'count' },
      { check: 'small-count', line: 4, value: '9', column: 'count' },
    ]);
  });

  it('passes a CSV table of counts from the threshold up', () => {
    const result = check('table.csv', 'group,count\nA,10\nB,250\n');
    expect(result.status).toBe('pass');
    expect(result.findings).toEqual([]);
  });

  it('scans JSON and notebook outputs; a notebook with an image goes to manual review too', () => {
    const nb = JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: 'code', source: 'df.head()', outputs: [{ output_type: 'execute_result', data: { 'text/plain': `0  ${FNR}` } }] },
        { cell_type: 'code', source: 'plot()', outputs: [{ output_type: 'display_data', data: { 'image/png': 'iVBORw0KGgo=' } }] },
      ],
    });
    const result = check('analysis.ipynb', nb);
    expect(result.type.kind).toBe('notebook');
    expect(result.status).toBe('review');
    expect(result.findings).toEqual([
      { check: 'national-id', line: 1, value: '010190*****' },
      { check: 'uncheckable', message: '1 image output(s) in the notebook' },
    ]);
    expect(check('r.json', JSON.stringify({ ids: ['PX-0b21'] })).findings).toEqual([{ check: 'pseudonym', line: 1, value: 'PX-0b21' }]);
  });
});

describe('types by content', () => {
  it('marks a PNG named .csv as an image for manual review', () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 7)]);
    const result = check('table.csv', png);
    expect(result).toEqual({
      name: 'table.csv',
      size: 40,
      sha256: sha(png),
      type: { kind: 'image', mime: 'image/png' },
      status: 'manual-review',
      findings: [{ check: 'uncheckable', message: 'image/png cannot be checked by machine' }],
      counts: {},
    });
  });

  it('marks PDFs and unknown binary files for manual review', () => {
    expect(check('report.txt', '%PDF-1.7\n1 0 obj\n').status).toBe('manual-review');
    expect(check('model.bin', Buffer.from([0, 1, 2, 3, 250, 251])).type).toEqual({ kind: 'binary', mime: 'application/octet-stream' });
  });
});

describe('SVG by content', () => {
  const kind = (text: string) => checkFileBytes('f', Buffer.from(text), opts).type.mime;

  it('knows an SVG after an XML declaration, comments and white space, in any case', () => {
    expect(kind('<svg xmlns="http://www.w3.org/2000/svg"></svg>')).toBe('image/svg+xml');
    expect(kind('<?xml version="1.0"?>\n<!-- a -->\n<!---->  <SVG>\n</SVG>')).toBe('image/svg+xml');
    expect(kind('  <svg\n width="1"/>')).toBe('image/svg+xml');
  });

  it('does not take comments without an svg element, an unclosed comment or <svgx> for SVG', () => {
    expect(kind(`${'<!---->'.repeat(28)}x`)).toBe('text/plain');
    expect(kind('<!-- <svg> never closed')).toBe('text/plain');
    expect(kind('<svgx>')).toBe('text/plain');
    expect(kind('<svg')).toBe('text/plain');
  });
});

describe('archives and sizes', () => {
  it('refuses an archive or compressed file when the policy does not allow them, whatever its name', () => {
    const gz = gzipSync('a,b\n1,2\n');
    expect(check('results.txt', gz)).toEqual({
      name: 'results.txt',
      size: gz.length,
      sha256: sha(gz),
      type: { kind: 'compressed', mime: 'application/gzip' },
      status: 'refused',
      findings: [{ check: 'archive', message: 'application/gzip: archives and compressed files are not allowed by the policy' }],
      counts: {},
    });
    expect(check('out.zip', zip({ 'a.txt': 'hello' })).status).toBe('refused');
  });

  it('checks each entry of an allowed zip', () => {
    const allowed = { ...opts, rules: { ...rules, allowArchives: true } };
    const result = check('out.zip', zip({ 'summary.txt': 'all fine\n', 'dir/ids.txt': `x ${FNR}\n` }), allowed);
    expect(result.status).toBe('review');
    expect(result.entries?.map((e) => [e.name, e.status, e.findings])).toEqual([
      ['out.zip/summary.txt', 'pass', []],
      ['out.zip/dir/ids.txt', 'review', [{ check: 'national-id', line: 1, value: '010190*****' }]],
    ]);
    expect(FileCheckResultSchema.parse(result)).toEqual(result);
  });

  it('never unpacks an allowed archive past the limit', () => {
    const allowed = { ...opts, rules: { ...rules, allowArchives: true } };
    const bomb = gzipSync(Buffer.alloc(10_000_000));
    expect(check('data.gz', bomb, allowed).findings).toEqual([{ check: 'unpack', message: 'unpacks to more than 100000 bytes' }]);
    expect(check('data.zip', zip({ 'big.txt': Buffer.alloc(200_000, 0x61) }), allowed).findings).toEqual([
      { check: 'unpack', message: 'declares 200000 unpacked bytes, more than 100000' },
    ]);
  });

  it('refuses a file over the size limit without reading it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'file-check-'));
    await writeFile(join(dir, 'big.csv'), Buffer.alloc(1_000_001, 0x61));
    expect(await checkFile(join(dir, 'big.csv'), opts)).toEqual({
      name: 'big.csv',
      size: 1_000_001,
      type: { kind: 'binary', mime: 'application/octet-stream' },
      status: 'refused',
      findings: [{ check: 'size', message: '1000001 bytes is over the limit of 1000000' }],
      counts: {},
    });
  });

  it('refuses a request whose files together exceed the request limit', () => {
    expect(checkRequestSize([3_000_000, 2_000_000], rules)).toBeNull();
    expect(checkRequestSize([3_000_000, 2_000_001], rules)).toEqual({ check: 'size', message: "the request's 5000001 bytes are over the limit of 5000000" });
  });
});
