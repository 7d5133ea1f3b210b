// ReportData → one self-contained HTML file: the page model as inert JSON, the page's JS and CSS
// and uPlot inlined, and a Content-Security-Policy that forbids every network fetch and runs only
// the scripts we put there (by hash), so nothing a tested system wrote can execute or phone home.

import { createHash } from 'node:crypto';
import { ownAsset, uplotAssets } from './assets.js';
import type { ReportData } from './data.js';
import { buildPageModel } from './model.js';

/** JSON that cannot close its <script> element or open a comment: <, >, & and line separators escaped. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Text safe inside an HTML element or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Inline script text that cannot end its element early. */
function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1');
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** A page: title, styles, an inert JSON payload and scripts, under a CSP that allows only those scripts. */
export function htmlPage(o: { title: string; css: string[]; payloadId: string; payload: unknown; scripts: string[]; body?: string }): string {
  const scripts = o.scripts.map(inlineScript);
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map(sha256).join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(o.title)}</title>`,
    ...o.css.map((c) => `<style>${c.replace(/<\/(style)/gi, '<\\/$1')}</style>`),
    '</head><body>',
    o.body ?? '',
    `<script type="application/json" id="${o.payloadId}">${jsonForScript(o.payload)}</script>`,
    ...scripts.map((s) => `<script>${s}</script>`),
    '</body></html>',
    '',
  ].join('\n');
}

/** The page's scripts in load order; dom.js defines `window.FL`, main.js builds the page. */
const PAGE_SCRIPTS = ['dom.js', 'header.js', 'checkers.js', 'timeline.js', 'charts.js', 'logs.js', 'main.js'];

/** The report of one run as an HTML string. */
export function renderReport(data: ReportData, o: { backHref?: string } = {}): string {
  const uplot = uplotAssets();
  const verdict = data.run.valid === true ? 'valid' : data.run.valid === false ? 'INVALID' : 'unknown';
  return htmlPage({
    title: `${verdict} · ${data.run.name}${data.run.id === undefined ? '' : ` (run ${data.run.id})`} · Faultline`,
    css: [uplot.css, ownAsset('report.css')],
    payloadId: 'faultline-data',
    payload: { ...buildPageModel(data), ...(o.backHref ? { backHref: o.backHref } : {}) },
    scripts: [uplot.js, ...PAGE_SCRIPTS.map(ownAsset)],
    body: '<main id="app"><p class="loading">Loading the report…</p></main>',
  });
}
