// Run list page of `faultline serve`: renders the embedded runs as a table (text nodes only) and
// filters it by name, verdict, status, who ran it and start date as the user types. A run that did
// not finish is never shown valid: its verdict reads unknown, its status stands beside it.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('faultline-runs').textContent);
  const app = document.getElementById('app');

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) node.setAttribute(k, String(v));
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
    return node;
  }

  const finished = (r) => !r.status || r.status === 'finished';
  const verdictOf = (r) => (r.valid === false ? 'invalid' : r.valid === true && finished(r) ? 'valid' : r.valid !== null || !finished(r) ? 'unknown' : 'not checked');
  const classOf = (r) => 'run-' + { valid: 'valid', invalid: 'invalid', unknown: 'unknown', 'not checked': 'none' }[verdictOf(r)];
  const byOf = (r) => [r.user && r.host ? r.user + '@' + r.host : r.user || r.host || '', r.ci || ''].filter(Boolean).join(' · ');

  const name = el('input', { type: 'search', id: 'filter-name', placeholder: 'part of a name' });
  const verdict = el('select', { id: 'filter-verdict' }, ['all', 'valid', 'invalid', 'unknown', 'not checked'].map((v) => el('option', { value: v }, v)));
  const statuses = ['all', ...new Set(['finished', 'running', 'crashed', 'aborted', ...data.runs.map((r) => r.status)])];
  const status = el('select', { id: 'filter-status' }, statuses.map((v) => el('option', { value: v }, v)));
  const by = el('input', { type: 'search', id: 'filter-by', placeholder: 'user, host or CI job' });
  const from = el('input', { type: 'date', id: 'filter-from' });
  const to = el('input', { type: 'date', id: 'filter-to' });
  const count = el('span', { class: 'muted', id: 'run-count' });
  const tbody = el('tbody');

  function row(r) {
    const v = verdictOf(r);
    return el(
      'tr',
      { class: classOf(r), 'data-run': r.id },
      el('td', { class: 'num' }, String(r.id)),
      el('td', {}, el('a', { href: r.href }, r.name)),
      el('td', {}, r.startedAt.replace('T', ' ').slice(0, 19)),
      el('td', {}, r.source),
      el('td', { class: 'num' }, r.events.toLocaleString('en')),
      el('td', { class: 'status-cell' + (finished(r) ? '' : ' status-unfinished') }, r.status || ''),
      el('td', { class: 'verdict-cell' }, v),
      el('td', { class: 'by-cell' }, byOf(r)),
    );
  }

  function apply() {
    const q = name.value.trim().toLowerCase();
    const shown = data.runs.filter((r) => {
      if (q && !r.name.toLowerCase().includes(q)) return false;
      if (verdict.value !== 'all' && verdictOf(r) !== verdict.value) return false;
      if (status.value !== 'all' && r.status !== status.value) return false;
      const who = by.value.trim().toLowerCase();
      if (who && !byOf(r).toLowerCase().includes(who)) return false;
      const day = r.startedAt.slice(0, 10);
      if (from.value && day < from.value) return false;
      if (to.value && day > to.value) return false;
      return true;
    });
    tbody.replaceChildren(...shown.map(row));
    count.textContent = shown.length + ' of ' + data.runs.length + ' runs';
  }

  // Filters can be preset from the address: /?status=crashed&by=alice&verdict=unknown&name=x
  const params = new URLSearchParams(location.search);
  for (const [key, input] of [['name', name], ['verdict', verdict], ['status', status], ['by', by], ['from', from], ['to', to]]) {
    const v = params.get(key);
    if (v !== null) input.value = v;
  }
  for (const input of [name, verdict, status, by, from, to]) input.addEventListener('input', apply);
  app.replaceChildren(
    el('h1', {}, 'Faultline runs'),
    el('p', { class: 'muted' }, 'from ' + data.where),
    el('div', { class: 'filters' }, el('label', {}, 'name', name), el('label', {}, 'verdict', verdict), el('label', {}, 'status', status), el('label', {}, 'by', by), el('label', {}, 'started from', from), el('label', {}, 'to', to), count),
    el('table', { class: 'runs', id: 'runs' }, el('thead', {}, el('tr', {}, ['id', 'name', 'started (UTC)', 'source', 'events', 'status', 'verdict', 'by'].map((h) => el('th', {}, h)))), tbody),
  );
  apply();
  document.body.setAttribute('data-ready', '1');
})();
