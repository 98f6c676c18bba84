// SVG charts drawn by the page (no library, no CDN). They draw data the core gave; every number in
// an explanation comes from the core.
import { formatSeconds, svg } from './dom.js';

export const COLOURS = ['#1f6fb2', '#c2571a', '#2f8f46', '#8a3fb0', '#b02a4a', '#5c6b7a', '#7a6a1f', '#1f7a72'];

function titled(node, text) {
  node.append(svg('title', {}, text));
  return node;
}

const clock = (ms) => new Date(ms).toISOString().slice(11, 19) + 'Z';
const day = (ms) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + 'Z';

// One tick per event at its time, coloured by `category(i)` (a port, a target...), with a legend.
export function timeline({ ms, times, category, categoryLabel, start = null, end = null, label }) {
  const width = 900, height = 96, pad = 30;
  const lo = Math.min(start ?? Infinity, ms.length ? ms[0] : Infinity);
  const hi = Math.max(end ?? -Infinity, ms.length ? ms[ms.length - 1] : -Infinity);
  const x = (t) => pad + ((t - lo) / Math.max(hi - lo, 1)) * (width - 2 * pad);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'timeline', role: 'img', 'aria-label': label });
  root.append(svg('line', { x1: pad, y1: 64, x2: width - pad, y2: 64, class: 'axis' }));
  const index = new Map();
  ms.forEach((t, i) => {
    const c = category(i);
    if (!index.has(c)) index.set(c, index.size);
    root.append(titled(svg('line', { x1: x(t), y1: 22, x2: x(t), y2: 62, stroke: COLOURS[index.get(c) % COLOURS.length], 'stroke-width': 1.5 }),
      `${times[i]} ${categoryLabel(c)}`));
  });
  if (Number.isFinite(lo) && Number.isFinite(hi)) {
    const tick = (t, anchor) => svg('text', { x: x(t), y: 82, 'text-anchor': anchor, class: 'tick-label' }, hi - lo > 86400000 ? day(t) : clock(t));
    root.append(tick(lo, 'start'), tick((lo + hi) / 2, 'middle'), tick(hi, 'end'));
  }
  let lx = pad;
  for (const [c, i] of index) {
    if (lx > width - 100) break;
    root.append(svg('text', { x: lx, y: 12, class: 'legend', fill: COLOURS[i % COLOURS.length] }, `■ ${categoryLabel(c)}`));
    lx += Math.max(90, 8 * categoryLabel(c).length + 20);
  }
  return root;
}

// Events as dots: time across, one lane per target, colour = port.
export function scatter({ ms, times, lanes, laneNames, colourKey, colourLabel, label }) {
  const laneCount = Math.min(laneNames.length, 24);
  const width = 900, pad = 30, left = 150, laneHeight = 18;
  const height = laneCount * laneHeight + 50;
  const lo = ms.length ? ms[0] : 0, hi = ms.length ? ms[ms.length - 1] : 1;
  const x = (t) => left + ((t - lo) / Math.max(hi - lo, 1)) * (width - left - pad);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'scatter', role: 'img', 'aria-label': label });
  for (let l = 0; l < laneCount; ++l) {
    const y = 20 + l * laneHeight;
    root.append(svg('line', { x1: left, y1: y, x2: width - pad, y2: y, class: 'lane' }));
    const name = laneNames[l].length > 22 ? laneNames[l].slice(0, 21) + '…' : laneNames[l];
    root.append(titled(svg('text', { x: left - 6, y: y + 4, 'text-anchor': 'end', class: 'tick-label' }, name), laneNames[l]));
  }
  const index = new Map();
  ms.forEach((t, i) => {
    if (lanes[i] >= laneCount) return;
    const c = colourKey(i);
    if (!index.has(c)) index.set(c, index.size);
    root.append(titled(svg('circle', { cx: x(t), cy: 20 + lanes[i] * laneHeight, r: 3.2, fill: COLOURS[index.get(c) % COLOURS.length] }),
      `${times[i]} ${laneNames[lanes[i]]} ${colourLabel(c)}`));
  });
  const y = height - 14;
  if (ms.length) {
    const tick = (t, anchor) => svg('text', { x: x(t), y, 'text-anchor': anchor, class: 'tick-label' }, hi - lo > 86400000 ? day(t) : clock(t));
    root.append(tick(lo, 'start'), tick(hi, 'end'));
  }
  let lx = left;
  for (const [c, i] of index) {
    if (lx > width - 120) break;
    root.append(svg('text', { x: lx, y: 10, class: 'legend', fill: COLOURS[i % COLOURS.length] }, `● ${colourLabel(c)}`));
    lx += 100;
  }
  if (laneNames.length > laneCount) root.append(svg('text', { x: pad, y, class: 'tick-label' }, `+${laneNames.length - laneCount} more`));
  return root;
}

