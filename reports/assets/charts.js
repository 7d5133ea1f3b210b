// Faultline report page: uPlot charts — latency of every op over time by f and outcome, latency
// quantiles over time, throughput by outcome — each with the fault windows shaded; and the
// availability of the system in each fault window.
(function () {
  'use strict';
  const { model, el, COLORS, OUTCOMES, ms, section } = window.FL;
  const C = model.calls;
  const n = C.index.length;
  const HEIGHT = 230;
  /** Faint grid lines: a log scale draws one per 1…9 multiple, which would stripe the chart. */
  const GRID = { stroke: 'rgba(0, 0, 0, 0.05)', width: 1 };

  /** uPlot plugin: fault windows shaded under the data, their kind written at the top. */
  function faultBands() {
    return {
      hooks: {
        drawClear: [
          (u) => {
            const ctx = u.ctx;
            const { top, height } = u.bbox;
            ctx.save();
            ctx.font = `${Math.round(10 * devicePixelRatio)}px system-ui, sans-serif`;
            ctx.textBaseline = 'top';
            for (const w of model.windows) {
              const x0 = u.valToPos(w.startMs / 1000, 'x', true);
              const x1 = u.valToPos(w.endMs / 1000, 'x', true);
              ctx.fillStyle = COLORS.band;
              ctx.fillRect(x0, top, Math.max(2, x1 - x0), height);
              ctx.fillStyle = COLORS.bandText;
              ctx.fillText(w.kind, x0 + 3, top + 3);
            }
            ctx.restore();
          },
        ],
      },
    };
  }

  function width(container) {
    return Math.max(400, container.clientWidth - 8);
  }

  const SHADES = { ok: ['#2f9e44', '#1b6e2e', '#66c17a', '#0f8f8f'], fail: ['#e03170', '#a8154a', '#f07aa4', '#c2185b'], info: ['#e8a317', '#b87800', '#f5c75a', '#d35400'] };

  /** Every completed op as a point: x = invoke time (s), y = latency (ms), one series per f × outcome. */
  function latencyScatter(box) {
    const order = [...Array(n).keys()].filter((i) => C.type[i] !== 3).sort((a, b) => C.startMs[a] - C.startMs[b]);
    const xs = order.map((i) => C.startMs[i] / 1000);
    const groups = [];
    model.fs.forEach((f, fi) => {
      ['ok', 'fail', 'info'].forEach((o) => {
        const t = OUTCOMES.indexOf(o);
        if (!order.some((i) => C.f[i] === fi && C.type[i] === t)) return;
        const ys = order.map((i) => (C.f[i] === fi && C.type[i] === t ? Math.max(0.01, C.endMs[i] - C.startMs[i]) : null));
        groups.push({ label: f + ' ' + o, color: SHADES[o][fi % 4], ys });
      });
    });
    if (!groups.length) return null;
    const series = [{ label: 'time (s)' }, ...groups.map((g) => ({ label: g.label, stroke: g.color, fill: g.color, width: 0, paths: () => null, points: { show: true, size: 3, width: 0, fill: g.color, stroke: g.color } }))];
    return new uPlot(
      { width: width(box), height: HEIGHT, series, scales: { x: { time: false }, y: { distr: 3 } }, axes: [{ label: 'invoked at (s)', grid: GRID }, { label: 'latency (ms)', grid: GRID }], plugins: [faultBands()], cursor: { points: { show: false } } },
      [xs, ...groups.map((g) => g.ys)],
      box,
    );
  }

  /** Time buckets (about 120 over the run, at least 50 ms) as uPlot x values in seconds. */
  function buckets() {
    const span = Math.max(1, model.durationMs);
    const sizeMs = Math.max(50, span / 120);
    const count = Math.ceil(span / sizeMs) + 1;
    return { sizeMs, count, xs: [...Array(count).keys()].map((k) => (k * sizeMs + sizeMs / 2) / 1000) };
  }

  function quantile(sorted, q) {
    return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null;
  }

  /** p50 / p95 / p99 of definite (ok or fail) ops' latency, by the bucket of their invoke time. */
  function latencyQuantiles(box) {
    const b = buckets();
    const per = [...Array(b.count)].map(() => []);
    for (let i = 0; i < n; i++) if (C.type[i] <= 1) per[Math.floor(C.startMs[i] / b.sizeMs)].push(C.endMs[i] - C.startMs[i]);
    per.forEach((a) => a.sort((x, y) => x - y));
    const qs = [0.5, 0.95, 0.99];
    const colors = ['#1f6feb', '#8250df', '#cf222e'];
    return new uPlot(
      {
        width: width(box), height: HEIGHT,
        series: [{ label: 'time (s)' }, ...qs.map((q, k) => ({ label: 'p' + Math.round(q * 100), stroke: colors[k], width: 1.5, spanGaps: false }))],
        scales: { x: { time: false }, y: { distr: 3 } },
        axes: [{ label: 'invoked at (s)', grid: GRID }, { label: 'latency (ms)', grid: GRID }],
        plugins: [faultBands()],
      },
      [b.xs, ...qs.map((q) => per.map((a) => (a.length ? Math.max(0.01, quantile(a, q)) : null)))],
      box,
    );
  }

  /** Completions per second by outcome, by the bucket of their completion time. */
  function throughput(box) {
    const b = buckets();
    const kinds = ['ok', 'fail', 'info'];
    const counts = kinds.map(() => new Array(b.count).fill(0));
    for (let i = 0; i < n; i++) if (C.type[i] <= 2) counts[C.type[i]][Math.floor(C.endMs[i] / b.sizeMs)]++;
    const perS = 1000 / b.sizeMs;
    return new uPlot(
      {
        width: width(box), height: HEIGHT,
        series: [{ label: 'time (s)' }, ...kinds.map((k) => ({ label: k, stroke: COLORS[k], fill: COLORS[k] + '33', width: 1.5, paths: uPlot.paths.stepped({ align: 1 }) }))],
        scales: { x: { time: false } },
        axes: [{ label: 'completed at (s)', grid: GRID }, { label: 'ops/s', grid: GRID }],
        plugins: [faultBands()],
      },
      [b.xs, ...counts.map((c) => c.map((v) => v * perS))],
      box,
    );
  }

  function availabilityTable() {
    if (!model.windows.length) return null;
    const rows = model.windows.map((w) => {
      const pct = w.ops ? (100 * w.ok) / w.ops : null;
      const bar = el('span', { className: 'avail-bar' }, el('span', { className: 'avail-fill', style: 'width:' + (pct === null ? 0 : pct.toFixed(1)) + '%' }));
      return el('tr', {}, el('td', {}, w.label), el('td', {}, ms(w.startMs)), el('td', {}, w.open ? ms(w.endMs) + ' (end; never healed)' : ms(w.endMs)), el('td', {}, ms(w.endMs - w.startMs)), el('td', {}, String(w.ops)), el('td', { className: 'avail' }, bar, pct === null ? 'no ops' : pct.toFixed(1) + '% ok'));
    });
    return section(
      'faults',
      'Fault windows and availability',
      el('p', { className: 'muted' }, 'Each window runs from the fault\u2019s invoke to the completion of the op that undid it; availability is the share of client ops completing inside it that were ok.'),
      el('table', { className: 'data', id: 'availability' }, el('thead', {}, el('tr', {}, ['fault', 'from', 'to', 'lasted', 'ops', 'available'].map((h) => el('th', {}, h)))), el('tbody', {}, rows)),
    );
  }

  /** The charts section; charts are drawn after first paint (they are below the fold). */
  function render() {
    if (n === 0) return [];
    const boxes = [
      ['Latency of every op (log scale)', latencyScatter],
      ['Latency quantiles over time', latencyQuantiles],
      ['Throughput by outcome', throughput],
    ].map(([title, draw]) => ({ box: el('div', { className: 'chart' }), title, draw }));
    const s = section('charts', 'Charts', boxes.map((b) => el('div', { className: 'card' }, el('h3', {}, b.title), b.box)));
    window.FL.ready.push(() => boxes.forEach((b) => b.draw(b.box)));
    return [s, availabilityTable()];
  }

  window.FL.charts = render;
})();
