// Faultline report page: each checker's result in words and pictures — the minimal
// non-linearizable sub-history as a small per-process timeline, the longest partial
// linearization, lost / unexpected set elements, counter reads out of bounds, op stats.
(function () {
  'use strict';
  const { model, el, svg, COLORS, ms, verdictWord, section } = window.FL;
  const nsToMs = (ns) => ns / 1e6;

  function table(head, rows, id) {
    return el('table', { className: 'data', id }, el('thead', {}, el('tr', {}, head.map((h) => el('th', {}, h)))), el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c))))));
  }

  const plural = (n, word) => n + ' ' + word + (n === 1 ? '' : 's');
  const show = (v) => (typeof v === 'string' ? v : JSON.stringify(v));

  /** The minimal counterexample as bars per process, from invoke to completion, labelled with the op. */
  function miniTimeline(ops, diedIndex, context) {
    const nodeOf = new Map(((context && context.ops) || []).map((o) => [o.index, o.node]));
    const where = (o) => (nodeOf.get(o.index) ? ', node ' + nodeOf.get(o.index) : '');
    const procs = [...new Set(ops.map((o) => String(o.process)))];
    const ends = ops.map((o) => (o.completedAtNs === undefined ? o.invokedAtNs : o.completedAtNs));
    const t0 = Math.min(...ops.map((o) => o.invokedAtNs));
    const t1 = Math.max(...ends);
    const span = Math.max(1, t1 - t0);
    const W = 760, left = 90, right = 20, laneH = 46, top = 10;
    const faults = (context && context.faults) || [];
    const bandH = faults.length ? 16 * faults.length + 4 : 0;
    const H = top + bandH + procs.length * laneH + 30;
    const x = (ns) => left + ((ns - t0) / span) * (W - left - right);
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: 'mini', role: 'img' });
    // Faults in effect during the witness window: a shaded band each, named, behind the ops.
    faults.forEach((f, k) => {
      const fx0 = Math.max(left, x(f.startNs)), fx1 = Math.min(W - right, x(f.endNs));
      root.append(svg('rect', { x: fx0, y: top + 16 * k, width: Math.max(2, fx1 - fx0), height: H - top - 16 * k - 24, fill: '#7c4dd2', 'fill-opacity': 0.14, class: 'mini-fault' }));
      root.append(svg('text', { x: fx0 + 4, y: top + 16 * k + 12, class: 'mini-fault-label' }, '⚡ ' + f.label));
    });
    const laneTop = top + bandH;
    procs.forEach((p, i) => {
      const y = laneTop + i * laneH;
      root.append(svg('line', { x1: left, x2: W - right, y1: y + laneH / 2 + 8, y2: y + laneH / 2 + 8, stroke: '#ddd' }));
      root.append(svg('text', { x: 8, y: y + laneH / 2 + 12, class: 'lane' }, 'process ' + p));
    });
    ops.forEach((o) => {
      const lane = procs.indexOf(String(o.process));
      const y = laneTop + lane * laneH + laneH / 2;
      const x0 = x(o.invokedAtNs);
      const crashed = o.completedAtNs === undefined;
      const x1 = crashed ? W - right : Math.max(x0 + 3, x(o.completedAtNs));
      const died = o.index === diedIndex;
      const g = svg('g', { class: 'mini-op' + (died ? ' died' : ''), 'data-index': o.index });
      g.append(svg('rect', { x: x0, y: y, width: x1 - x0, height: 14, rx: 3, fill: crashed ? COLORS.info : died ? COLORS.fail : COLORS.ok, 'fill-opacity': crashed ? 0.5 : 0.85 }));
      // Labels of ops in the right half end at the bar's end, so they stay inside the picture.
      const rightHalf = x0 > (left + W) / 2;
      g.append(svg('text', { x: rightHalf ? x1 : x0, y: y - 4, class: 'op-label', 'text-anchor': rightHalf ? 'end' : 'start' }, o.description + '  (op ' + o.index + ', process ' + o.process + where(o) + ')'));
      g.append(svg('title', {}, `op ${o.index}, process ${o.process}: ${o.description}\ninvoked ${ms(nsToMs(o.invokedAtNs))}` + (crashed ? ', never completed' : `, completed ${ms(nsToMs(o.completedAtNs))}`)));
      root.append(g);
    });
    const axisY = laneTop + procs.length * laneH + 18;
    root.append(svg('text', { x: left, y: axisY, class: 'axis' }, ms(nsToMs(t0))));
    root.append(svg('text', { x: W - right, y: axisY, class: 'axis', 'text-anchor': 'end' }, ms(nsToMs(t1))));
    return root;
  }

  /** Older stored results say t=<ns since the run started>; people read milliseconds (new ones already do). */
  function readableTimes(text) {
    return text.replace(/\bt=(\d+)(–(\d+))?(?![\d.]|\s?(?:ns|µs|ms|s)\b)/g, (_, a, __, b) => 't=' + ms(Number(a) / 1e6) + (b ? '–' + ms(Number(b) / 1e6) : ''));
  }

  /** Which node served each witness op, and which faults were in effect while they ran. */
  function contextBlock(c, diedIndex) {
    const span = ms(nsToMs(c.windowNs.start)) + ' – ' + ms(nsToMs(c.windowNs.end));
    const faults = c.faults.length
      ? el('p', { className: 'faults-active', id: 'counterexample-faults' }, 'Faults active during the witness window (' + span + '): ', c.faults.map((f, i) => el('strong', {}, (i ? '; ' : '') + f.label + ' (' + ms(nsToMs(f.startNs)) + ' – ' + (f.open ? 'end' : ms(nsToMs(f.endNs))) + ')')))
      : el('p', { className: 'faults-none', id: 'counterexample-faults' }, 'No fault was active during the witness window (' + span + ').');
    return el(
      'div',
      { className: 'witness-context', id: 'counterexample-context' },
      table(['op', 'process', 'node', 'what', 'invoked', 'completed'], c.ops.map((o) => [String(o.index) + (o.index === diedIndex ? ' (culprit)' : ''), String(o.process), o.node || 'not recorded', o.description, ms(nsToMs(o.invokedAtNs)), o.completedAtNs === undefined ? 'never' : ms(nsToMs(o.completedAtNs))]), 'witness-ops'),
      faults,
    );
  }

  function linearizable(r) {
    const out = [];
    const ex = r.failure && r.failure.explanation;
    if (r.failure) out.push(el('p', {}, r.failure.key ? 'Key ' + r.failure.key + ' is not linearizable' : 'The history is not linearizable', r.model ? ' under the ' + r.model + ' model.' : '.'));
    if (ex) {
      out.push(el('p', { className: 'explanation', id: 'explanation' }, readableTimes(ex.text)));
      out.push(el('h4', {}, (ex.minimal ? 'Minimal' : 'Small (shrinking ran out of time)') + ' counterexample: ' + ex.minimalOps.length + ' ops no one of which can be removed'));
      out.push(el('div', { className: 'mini-wrap', id: 'counterexample' }, miniTimeline(ex.minimalOps, ex.diedAt && ex.diedAt.index, ex.context)));
      if (ex.context) out.push(contextBlock(ex.context, ex.diedAt && ex.diedAt.index));
      out.push(el('p', { className: 'muted' }, 'Each bar runs from the op\u2019s invoke to its completion (amber: never completed, so it may have happened at any later time); red marks the op no legal order can place.'));
      const indices = ex.minimalOps.map((o) => o.index);
      out.push(el('a', { href: '#timeline', className: 'jump', id: 'jump-counterexample', onclick: () => window.FL.timeline && window.FL.timeline.focus(indices, ex.diedAt && ex.diedAt.index) }, '→ show these ops in the full timeline'));
      if (ex.diedAt) out.push(el('p', {}, 'Every candidate order died at op ' + ex.diedAt.index + ' (' + ex.diedAt.description + ', process ' + ex.diedAt.process + ').'));
      const partial = ex.partialLinearization || [];
      if (partial.length) {
        const total = ex.partialLinearizationLength || partial.length;
        out.push(
          el(
            'details',
            { className: 'partial' },
            el('summary', {}, 'Longest partial linearization: ' + total + ' ops' + (total > partial.length ? ' (the last ' + partial.length + ' shown)' : '')),
            table(['#', 'op', 'process', 'what', 'state after'], partial.map((p, i) => [String(total - partial.length + i + 1), String(p.op.index), String(p.op.process), p.op.description, p.stateAfter])),
          ),
        );
      }
    }
    if (r.unknownKeys && r.unknownKeys.length) out.push(table(['key', 'why undecided', 'linearized'], r.unknownKeys.map((k) => [k.key || '(the register)', k.reason, k.linearized + ' of ' + k.of])));
    out.push(el('p', { className: 'muted' }, [r.ops !== undefined ? r.ops + ' calls' : '', r.keys !== undefined ? r.keys + (r.keys === 1 ? ' key' : ' keys') : '', r.configurations ? r.configurations.toLocaleString('en') + ' configurations searched' : ''].filter(Boolean).join(' · ')));
    return out;
  }

  function setResult(r) {
    const out = [table(['attempted', 'acknowledged', 'lost', 'unexpected', 'recovered', 'stale'], [[r.attempted, r.acknowledged, r.lost.length, r.unexpected.length, r.recovered.length, r.stale.length].map(String)])];
    if (r.lostDetail && r.lostDetail.length) {
      out.push(el('h4', {}, 'Lost: acknowledged or seen, then missing from the final read' + (r.finalReadNs !== undefined ? ' (at ' + ms(nsToMs(r.finalReadNs)) + ')' : '')));
      out.push(table(['element', 'add acknowledged at', 'last seen at'], r.lostDetail.map((d) => [show(d.element), d.addedNs === undefined ? '–' : ms(nsToMs(d.addedNs)), d.lastSeenNs === undefined ? 'never read' : ms(nsToMs(d.lastSeenNs))]), 'lost'));
    } else if (r.lost.length) out.push(el('p', {}, 'Lost: ' + r.lost.map(show).join(', ')));
    if (r.unexpected.length) out.push(el('p', { id: 'unexpected' }, 'Unexpected (read but never added): ' + r.unexpected.map(show).join(', ')));
    if (r.recovered.length) out.push(el('p', { className: 'muted' }, 'Recovered (add of unknown outcome that did happen): ' + r.recovered.map(show).join(', ')));
    if (r.stale.length) out.push(el('p', { className: 'muted' }, 'Stale (missing from a later read, but present at the end): ' + r.stale.map(show).join(', ')));
    return out;
  }

  function counterResult(r) {
    const out = [el('p', {}, plural(r.reads, 'read') + ' checked' + (r.final ? '; final value ' + r.final.value + ' (bounds ' + r.final.lower + '…' + r.final.upper + ')' : ''))];
    if (r.errors.length) {
      out.push(el('h4', {}, plural(r.errors.length, 'read') + ' out of bounds'));
      out.push(table(['read op', 'at', 'value', 'lower bound', 'upper bound'], r.errors.map((e) => [String(e.readIndex), ms(nsToMs(e.timeNs)), String(e.value), String(e.lower), String(e.upper)]), 'counter-errors'));
    }
    return out;
  }

  function statsResult(r) {
    return [table(['f', 'ok', 'fail', 'info'], Object.entries(r.byF).map(([f, c]) => [f, String(c.ok), String(c.fail), String(c.info)]))];
  }

  /** A cycle of transactions: nodes on a circle, one labelled arrow per dependency edge. */
  function txnGraph(g) {
    const n = g.nodes.length, W = 560, H = n <= 2 ? 200 : 320, cx = W / 2, cy = H / 2, R = n <= 2 ? 150 : 120;
    const pos = new Map(g.nodes.map((t, i) => [t.name, n <= 2 ? { x: cx + (i === 0 ? -R : R), y: cy } : { x: cx + R * Math.cos((2 * Math.PI * i) / n - Math.PI / 2), y: cy + R * Math.sin((2 * Math.PI * i) / n - Math.PI / 2) }]));
    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: 'txn-graph', role: 'img' });
    const marker = svg('marker', { id: 'txn-arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' });
    marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#444' }));
    const defs = svg('defs', {});
    defs.append(marker);
    root.append(defs);
    g.edges.forEach((e) => {
      const a = pos.get(e.from), b = pos.get(e.to);
      if (!a || !b) return;
      const dx = b.x - a.x, dy = b.y - a.y, len = Math.max(1, Math.hypot(dx, dy)), bend = n <= 2 ? 50 : 24;
      const mx = (a.x + b.x) / 2 - (dy / len) * bend, my = (a.y + b.y) / 2 + (dx / len) * bend;
      const r0 = 30 / len;
      const sx = a.x + dx * r0, sy = a.y + dy * r0, ex = b.x - dx * r0, ey = b.y - dy * r0;
      const path = svg('path', { d: `M${sx},${sy} Q${mx},${my} ${ex},${ey}`, fill: 'none', stroke: e.kind === 'rw' ? '#c0392b' : e.kind === 'realtime' || e.kind === 'process' ? '#7c4dd2' : '#2c7be5', 'stroke-width': 2, 'marker-end': 'url(#txn-arrow)', class: 'txn-edge txn-edge-' + e.kind });
      path.append(svg('title', {}, e.text));
      root.append(path, svg('text', { x: (sx + ex) / 4 + mx / 2, y: (sy + ey) / 4 + my / 2 - 4, class: 'op-label', 'text-anchor': 'middle' }, e.kind));
    });
    g.nodes.forEach((t) => {
      const p = pos.get(t.name);
      const c = svg('g', { class: 'txn-node', 'data-index': t.index });
      c.append(svg('circle', { cx: p.x, cy: p.y, r: 26, fill: t.status === 'ok' ? COLORS.ok : COLORS.info, 'fill-opacity': 0.85 }), svg('text', { x: p.x, y: p.y + 4, 'text-anchor': 'middle', class: 'lane' }, t.name), svg('title', {}, t.name + ' (process ' + t.process + ', ' + t.status + '): ' + t.mops));
      root.append(c);
    });
    return root;
  }

  function listAppendResult(r) {
    const out = [el('p', {}, 'Held to ' + r.consistencyModel + '. ' + (r.anomalyTypes.length ? 'Anomalies found: ' + r.anomalyTypes.map((k) => k + ' ×' + (r.counts[k] || 0) + (r.forbidden.includes(k) ? ' (forbidden)' : ' (allowed)')).join(', ') + '.' : 'No anomaly found.'))];
    r.anomalies.forEach((a, i) => {
      const box = el('div', { className: 'txn-anomaly', id: 'txn-anomaly-' + i }, el('h4', {}, a.kind + (a.forbidden ? '' : ' (allowed by the model)')), el('p', { className: 'explanation' }, a.text));
      if (a.graph) box.append(el('div', { className: 'mini-wrap' }, txnGraph(a.graph)), el('ol', {}, a.graph.edges.map((e) => el('li', {}, e.text))));
      box.append(table(['txn', 'process', 'status', 'micro-ops'], a.txns.map((t) => [t.name, String(t.process), t.status, t.mops])));
      out.push(box);
    });
    (r.unknownReasons || []).forEach((u) => out.push(el('p', { className: 'run-error' }, u)));
    if (r.stats) out.push(el('p', { className: 'muted' }, Object.entries(r.stats).filter(([, v]) => typeof v === 'number').map(([k, v]) => k + ' ' + v).join(' · ')));
    return out;
  }

  function bankResult(r) {
    const t = r.transfers;
    const out = [el('p', {}, plural(r.reads, 'read') + ' of a total of ' + r.total + ' checked; transfers ok ' + t.ok + ', fail ' + t.fail + ', info ' + t.info + '.')];
    if (r.errors.length) out.push(table(['read op', 'process', 'problem', 'balances'], r.errors.map((e) => [String(e.index), String(e.process), e.text, JSON.stringify(e.balances)]), 'bank-errors'));
    (r.unknownReasons || []).forEach((u) => out.push(el('p', { className: 'run-error' }, u)));
    return out;
  }

  function lockResult(r) {
    const out = [el('p', {}, 'acquires ok ' + r.acquires.ok + ', fail ' + r.acquires.fail + ', info ' + r.acquires.info + '; resource writes accepted ' + r.writes.accepted + ', rejected ' + r.writes.rejected + ', info ' + r.writes.info + '.')];
    if (r.mutex) {
      const m = r.mutex;
      const tol = typeof m.toleranceMs === 'number' ? 'clock tolerance ' + m.toleranceMs + ' ms' + (m.clockSpreadMs ? ' (' + m.clockSkewMs + ' + clock faults\' spread ' + m.clockSpreadMs + ')' : '') : 'clock tolerance unbounded (a clock fault\'s offsets were not recorded: leases not relied on)';
      const words = m.valid === true ? 'linearizable' : m.valid === false ? 'NOT linearizable' : 'undecided';
      out.push(el('p', {}, 'lease-aware mutex (acquire/release): ' + words + '; ' + tol + (m.leases && m.leases.unknown ? '; ' + m.leases.unknown + ' acquires without a lease' : '') + '.'));
    }
    if (r.errors.length) out.push(table(['kind', 'ops', 'tokens', 'what'], r.errors.map((e) => [e.kind, e.ops.join(', '), e.tokens.join(', '), e.text]), 'lock-errors'));
    (r.unknownReasons || []).forEach((u) => out.push(el('p', { className: 'run-error' }, u)));
    return out;
  }

  function body(name, r) {
    if (typeof r.error === 'string' && r.valid !== true) return [el('p', { className: 'run-error' }, r.error)];
    if (Array.isArray(r.anomalies) && r.consistencyModel) return listAppendResult(r);
    if (r.transfers && Array.isArray(r.errors)) return bankResult(r);
    if (r.acquires && r.writes) return lockResult(r);
    if ('failure' in r || 'keysChecked' in r) return linearizable(r);
    if (Array.isArray(r.lost) && Array.isArray(r.unexpected)) return setResult(r);
    if (Array.isArray(r.errors) && 'reads' in r) return counterResult(r);
    if (r.byF) return statsResult(r);
    return [el('details', {}, el('summary', {}, 'details'), el('pre', {}, JSON.stringify(r, null, 2)))];
  }

  function render() {
    const names = Object.keys(model.results);
    // Failing checkers first: that is what the reader came for.
    const rank = (r) => (r.valid === false ? 0 : r.valid === true ? 2 : 1);
    names.sort((a, b) => rank(model.results[a]) - rank(model.results[b]));
    if (names.length === 0) return section('checkers', 'Checkers', el('p', { className: 'muted' }, 'This run has no checker results (run `faultline analyze` on it).'));
    return section(
      'checkers',
      'Checkers',
      names.map((name) => {
        const r = model.results[name];
        const v = verdictWord(r.valid);
        return el('div', { className: 'card checker verdict-' + v, 'data-checker': name }, el('h3', {}, el('span', { className: 'badge badge-' + v }, v), ' ', name), body(name, r));
      }),
    );
  }

  window.FL.checkers = render;
})();
