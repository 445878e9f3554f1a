import { describe, expect, it } from 'vitest';
import { html, isSafeHref, join, SafeHtml } from './safe-html';

describe('html', () => {
  it('escapes every interpolated value, so a <script> comes out as text', () => {
    const name = '<script>alert(1)</script>';
    const page = html`<p title="${'" onmouseover="alert(1)'}">${name}</p>`.value;
    expect(page).toBe('<p title="&quot; onmouseover=&quot;alert(1)">&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(page).not.toContain('<script>');
  });

  it('keeps fragments it made, and lists of them, as they are', () => {
    const item = (x: string) => html`<li>${x}</li>`;
    expect(html`<ul>${['a', '<b>'].map(item)}</ul>`.value).toBe('<ul><li>a</li><li>&lt;b&gt;</li></ul>');
    expect(html`${null}${undefined}${false}${0}`.value).toBe('0');
    expect(join([html`<b>x</b>`, 'y<'], ', ').value).toBe('<b>x</b>, y&lt;');
  });

  it('turns a javascript: (or any non-http) URL at the start of a URL attribute into #', () => {
    expect(html`<a href="${'javascript:alert(1)'}">x</a>`.value).toBe('<a href="#">x</a>');
    expect(html`<a href="${' JaVaScRiPt:alert(1)'}">x</a>`.value).toBe('<a href="#">x</a>');
    expect(html`<img src="${'data:text/html,<script>'}">`.value).toBe('<img src="#">');
    expect(html`<form action="${'//evil.example/'}"></form>`.value).toBe('<form action="#"></form>');
    expect(html`<a href="${new SafeHtml('javascript:alert(1)')}">x</a>`.value).toBe('<a href="#">x</a>');
    expect(html`<a href="${'https://example.org/?a=1&b="2"'}">x</a>`.value).toBe(
      '<a href="https://example.org/?a=1&amp;b=&quot;2&quot;">x</a>',
    );
    expect(html`<a href="${'/places/ma'}">x</a> <a href='${'?offset=100'}'>y</a>`.value).toBe(
      `<a href="/places/ma">x</a> <a href='?offset=100'>y</a>`,
    );
    expect(html`<a href="${'tel:+16175551234'}">t</a>`.value).toBe('<a href="tel:+16175551234">t</a>');
    // After a fixed beginning the scheme is already set: the value is escaped as text.
    expect(html`<a href="mailto:${'a@b.example'}">m</a>`.value).toBe('<a href="mailto:a@b.example">m</a>');
  });

  it('knows a safe link target', () => {
    for (const url of ['https://a.example', 'http://a.example/x', '/about', '?q=1', '#top'])
      expect(isSafeHref(url)).toBe(true);
    for (const url of ['javascript:x', 'data:x', '//a.example', 'ftp://a.example', 'vbscript:x', '']) {
      expect(isSafeHref(url), url).toBe(false);
    }
  });
});
