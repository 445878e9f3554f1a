import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '#src/config/config';

/**
 * Every import points down: features → ui / http → domain / storage. The plumbing (http/), the page
 * components (ui/), the rules (domain/) and the database layer (storage/) never import a feature, so
 * that a feature can change without them.
 */
const SRC = join(REPO_ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** The folders under src/ a file imports from (`#src/<folder>/…`, or a relative path that leaves its folder). */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const folders: string[] = [];
  for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
    if (specifier!.startsWith('#src/')) folders.push(specifier!.split('/')[1]!);
    else if (specifier!.startsWith('.')) {
      const target = relative(SRC, join(file, '..', specifier!));
      if (!target.startsWith('..')) folders.push(target.split('/')[0]!);
    }
  }
  return folders;
}

describe('layers', () => {
  const BELOW: Record<string, readonly string[]> = {
    http: ['http', 'ui', 'domain', 'storage', 'config', 'security'],
    ui: ['ui', 'domain'],
    domain: ['domain'],
    storage: ['storage', 'domain'],
  };
  for (const [layer, allowed] of Object.entries(BELOW)) {
    it(`src/${layer}/ imports only from ${allowed.join(', ')}`, () => {
      const files = sourceFiles(join(SRC, layer));
      expect(files.length).toBeGreaterThan(0);
      const wrong = files.flatMap((file) =>
        importedFolders(file)
          .filter((folder) => !allowed.includes(folder))
          .map((folder) => `${relative(SRC, file)} → ${folder}/`),
      );
      expect(wrong).toEqual([]);
    });
  }
});
