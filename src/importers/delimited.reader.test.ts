import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDelimited, UnterminatedQuoteError } from './delimited.reader';

async function read(text: string, delimiter?: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'cw-reader-')), 'f.csv');
  writeFileSync(file, text);
  const out = [];
  for await (const r of readDelimited(file, { delimiter })) out.push(r);
  return out;
}

describe('readDelimited', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, and numbers records by their first line', async () => {
    const records = await read('a,b\n"x, y","say ""hi"""\n"two\nlines",z\nlast,row');
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['two\nlines', 'z'] },
      { line: 5, fields: ['last', 'row'] },
    ]);
  });

  it('handles CRLF, a byte-order mark, empty fields and blank lines', async () => {
    const records = await read('\uFEFFa,b,c\r\n1,,3\r\n\r\n,"",\r\n');
    expect(records).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', '', '3'] },
      { line: 4, fields: ['', '', ''] },
    ]);
  });

  it('reads pipe-delimited files', async () => {
    expect(await read('AL|01001|Autauga County\n', '|')).toEqual([
      { line: 1, fields: ['AL', '01001', 'Autauga County'] },
    ]);
  });

  it('says on which line a quote is never closed', async () => {
    await expect(read('a,b\n1,2\n"open,3\n4,5\n')).rejects.toThrow(UnterminatedQuoteError);
    await expect(read('a,b\n1,2\n"open,3\n4,5\n')).rejects.toThrow(/line 3/);
  });

  it('reads records split across chunk boundaries', async () => {
    const long = 'x'.repeat(1 << 20);
    const records = await read(`h1,h2\n"${long}","q""${long}"\nend,1\n`);
    expect(records[1]!.fields[0]!.length).toBe(1 << 20);
    expect(records[1]!.fields[1]).toBe(`q"${long}`);
    expect(records[2]).toEqual({ line: 3, fields: ['end', '1'] });
  });

  it('decodes characters whose bytes fall on both sides of a chunk boundary, and passes on every byte', async () => {
    // Two-byte "é" and four-byte "𝄞" placed across every byte offset near the 256 KiB chunk edge.
    const names = Array.from({ length: 8 }, (_, i) => `${'a'.repeat(i)}é𝄞 Police Département`);
    const head = `h1,h2\n${'p'.repeat((1 << 18) - 12)},x\n`;
    const text = head + names.map((n, i) => `${n},${i}\n`).join('');
    const file = join(mkdtempSync(join(tmpdir(), 'cw-reader-')), 'f.csv');
    writeFileSync(file, text);
    const seen: Buffer[] = [];
    const out = [];
    for await (const r of readDelimited(file, { onBytes: (b) => seen.push(Buffer.from(b)) })) out.push(r);
    expect(out.slice(2).map((r) => r.fields[0])).toEqual(names);
    expect(Buffer.concat(seen).equals(Buffer.from(text))).toBe(true);
    expect(seen.length).toBeGreaterThan(1);
  });
});
