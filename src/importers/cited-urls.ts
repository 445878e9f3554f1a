import type { ParseResult } from './import-kind';

/** The host of a URL without "www." ("boston.com"), as a source's publisher when a dataset names none. */
export function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return null;
  }
}

/**
 * The URLs a curated row cites, separated by spaces: at least one, every one http(s), since every fact
 * needs a citation; a parse failure names `field` and the offending value.
 */
export function parseCitedUrls(text: string, field: string): ParseResult<string[]> {
  const urls = text.split(/\s+/).filter((s) => s !== '');
  const bad = urls.find((s) => !/^https?:\/\/\S+$/.test(s));
  if (bad !== undefined) return { ok: false, field, reason: `"${bad.slice(0, 60)}" is not an http(s) URL` };
  if (urls.length === 0) return { ok: false, field, reason: 'is empty: every fact needs a citation' };
  return { ok: true, row: urls };
}
