import type { ImportKind, ParseResult } from '../import-kind';
import { ATLAS_COLUMNS, atlasImporter, type AtlasRow } from './atlas.importer';

/**
 * The columns of EFF's Atlas "Data Library" files (the border-communities file,
 * aos-bordercounties_-_01.10.2020.csv) and the Atlas export's column each holds. Its fourth link has no
 * column of the export's own, so it is read as a "Link 4".
 */
const EXPORT_COLUMN_OF: Record<string, string> = {
  'Ref no.': 'AOSNUMBER',
  Agency: 'Agency',
  City: 'City',
  County: 'County',
  State: 'State',
  'LEA Type': 'Type of LEA',
  'Jurisdiction Type': 'Type of Juris',
  'Technology Type': 'Technology',
  Vendor: 'Vendor',
  Summary: 'Summary',
  'Primary Link': 'Link 1',
  'Archived Primary Link': 'Link 1 Snapshot',
  'Document Type': 'Link 1 Type',
  Source: 'Link 1 Source',
  'Document Date': 'Link 1 Date',
  'Additional Link #1': 'Link 2',
  'Archived Additional Link #1': 'Link 2 Snapshot',
  'Additional Link #2': 'Link 3',
  'Archived Additional Link #2': 'Link 3 Snapshot',
  'Additional Link #3': 'Link 4',
  'Archived Additional Link #3': 'Link 4 Snapshot',
};
const COLUMN_IN_FILE = Object.fromEntries(Object.entries(EXPORT_COLUMN_OF).map(([file, atlas]) => [atlas, file]));
const LINK_4 = ['Link 4', 'Link 4 Snapshot', 'Link 4 Source', 'Link 4 Type', 'Link 4 Date'];

/**
 * An Atlas Data Library file (Ref no., Agency, …, Technology Type, …, Primary Link, …): the same rows as the
 * export under other column names, read and written as Atlas rows. Its rows are a dataset of their own.
 */
export const atlasDataLibraryImporter: ImportKind<AtlasRow> = {
  name: 'atlas-data-library',
  description:
    'EFF Atlas of Surveillance Data Library file, e.g. the border communities (Ref no., Agency, …, Technology Type, …, Primary Link, …)',
  shape: {
    format: 'delimited',
    requiredColumns: Object.keys(EXPORT_COLUMN_OF).filter((c) => !c.includes('Additional Link')),
  },
  parseRow(r): ParseResult<AtlasRow> {
    const record: Record<string, string> = {};
    for (const column of [...ATLAS_COLUMNS, ...LINK_4]) record[column] = r[COLUMN_IN_FILE[column] ?? ''] ?? '';
    const parsed = atlasImporter.parseRow(record);
    // A problem is named by the file's own column.
    return parsed.ok ? parsed : { ...parsed, field: COLUMN_IN_FILE[parsed.field] ?? parsed.field };
  },
  rowKey: atlasImporter.rowKey,
  rowKeyColumn: 'Ref no.',
  writeBatch: (ctx, rows) => atlasImporter.writeBatch(ctx, rows),
};
