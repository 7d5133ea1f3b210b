// Faultline report page: the header — verdict at a glance, the spec, seed and rerun command,
// duration and op counts by outcome.
(function () {
  'use strict';
  const { model, el, ms, verdictWord } = window.FL;
  const run = model.run;
  const spec = run.spec || {};

  function specRows() {
    const rows = [];
    const add = (k, v) => {
      if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0 && k !== 'bugs' && k !== 'nemeses')) return;
      rows.push([k, Array.isArray(v) ? (v.length ? v.join(', ') : 'none') : String(v)]);
    };
    add('db', spec.db);
    add('bugs', spec.bugs);
    add('nodes', spec.nodes);
    add('workload', spec.workload);
    add('nemeses', spec.nemesis);
    if (spec.nemesisIntervalMs !== undefined) add('nemesis interval', ms(spec.nemesisIntervalMs));
    if (spec.rateHz !== undefined) add('rate', spec.rateHz + ' Hz');
    add('concurrency', spec.concurrency);
    if (spec.timeLimitMs !== undefined) add('time limit', ms(spec.timeLimitMs));
    add('runtime', run.runtime || spec.runtimeUsed || spec.runtime);
    add('imported from', spec.importedFrom);
    add('format', spec.format);
    return rows;
  }

  function countChip(kind, n) {
    return el('span', { className: 'chip chip-' + kind, title: kind + ' ops' }, kind + ' ' + n.toLocaleString('en'));
  }

  function rerunBox() {
    if (!run.rerun) return null;
    const code = el('code', { id: 'rerun' }, run.rerun);
    const button = el('button', { type: 'button', className: 'copy', onclick: () => navigator.clipboard && navigator.clipboard.writeText(run.rerun).then(() => (button.textContent = 'copied')) }, 'copy');
    return el('div', { className: 'rerun' }, el('span', { className: 'label' }, 'rerun'), code, button);
  }

  function render() {
    const v = verdictWord(run.valid);
    const c = model.counts;
    const clientOps = c.ok + c.fail + c.info + c.pending;
    const when = run.startedAt ? new Date(run.startedAt).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : null;
    const meta = [
      run.id !== undefined ? 'run ' + run.id : null,
      when,
      run.user || run.host ? 'by ' + [run.user, run.host].filter(Boolean).join('@') : null,
      run.ci || null,
      run.startedAt && run.finishedAt && run.source !== 'import' ? 'took ' + ms(Date.parse(run.finishedAt) - Date.parse(run.startedAt)) : null,
      'history spans ' + ms(model.durationMs),
    ].filter(Boolean);
    const header = el(
      'header',
      { className: 'header verdict-' + v },
      el(
        'div',
        { className: 'verdict', id: 'verdict' },
        v === 'invalid' ? 'INVALID' : v === 'valid' ? 'VALID' : 'UNKNOWN',
        // The status stands beside the verdict, as large: a run that did not finish is never valid.
        run.status && run.status !== 'finished' ? el('div', { className: 'run-status', id: 'run-status' }, run.status.toUpperCase()) : null,
      ),
      el(
        'div',
        { className: 'title' },
        el('h1', {}, run.name),
        el('div', { className: 'meta' }, meta.join(' · ')),
        run.error ? el('div', { className: 'run-error' }, 'the run ' + (run.status || 'failed') + ': ' + run.error) : null,
        run.verdictReason ? el('div', { className: 'verdict-reason', id: 'verdict-reason' }, run.verdictReason) : null,
        el(
          'div',
          { className: 'counts', id: 'counts' },
          el('span', { className: 'chip' }, clientOps.toLocaleString('en') + ' client ops'),
          countChip('ok', c.ok),
          countChip('fail', c.fail),
          countChip('info', c.info),
          c.pending ? countChip('pending', c.pending) : null,
          c.nemesis ? el('span', { className: 'chip chip-nemesis' }, 'nemesis ' + c.nemesis) : null,
        ),
      ),
    );
    const rows = specRows();
    if (run.seed !== undefined && run.seed !== null) rows.push(['seed', String(run.seed)]);
    const specBox = el('dl', { className: 'spec', id: 'spec' }, rows.map(([k, val]) => [el('dt', {}, k), el('dd', {}, val)]));
    const nav = el(
      'nav',
      { className: 'nav' },
      [['checkers', 'Checkers'], ['timeline', 'Timeline'], ['charts', 'Charts'], ['faults', 'Fault windows'], ['logs', 'Node logs']].map(([id, label]) => el('a', { href: '#' + id, 'data-for': id }, label)),
    );
    const back = model.backHref ? el('a', { href: model.backHref, className: 'back', id: 'back' }, '← all runs') : null;
    return [back, header, el('div', { className: 'specline' }, specBox, rerunBox()), nav];
  }

  window.FL.header = render;
})();
