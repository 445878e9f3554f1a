/**
 * HTML safe by construction. Pages are written as `html` tagged templates: every interpolated value is
 * escaped, unless it is a fragment this same helper made (`SafeHtml`). A value that begins a URL attribute
 * (`href="${…}"`, `src`, `action`, …) must be http(s), a path on this site, or a tel: or mailto: address,
 * else it becomes `#`. This
 * module is the only place that escapes HTML.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A fragment of HTML made by `html` (or `markup`): interpolated as it is. */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

/** What a template may interpolate: text and numbers (escaped), fragments, lists of them, or nothing. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

/** An attribute that holds a URL, whose value begins right after the text before an interpolation. */
const URL_ATTRIBUTE = /\s(?:href|src|action|formaction|poster|cite|srcset)\s*=\s*["']?$/i;

/** Whether a URL may be a link on our pages: http(s), or a path, query or fragment on this site. */
export function isSafeHref(url: string): boolean {
  return /^https?:\/\/[^\s]/i.test(url) || (url.startsWith('/') && !url.startsWith('//')) || /^[?#]/.test(url);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  if (value === null || value === undefined || value === false || value === true) return '';
  return escapeHtml(String(value));
}

/** The tag: `html\`<a href="${url}">${name}</a>\``. */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (URL_ATTRIBUTE.test(out)) {
      const url = value instanceof SafeHtml ? value.value : String(value ?? '');
      // Besides links, a page may start a URL with tel: or mailto: (an official's phone and email).
      out += isSafeHref(url) || /^(tel|mailto):[^\s]/i.test(url) ? escapeHtml(url) : '#';
    } else {
      out += render(value);
    }
    out += strings[i + 1]!;
  }
  return new SafeHtml(out);
}

/** Fragments joined by a separator (itself text, escaped): `join(links, ', ')`. */
export function join(fragments: readonly HtmlValue[], separator: string | SafeHtml = ''): SafeHtml {
  return new SafeHtml(fragments.map(render).join(render(separator)));
}
