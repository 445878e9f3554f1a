/**
 * Writes a GENERATED Atlas-format file for benchmarks by replaying the real Atlas export's rows under
 * fresh ids (GEN0000001, …) and agency names marked "(generated copy N)", so each row is a new
 * deployment. Never import the output into a real database: every summary starts "[GENERATED]".
 *
 *   tsx bench/generate-atlas.ts ROWS OUT_FILE
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { readDelimited } from '#src/importers/delimited.reader';
import { csvField } from '#src/features/export/export.service';
import { REPO_ROOT } from '#src/config/config';

const [rowsArg, outFile] = process.argv.slice(2);
const wanted = Number(rowsArg);
if (!Number.isInteger(wanted) || wanted < 1 || !outFile) {
  process.stderr.write('usage: tsx bench/generate-atlas.ts ROWS OUT_FILE\n');
  process.exit(2);
}

const source = join(REPO_ROOT, 'data/atlas-of-surveillance-2020/atlas-of-surveillance-20201007.csv');
const real: string[][] = [];
let header: string[] = [];
for await (const { fields } of readDelimited(source)) {
  if (header.length === 0) header = fields;
  else real.push(fields);
}
const agency = header.indexOf('Agency');
const summary = header.indexOf('Summary');
const out = createWriteStream(outFile);
const write = async (line: string) => {
  if (!out.write(line + '\n')) await once(out, 'drain');
};
await write(header.map((h) => `"${h}"`).join(','));
for (let i = 0; i < wanted; i++) {
  const row = [...real[i % real.length]!];
  const copy = Math.floor(i / real.length) + 1;
  row[0] = `GEN${String(i + 1).padStart(7, '0')}`;
  row[agency] = `${row[agency]} (generated copy ${copy})`;
  row[summary] = `[GENERATED] ${row[summary]}`;
  await write(row.map((f) => csvField(f.includes(',') || f.includes('"') ? f : f)).join(','));
}
out.end();
await once(out, 'finish');
process.stderr.write(`wrote ${wanted} generated rows to ${outFile}\n`);
