import cliProgress from 'cli-progress';
import type { DatabaseHandle } from '#src/storage/dialect';
import { IMPORT_KINDS } from '#src/importers/import-kinds';
import { runImport, ImportShapeError, type ImportSummary } from '#src/importers/pipeline';
import { parseIsoPartialDate } from '#src/domain/dates';
import { CliError } from '../cli-error';

export interface ImportCommandOptions {
  asOf?: string;
  json?: boolean;
  /** Show at most this many rejected rows and warnings (all of them with --json). */
  maxListed?: number;
}

/** Runs one import with a progress bar on a terminal, then prints the summary and every rejected row. */
export async function importCommand(
  handle: DatabaseHandle,
  kindName: string,
  file: string,
  options: ImportCommandOptions,
): Promise<ImportSummary> {
  const kind = IMPORT_KINDS.get(kindName);
  if (!kind)
    throw new CliError(`unknown import kind "${kindName}"; the kinds are: ${[...IMPORT_KINDS.keys()].join(', ')}`);
  if (options.asOf !== undefined && parseIsoPartialDate(options.asOf) === null)
    throw new CliError(`--as-of must be a date YYYY-MM-DD, YYYY-MM or YYYY (got "${options.asOf}")`);
  const bar =
    process.stderr.isTTY && !options.json
      ? new cliProgress.SingleBar(
          { format: `${kindName} [{bar}] {percentage}% | {value}/{total} MB`, stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
      : null;
  let summary: ImportSummary;
  try {
    summary = await runImport(handle.db, kind, file, {
      asOf: options.asOf,
      onProgress: (done, total) => {
        if (!bar) return;
        const mb = (n: number) => Math.round((n / 1e6) * 10) / 10;
        if (bar.getTotal() !== mb(total)) bar.start(mb(total), 0);
        bar.update(mb(done));
      },
    });
  } catch (error) {
    bar?.stop();
    if (error instanceof ImportShapeError) throw new CliError(`refused: ${error.message}. Nothing was written.`);
    throw error;
  }
  bar?.stop();
  if (options.json) {
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    return summary;
  }
  const max = options.maxListed ?? 50;
  const out = (s: string) => process.stdout.write(s + '\n');
  out(
    `${summary.kind} ${summary.file} (as of ${summary.asOf}): read ${summary.read}, created ${summary.created}, \
updated ${summary.updated}, unchanged ${summary.unchanged}, rejected ${summary.rejected}`,
  );
  if (summary.rejections.length > 0) {
    out(`rejected rows:`);
    for (const r of summary.rejections.slice(0, max)) out(`  ${summary.file}:${r.line}: ${r.field}: ${r.reason}`);
    if (summary.rejections.length > max) out(`  … and ${summary.rejections.length - max} more (use --json to see all)`);
  }
  if (summary.warnings.length > 0) {
    out(`warnings (${summary.warnings.length}):`);
    for (const w of summary.warnings.slice(0, max)) out(`  ${summary.file}:${w.line}: ${w.message}`);
    if (summary.warnings.length > max) out(`  … and ${summary.warnings.length - max} more (use --json to see all)`);
  }
  return summary;
}
