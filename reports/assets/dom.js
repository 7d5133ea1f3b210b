// Faultline report page, shared helpers: the page model, DOM building (text only, never HTML
// parsing of data), colours and number formats. Every later page script reads `window.FL`.
(function () {
  'use strict';
  const model = JSON.parse(document.getElementById('faultline-data').textContent);

  /** An element with attributes (className, title, id, href, data-*) and children (strings become text nodes). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'className') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k === 'onclick') node.addEventListener('click', v);
      else node.setAttribute(k, String(v));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      node.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return node;
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  /** An SVG element; `text` becomes its textContent. */
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const COLORS = {
    ok: '#2f9e44',
    fail: '#e03170',
    info: '#e8a317',
    pending: '#b08d57',
    band: 'rgba(124, 77, 210, 0.14)',
    bandEdge: 'rgba(124, 77, 210, 0.55)',
    bandText: '#5a31a8',
    highlight: '#1c1c1c',
  };
  const OUTCOMES = ['ok', 'fail', 'info', 'pending'];

  /** Milliseconds since the run started, in the unit that reads best. */
  function ms(t) {
    if (!Number.isFinite(t)) return '–';
    if (Math.abs(t) >= 10000) return (t / 1000).toFixed(2) + ' s';
    if (Math.abs(t) >= 100) return t.toFixed(0) + ' ms';
    if (Math.abs(t) >= 1) return t.toFixed(2) + ' ms';
    return (t * 1000).toFixed(0) + ' µs';
  }

  function verdictWord(v) {
    return v === true ? 'valid' : v === false ? 'invalid' : 'unknown';
  }

  /** A section with a heading and an anchor for the navigation bar. */
  function section(id, title, ...children) {
    return el('section', { id, className: 'section' }, el('h2', {}, title), ...children);
  }

  window.FL = { model, el, append, svg, COLORS, OUTCOMES, ms, verdictWord, section, ready: [] };
})();
