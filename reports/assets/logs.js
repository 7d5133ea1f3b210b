// Faultline report page: node logs, one collapsible block per node, error-looking lines
// highlighted (as text nodes: a log line is data from the system under test).
(function () {
  'use strict';
  const { model, el, section } = window.FL;
  const ERROR_LINE = /\b(error|err|exception|panic|fatal|fail(ed|ure)?|crash(ed)?|refused|timed? ?out|abort(ed)?|corrupt(ed|ion)?)\b/i;

  function logBlock(log) {
    const lines = log.text.split('\n');
    if (lines.length && lines[lines.length - 1] === '') lines.pop();
    const pre = el('pre', { className: 'log' });
    let plain = [];
    let errors = 0;
    const flush = () => {
      if (plain.length) pre.append(document.createTextNode(plain.join('\n') + '\n'));
      plain = [];
    };
    for (const line of lines) {
      if (ERROR_LINE.test(line)) {
        flush();
        errors++;
        pre.append(el('span', { className: 'log-error' }, line + '\n'));
      } else plain.push(line);
    }
    flush();
    const summary = el('summary', {}, el('b', {}, log.node), ` · ${lines.length.toLocaleString('en')} lines`, errors ? el('span', { className: 'chip chip-fail' }, errors + ' error-looking') : null, log.truncated ? ' · only the end is shown' : null);
    return el('details', { className: 'card node-log', 'data-node': log.node, open: errors > 0 && lines.length < 400 ? '' : null }, summary, pre);
  }

  function render() {
    if (!model.logs.length) return null;
    return section('logs', 'Node logs', model.logs.map(logBlock));
  }

  window.FL.logs = render;
})();
