// Faultline report page: the full timeline on one canvas — a lane per process, each op a bar from
// invoke to completion coloured by outcome, fault windows as labelled bands, nemesis ops as
// markers. Wheel zooms around the cursor, drag pans, double-click resets, hover shows the op.
// Only ops inside the view are drawn, batched into one path per colour, so 100k ops stay smooth.
(function () {
  'use strict';
  const { model, el, COLORS, OUTCOMES, ms, section } = window.FL;
  const C = model.calls;
  const n = C.index.length;
  const GUTTER = 78, AXIS_H = 24;
  const kinds = [...new Set(model.windows.map((w) => w.kind))];
  const STRIP_ROW = 15;
  const stripH = kinds.length * STRIP_ROW + (kinds.length ? 4 : 0);
  const laneH = Math.max(3, Math.min(22, Math.floor(520 / Math.max(1, model.lanes.length))));
  const lanesTop = stripH;
  const height = lanesTop + model.lanes.length * laneH + AXIS_H;

  // Calls are in invoke order; a lane's calls never overlap, so per-lane start times are sorted.
  const byLane = model.lanes.map(() => []);
  let maxDur = 0;
  for (let i = 0; i < n; i++) {
    byLane[C.lane[i]].push(i);
    maxDur = Math.max(maxDur, C.endMs[i] - C.startMs[i]);
  }
  const nemesisLane = model.lanes.indexOf('nemesis');
  const full = { t0: 0, t1: Math.max(1, model.durationMs) * 1.01 };
  let view = { ...full };
  let highlighted = new Set();
  let highlightedIds = [];
  let culprit = null;

  const canvas = el('canvas', { id: 'timeline-canvas', className: 'timeline-canvas' });
  const tip = el('div', { className: 'tooltip', id: 'tooltip', role: 'tooltip' });
  const wrap = el('div', { className: 'timeline-wrap' }, canvas, tip);
  let cssW = 0;

  const xOf = (t) => GUTTER + ((t - view.t0) / (view.t1 - view.t0)) * (cssW - GUTTER);
  const tOf = (x) => view.t0 + ((x - GUTTER) / (cssW - GUTTER)) * (view.t1 - view.t0);

  /** First i in [0, n) with startMs[i] >= t (calls are sorted by start). */
  function lowerBound(arr, t, ids) {
    let lo = 0, hi = ids ? ids.length : arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (arr[ids ? ids[mid] : mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function resize() {
    cssW = Math.max(400, wrap.clientWidth);
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(cssW * dpr);
    canvas.height = Math.round(height * dpr);
    canvas.style.width = cssW + 'px';
    canvas.style.height = height + 'px';
    draw();
  }

  function drawBands(ctx) {
    const bottom = lanesTop + model.lanes.length * laneH;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    for (const w of model.windows) {
      if (w.endMs < view.t0 || w.startMs > view.t1) continue;
      const x0 = Math.max(GUTTER, xOf(w.startMs));
      const x1 = Math.min(cssW, Math.max(x0 + 2, xOf(w.endMs)));
      const row = kinds.indexOf(w.kind);
      ctx.fillStyle = COLORS.band;
      ctx.fillRect(x0, row * STRIP_ROW + 1, x1 - x0, bottom - row * STRIP_ROW - 1);
      ctx.fillStyle = COLORS.bandEdge;
      ctx.fillRect(x0, row * STRIP_ROW + 1, x1 - x0, STRIP_ROW - 2);
      ctx.save();
      ctx.beginPath();
      ctx.rect(x0, row * STRIP_ROW, x1 - x0, STRIP_ROW);
      ctx.clip();
      ctx.fillStyle = '#fff';
      ctx.fillText(w.label, x0 + 3, row * STRIP_ROW + STRIP_ROW / 2);
      ctx.restore();
    }
  }

  function drawLanes(ctx) {
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    const showLabels = laneH >= 9;
    for (let l = 0; l < model.lanes.length; l++) {
      const y = lanesTop + l * laneH;
      if (l % 2 === 1) {
        ctx.fillStyle = 'rgba(0,0,0,0.025)';
        ctx.fillRect(GUTTER, y, cssW - GUTTER, laneH);
      }
      if (showLabels || l % Math.ceil(9 / laneH) === 0) {
        ctx.fillStyle = '#555';
        ctx.fillText(model.lanes[l], 6, y + laneH / 2);
      }
    }
  }

  function drawCalls(ctx) {
    const lo = lowerBound(C.startMs, view.t0 - maxDur);
    const hi = lowerBound(C.startMs, view.t1 + 1e-9);
    const pad = laneH > 6 ? 1.5 : laneH > 3 ? 0.5 : 0;
    const columns = Math.ceil(cssW - GUTTER);
    if ((hi - lo) / Math.max(1, model.lanes.length) > columns / 2) return drawDensity(ctx, lo, hi, pad, columns);
    const paths = OUTCOMES.map(() => new Path2D());
    const labels = [];
    for (let i = lo; i < hi; i++) {
      if (C.endMs[i] < view.t0) continue;
      const x0 = xOf(C.startMs[i]);
      const w = Math.max(1, xOf(C.endMs[i]) - x0);
      const y = lanesTop + C.lane[i] * laneH + pad;
      paths[C.type[i]].rect(x0, y, w, laneH - 2 * pad);
      if (laneH >= 14 && w > 34) labels.push(i);
    }
    OUTCOMES.forEach((o, k) => {
      ctx.fillStyle = COLORS[o];
      ctx.fill(paths[k]);
    });
    ctx.fillStyle = '#fff';
    ctx.font = '11px system-ui, sans-serif';
    for (const i of labels) {
      const x0 = Math.max(GUTTER, xOf(C.startMs[i]));
      const x1 = Math.min(cssW, xOf(C.endMs[i]));
      if (x1 - x0 < 30) continue;
      ctx.save();
      ctx.beginPath();
      ctx.rect(x0, 0, x1 - x0 - 2, height);
      ctx.clip();
      ctx.fillText(model.fs[C.f[i]] + ' ' + C.value[i], x0 + 3, lanesTop + C.lane[i] * laneH + laneH / 2);
      ctx.restore();
    }
  }

  /**
   * The ops of a counterexample, drawn last and at least 5 px wide in every mode (dense or not), so
   * long ops around them never hide a fast one; the culprit (the op no legal order can place) gets
   * a red outline and a ▼ marker with its name, at every zoom.
   */
  function drawHighlights(ctx) {
    if (!highlighted.size) return;
    for (const i of highlightedIds) {
      if (C.endMs[i] < view.t0 || C.startMs[i] > view.t1) continue;
      const x0 = xOf(C.startMs[i]);
      const w = Math.max(5, xOf(C.endMs[i]) - x0);
      const y = lanesTop + C.lane[i] * laneH;
      ctx.fillStyle = COLORS[OUTCOMES[C.type[i]]];
      ctx.fillRect(x0, y + 1, w, laneH - 2);
      if (laneH >= 14 && w > 34) {
        ctx.fillStyle = '#fff';
        ctx.font = '11px system-ui, sans-serif';
        ctx.fillText((model.fs[C.f[i]] + ' ' + C.value[i]).slice(0, Math.floor(w / 6)), x0 + 3, y + laneH / 2);
      }
      const isCulprit = C.index[i] === culprit;
      ctx.strokeStyle = isCulprit ? COLORS.fail : COLORS.highlight;
      ctx.lineWidth = isCulprit ? 3 : 2;
      ctx.strokeRect(x0 - 2, y - 1, w + 4, laneH + 2);
      if (isCulprit) {
        const cx = x0 + w / 2;
        ctx.fillStyle = COLORS.fail;
        ctx.beginPath();
        ctx.moveTo(cx - 6, y - 10);
        ctx.lineTo(cx + 6, y - 10);
        ctx.lineTo(cx, y - 2);
        ctx.closePath();
        ctx.fill();
        ctx.font = 'bold 11px system-ui, sans-serif';
        ctx.textBaseline = 'bottom';
        ctx.fillText('culprit: op ' + C.index[i], Math.min(cx + 8, cssW - 90), y - 2);
        ctx.textBaseline = 'middle';
      }
    }
  }

  /**
   * When ops are denser than pixels, whichever colour is drawn last would hide the others: each
   * pixel column of a lane is instead split by outcome in proportion to the ops it covers.
   */
  function drawDensity(ctx, lo, hi, pad, columns) {
    const counts = new Float32Array(model.lanes.length * columns * OUTCOMES.length);
    for (let i = lo; i < hi; i++) {
      if (C.endMs[i] < view.t0) continue;
      const c0 = Math.max(0, Math.floor(xOf(C.startMs[i]) - GUTTER));
      const c1 = Math.min(columns - 1, Math.floor(xOf(C.endMs[i]) - GUTTER));
      const base = C.lane[i] * columns * OUTCOMES.length + C.type[i];
      for (let c = c0; c <= c1; c++) counts[base + c * OUTCOMES.length]++;
    }
    const paths = OUTCOMES.map(() => new Path2D());
    const h = laneH - 2 * pad;
    for (let l = 0; l < model.lanes.length; l++) {
      for (let c = 0; c < columns; c++) {
        const at = (l * columns + c) * OUTCOMES.length;
        let total = 0;
        for (let k = 0; k < OUTCOMES.length; k++) total += counts[at + k];
        if (!total) continue;
        let y = lanesTop + l * laneH + pad;
        for (let k = 0; k < OUTCOMES.length; k++) {
          if (!counts[at + k]) continue;
          const part = (h * counts[at + k]) / total;
          paths[k].rect(GUTTER + c, y, 1, part);
          y += part;
        }
      }
    }
    OUTCOMES.forEach((o, k) => {
      ctx.fillStyle = COLORS[o];
      ctx.fill(paths[k]);
    });
  }

  function drawNemesis(ctx) {
    if (nemesisLane < 0) return;
    const y = lanesTop + nemesisLane * laneH + laneH / 2;
    ctx.font = '11px system-ui, sans-serif';
    let labelEnd = -Infinity;
    for (const e of model.nemesis) {
      if (e.endMs < view.t0 || e.startMs > view.t1) continue;
      const x = xOf(e.startMs);
      ctx.fillStyle = e.error ? COLORS.fail : COLORS.bandText;
      const r = Math.min(6, laneH / 2);
      ctx.beginPath();
      ctx.moveTo(x, y - r);
      ctx.lineTo(x + r, y);
      ctx.lineTo(x, y + r);
      ctx.lineTo(x - r, y);
      ctx.closePath();
      ctx.fill();
      // A label only where it does not run into the previous one.
      if (laneH >= 12 && x > labelEnd) {
        ctx.fillText(e.f, x + r + 2, y);
        labelEnd = x + r + 10 + ctx.measureText(e.f).width;
      }
    }
  }

  function niceStep(span, px) {
    const raw = span / Math.max(1, px / 90);
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
  }

  /** A tick label in one unit for the whole axis, chosen by the tick step. */
  function axisLabel(t, step) {
    if (Math.abs(t) < step / 1e6) return '0';
    if (step >= 1000) return (t / 1000).toFixed(0) + ' s';
    if (step >= 100) return (t / 1000).toFixed(1) + ' s';
    if (step >= 1) return t.toFixed(0) + ' ms';
    return t.toFixed(Math.min(6, Math.ceil(-Math.log10(step)))) + ' ms';
  }

  function drawAxis(ctx) {
    const y = height - AXIS_H;
    ctx.strokeStyle = '#999';
    ctx.fillStyle = '#444';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(GUTTER, y + 0.5);
    ctx.lineTo(cssW, y + 0.5);
    ctx.stroke();
    const step = niceStep(view.t1 - view.t0, cssW - GUTTER);
    ctx.textBaseline = 'top';
    ctx.textAlign = 'center';
    for (let t = Math.ceil(view.t0 / step) * step; t <= view.t1; t += step) {
      const x = xOf(t);
      ctx.fillRect(x, y, 1, 4);
      ctx.fillText(axisLabel(t, step), x, y + 6);
    }
    ctx.textAlign = 'left';
  }

  function draw() {
    const ctx = canvas.getContext('2d');
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssW, height);
    drawLanes(ctx);
    ctx.save();
    ctx.beginPath();
    ctx.rect(GUTTER, 0, cssW - GUTTER, height);
    ctx.clip();
    // Bands over the ops, translucent: dense ops would otherwise hide every fault window.
    drawCalls(ctx);
    drawBands(ctx);
    drawNemesis(ctx);
    drawHighlights(ctx);
    ctx.restore();
    drawAxis(ctx);
  }

  let frame = 0;
  const redraw = () => {
    if (!frame) frame = requestAnimationFrame(() => ((frame = 0), draw()));
  };

  /** The call, nemesis op or fault window under a point, as tooltip lines. */
  function hit(x, y) {
    const t = tOf(x);
    const slop = (4 / (cssW - GUTTER)) * (view.t1 - view.t0);
    if (y < stripH) {
      const row = Math.floor(y / STRIP_ROW);
      const w = model.windows.find((w) => w.kind === kinds[row] && w.startMs - slop <= t && t <= w.endMs + slop);
      return w && [w.label, `${ms(w.startMs)} → ${ms(w.endMs)}${w.open ? ' (never healed)' : ''}`, `${w.ops} client ops completed, ${w.ops ? Math.round((100 * w.ok) / w.ops) : 0}% ok`];
    }
    const lane = Math.floor((y - lanesTop) / laneH);
    if (lane < 0 || lane >= model.lanes.length) return null;
    if (lane === nemesisLane) {
      const e = model.nemesis.find((e) => e.startMs - slop <= t && t <= e.endMs + slop);
      return e && [`nemesis op ${e.index}: ${e.label}`, `${ms(e.startMs)} → ${ms(e.endMs)}`, e.error ? 'error: ' + e.error : null];
    }
    // The op under the cursor, else the nearest within a few pixels (ops in a lane never overlap).
    const ids = byLane[lane];
    let i = -1, best = Infinity;
    for (let k = lowerBound(C.startMs, t + slop, ids) - 1; k >= 0 && C.endMs[ids[k]] >= t - slop - maxDur; k--) {
      const d = t < C.startMs[ids[k]] ? C.startMs[ids[k]] - t : t > C.endMs[ids[k]] ? t - C.endMs[ids[k]] : 0;
      if (d < best) (best = d), (i = ids[k]);
      if (d === 0 || C.endMs[ids[k]] < t - slop) break;
    }
    if (i < 0 || best > slop) return null;
    const lines = [`op ${C.index[i]} · process ${C.process[i]} · ${OUTCOMES[C.type[i]]}`, `${model.fs[C.f[i]]} ${C.value[i]}`];
    if (C.invokeValue[i] !== undefined) lines.push('invoked with ' + C.invokeValue[i]);
    lines.push(`${ms(C.startMs[i])} → ${C.type[i] === 3 ? 'never completed' : ms(C.endMs[i]) + ' (' + ms(C.endMs[i] - C.startMs[i]) + ')'}`);
    if (C.node[i] >= 0) lines.push('node ' + model.nodes[C.node[i]]);
    if (C.error[i] !== undefined) lines.push('error: ' + C.error[i]);
    return lines;
  }

  /** Over a lane's label: which processes shared the lane, and why a label reads "p0 +1". */
  function laneInfo(y) {
    const lane = Math.floor((y - lanesTop) / laneH);
    const members = model.laneProcesses && model.laneProcesses[lane];
    if (!members) return lane === nemesisLane ? ['nemesis', 'the fault injector\u2019s own ops'] : null;
    const lines = ['lane ' + model.lanes[lane] + ': process' + (members.length > 1 ? 'es ' : ' ') + members.join(', ')];
    if (members.length > 1) lines.push('one worker thread: an op of unknown outcome (info) retires its process, and the thread goes on under a new process id');
    return lines;
  }

  function showTip(ev) {
    const r = canvas.getBoundingClientRect();
    const x = ev.clientX - r.left, y = ev.clientY - r.top;
    const lines = x > GUTTER ? hit(x, y) : laneInfo(y);
    if (!lines) {
      tip.style.display = 'none';
      return;
    }
    tip.replaceChildren(...lines.filter(Boolean).map((l, i) => el('div', { className: i === 0 ? 'tip-head' : '' }, l)));
    tip.style.display = 'block';
    const left = Math.min(x + 14, cssW - tip.offsetWidth - 4);
    tip.style.left = Math.max(0, left) + 'px';
    tip.style.top = y + 16 + 'px';
  }

  function zoomTo(t0, t1) {
    const span = Math.max(0.01, t1 - t0);
    const start = Math.max(full.t0 - span / 2, t0);
    view = { t0: start, t1: start + span };
    redraw();
  }

  canvas.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    const r = canvas.getBoundingClientRect();
    const t = tOf(ev.clientX - r.left);
    const k = Math.pow(1.0015, ev.deltaY);
    const t0 = t - (t - view.t0) * k, t1 = t + (view.t1 - t) * k;
    if (t1 - t0 > 0.001 && t1 - t0 < (full.t1 - full.t0) * 4) zoomTo(t0, t1);
  }, { passive: false });
  let drag = null;
  canvas.addEventListener('mousedown', (ev) => (drag = { x: ev.clientX, view: { ...view } }));
  window.addEventListener('mouseup', () => (drag = null));
  canvas.addEventListener('mousemove', (ev) => {
    if (drag) {
      const dt = ((ev.clientX - drag.x) / (cssW - GUTTER)) * (drag.view.t1 - drag.view.t0);
      view = { t0: drag.view.t0 - dt, t1: drag.view.t1 - dt };
      redraw();
      tip.style.display = 'none';
    } else showTip(ev);
  });
  canvas.addEventListener('mouseleave', () => (tip.style.display = 'none'));
  canvas.addEventListener('dblclick', () => zoomTo(full.t0, full.t1));
  window.addEventListener('resize', resize);

  /** Zooms to the given ops (history indices of invokes) with some context, and marks them; `culprit` in red. */
  function focus(indices, culpritIndex) {
    highlighted = new Set(indices);
    culprit = culpritIndex === undefined ? null : culpritIndex;
    const ids = [];
    for (let i = 0; i < n; i++) if (highlighted.has(C.index[i])) ids.push(i);
    highlightedIds = ids;
    if (!ids.length) return;
    const t0 = Math.min(...ids.map((i) => C.startMs[i])), t1 = Math.max(...ids.map((i) => C.endMs[i]));
    const pad = Math.max(1, (t1 - t0) * 0.6);
    zoomTo(t0 - pad, t1 + pad);
    canvas.scrollIntoView({ block: 'center' });
  }

  /** Lanes labelled "p0 +1" say it in words, once, next to the legend. */
  function retiredNote() {
    const shared = model.lanes.find((l) => / \+\d+$/.test(l));
    if (!shared) return null;
    return el('span', { className: 'legend-item lane-note', id: 'lane-note' }, shared + ' = one worker thread: process ' + shared.split(' ')[0].slice(1) + ', then ' + shared.split('+')[1] + ' more, each taking over after an info (unknown outcome) retired the one before');
  }

  function legend() {
    const item = (color, label) => el('span', { className: 'legend-item' }, el('i', { style: 'background:' + color }), label);
    return el('div', { className: 'legend' }, item(COLORS.ok, 'ok'), item(COLORS.fail, 'fail'), item(COLORS.info, 'info (unknown)'), model.counts.pending ? item(COLORS.pending, 'never completed') : null, model.windows.length ? item(COLORS.bandEdge, 'fault window') : null, nemesisLane >= 0 ? item(COLORS.bandText, '◆ nemesis op') : null, retiredNote());
  }

  function render() {
    if (n === 0 && !model.nemesis.length) return null;
    const reset = el('button', { type: 'button', onclick: () => zoomTo(full.t0, full.t1) }, 'reset zoom');
    const s = section('timeline', 'Timeline', el('div', { className: 'toolbar' }, legend(), el('span', { className: 'muted' }, 'wheel: zoom · drag: pan · double-click: reset · hover: op'), reset), wrap);
    // Sized once it is in the document.
    requestAnimationFrame(resize);
    return s;
  }

  /** Where the op with this invoke index is drawn, in CSS pixels from the canvas's top left (null when off screen). */
  function locate(index) {
    const i = C.index.indexOf(index);
    if (i < 0) return null;
    const x0 = Math.max(GUTTER, xOf(C.startMs[i])), x1 = Math.min(cssW, xOf(C.endMs[i]));
    if (x1 < GUTTER || x0 > cssW) return null;
    return { x: (x0 + Math.max(x0 + 1, x1)) / 2, y: lanesTop + C.lane[i] * laneH + laneH / 2 };
  }

  window.FL.timeline = { render, focus, zoomTo, locate, get view() { return { ...view }; } };
})();
