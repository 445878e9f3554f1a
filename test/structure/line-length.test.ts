import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '#src/config/config';

/**
 * No line of src/ or web/ is longer than 120 characters, except one that is a single string, a regular
 * expression or a test's name (Prettier keeps the code within 120; long lines of markup are broken with a
 * line continuation).
 */
const MAX = 120;
const ALLOWED = [
  /^\s*(return )?(["'])(?:\\.|(?!\2).)*\2[,;)]*( \+)?$/, // one string
  /^\s*\/.*\/[a-z]*[,;]?$/, // one regular expression
  /^\s*(\? |: )?(["'])(?:\\.|(?!\2).)*\2[,;)]*$/, // one string as a branch of a condition
  /^\s*(it|describe)\(/, // a test's name
];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : /\.(ts|css)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

describe('line length', () => {
  it(`keeps every line of src/ and web/ within ${MAX} characters, but single strings`, () => {
    const long = ['src', 'web'].flatMap((dir) =>
      files(join(REPO_ROOT, dir)).flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, i) => ({ line, at: `${relative(REPO_ROOT, file)}:${i + 1}` }))
          .filter(({ line }) => line.length > MAX && !ALLOWED.some((rule) => rule.test(line))),
      ),
    );
    expect(long.map((l) => `${l.at}: ${l.line.trim().slice(0, 60)}…`)).toEqual([]);
  });
});