// Intervals between consecutive events, in 24 bins; the dashed line marks `median` (the core's).
export function histogram({ intervals, median, label }) {
  const bins = 24, width = 900, height = 130, pad = 30, top = 16;
  const sorted = intervals.slice().sort((a, b) => a - b);
  const lo = sorted[0], hi = sorted[sorted.length - 1];
  const counts = new Array(bins).fill(0);
  for (const v of intervals) counts[hi > lo ? Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins)) : 0]++;
  const peak = Math.max(...counts);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'histogram', role: 'img', 'aria-label': label });
  const bw = (width - 2 * pad) / bins;
  const x = (v) => pad + (hi > lo ? ((v - lo) / (hi - lo)) * (width - 2 * pad) : 0);
  root.append(svg('line', { x1: pad, y1: height - 20, x2: width - pad, y2: height - 20, class: 'axis' }));
  counts.forEach((n, i) => {
    const h = peak ? (n / peak) * (height - 20 - top) : 0;
    const a = lo + ((hi - lo) * i) / bins, b = lo + ((hi - lo) * (i + 1)) / bins;
    root.append(titled(svg('rect', { x: pad + i * bw + 1, y: height - 20 - h, width: Math.max(bw - 2, 1), height: h, class: 'bar', 'data-count': n }),
      `${n} interval(s) of ${formatSeconds(a)}–${formatSeconds(b)}`));
  });
  if (median !== null && median !== undefined) {
    const mx = x(Math.min(Math.max(median, lo), hi));
    root.append(svg('line', { x1: mx, y1: top - 4, x2: mx, y2: height - 20, class: 'median' }),
      svg('text', { x: mx, y: top - 6, 'text-anchor': mx > width / 2 ? 'end' : 'start', class: 'median-label' }, `median ${formatSeconds(median)} (the core's)`));
  }
  const axis = (text, xPos, anchor) => svg('text', { x: xPos, y: height - 4, 'text-anchor': anchor, class: 'tick-label' }, text);
  root.append(axis(formatSeconds(lo), pad, 'start'), axis(formatSeconds((lo + hi) / 2), width / 2, 'middle'), axis(formatSeconds(hi), width - pad, 'end'));
  return root;
}

const scoreFill = (s) => (s >= 70 ? '#b02a4a' : s >= 40 ? '#c2571a' : '#5c6b7a');

// The overview of a tab: rows over the lookback (bars coloured by their best score) beside the
// networks with the most rows.
export function overview({ bins, networks, from, to, noun }) {
  const width = 900, height = 150, pad = 30, split = 520;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'overview', role: 'img', 'aria-label': `Overview: ${noun} over time and by network` });
  root.append(svg('text', { x: pad, y: 14, class: 'legend' }, `${noun} over time`));
  const lo = Date.parse(from), hi = Date.parse(to);
  const peak = Math.max(1, ...bins.map((b) => b.rows));
  const plotW = split - 2 * pad, plotH = height - 50;
  const bw = Math.max(2, plotW / 48 - 1);
  for (const b of bins) {
    const t = Date.parse(b.t);
    const x = pad + ((t - lo) / Math.max(hi - lo, 1)) * plotW;
    const h = Math.max(1, (b.rows / peak) * plotH);
    root.append(titled(svg('rect', { x, y: 24 + plotH - h, width: bw, height: h, fill: scoreFill(b.maxScore), class: 'evidence' }),
      `${b.t}: ${b.rows} row(s), best score ${b.maxScore}`));
  }
  root.append(svg('line', { x1: pad, y1: 24 + plotH, x2: split - pad, y2: 24 + plotH, class: 'axis' }));
  if (from && to) root.append(svg('text', { x: pad, y: height - 8, class: 'tick-label' }, day(lo)),
    svg('text', { x: split - pad, y: height - 8, 'text-anchor': 'end', class: 'tick-label' }, day(hi)));
  root.append(svg('text', { x: split + 10, y: 14, class: 'legend' }, 'top networks'));
  const top = Math.max(1, ...networks.map((n) => n.rows));
  networks.slice(0, 6).forEach((n, i) => {
    const y = 24 + i * 20;
    const w = Math.max(2, (n.rows / top) * 150);
    const name = n.name.length > 24 ? n.name.slice(0, 23) + '…' : n.name;
    root.append(titled(svg('rect', { x: split + 10, y, width: w, height: 14, fill: scoreFill(n.maxScore), class: 'network' }),
      `${n.name}${n.hosting ? ' (hosting)' : ''}: ${n.rows} row(s), best score ${n.maxScore}`),
    svg('text', { x: split + 16 + w, y: y + 11, class: 'tick-label' }, `${name} · ${n.rows}`));
  });
  return root;
}
