// A row's detail view, per detection. Every score, reason and statistic shown is the core's: the
// row's Reasons explain its Score; periodicity figures are the row's columns; the charts draw the
// connections the core read back for the row (a collect pass).
import { histogram, scatter, timeline } from './charts.js';
import { el, formatInterval, formatSeconds } from './dom.js';

function facts(pairs) {
  const dl = el('dl', { class: 'facts' });
  for (const [k, v] of pairs)
    dl.append(el('dt', { text: k }), el('dd', { text: v === null || v === undefined || v === '' ? '—' : String(v) }));
  return dl;
}

function reasons(row) {
  const box = el('div', { class: 'explanation' });
  box.append(el('p', { class: 'verdict', text: `Score ${row.Score} of 100` }));
  const list = row.Reasons || [];
  if (list.length) box.append(el('ul', { class: 'reasons' }, ...list.map((r) => el('li', { text: r }))));
  return box;
}

function hosting(row, asnLoaded) {
  if (!asnLoaded) return el('p', { text: 'Unavailable: no IP → ASN database is loaded.' });
  return facts([
    ['ASN', row.RemoteASN === null || row.RemoteASN === undefined ? 'unknown (no announced range)' : `AS${row.RemoteASN}`],
    ['Organisation', row.RemoteOrg],
    ['Hosting', row.IsHosting ? 'yes — a rented-server network' : 'no (not on the hosting list)'],
    ['Provider', row.HostingProvider],
    ['Category', row.HostingCategory],
  ]);
}

// In a box of its own height at most: a scanner's 48 targets would otherwise push the rest of the
// detail a screen down.
function countTable(title, entries) {
  return el('div', { class: 'small-table-wrap' }, el('table', { class: 'small-table' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: title }), el('th', { scope: 'col', class: 'num', text: 'Connections' }))),
    el('tbody', {}, ...entries.map(([k, n]) => el('tr', {}, el('td', { text: k }), el('td', { class: 'num', text: n }))))));
}

function counted(values, label) {
  const m = new Map();
  for (const v of values) m.set(v, (m.get(v) || 0) + 1);
  return [...m.entries()].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0]))).map(([k, n]) => [label(k), n]);
}

const portLabel = (p) => (p === null || p === undefined ? '(none)' : `port ${p}`);

function beacon(row, detail, ctx) {
  const flow = ctx.mode === 'beyond';
  const parts = [
    el('h3', { text: `Why Score ${row.Score} (${flow ? 'VpsScore' : 'RiskScore'})` }), reasons(row),
    el('h3', { text: 'Hosting attribution' }), hosting(row, ctx.asnLoaded),
    el('h3', { text: flow ? 'Flow (the whole lookback)' : 'Group (one hour bin)' }),
    facts([
      [flow ? 'Timestamp (first bin)' : 'Bin (Timestamp)', row.Timestamp], ['Device', row.DeviceName], ['Account', row.AccountName],
      ['Process', row.InitiatingProcessFileName], ['Command line', row.InitiatingProcessCommandLine], ['Remote IP', row.RemoteIP],
      ['Connections', `${row.ConnectionCount} (${row.ConnectionsPerMinute} per minute)`],
      ['First / last', `${row.FirstConnection} … ${row.LastConnection}`],
      ['Bytes sent / received', `${row.TotalBytesSent ?? '—'} / ${row.TotalBytesReceived ?? '—'} (ratio ${row.ByteRatio})`],
      ['RiskScore (the seed\'s)', row.RiskScore], ['VpsScore', row.VpsScore],
      ['Devices talking to this IP', row.DeviceCount],
      ['IP first / last seen', row.RemoteIPFirstSeen ? `${row.RemoteIPFirstSeen} … ${row.RemoteIPLastSeen}` : null],
    ]),
    el('h3', { text: 'Threat intelligence' }),
    row.IsTIMatch ? facts([['ThreatType', row.ThreatType], ['Confidence', row.TIConfidence], ['Description', row.TIDescription]])
      : el('p', { text: `No active indicator for ${row.RemoteIP} within the TI lookback.` }),
    el('h3', { text: 'Connections on a timeline' }),
    el('p', { class: 'hint', text: `${detail.total} connection(s)${detail.complete ? '' : ' (not read back yet)'}. Each tick is one connection; colour = remote port.` }),
    timeline({ ms: detail.ms, times: detail.times, category: (i) => detail.ports[i], categoryLabel: portLabel,
      label: `Timeline of ${detail.times.length} connections` }),
  ];
  const intervals = [];
  for (let i = 1; i < detail.ms.length; ++i) intervals.push((detail.ms[i] - detail.ms[i - 1]) / 1000);
  parts.push(el('h3', { text: 'Intervals between connections' }));
  const measured = [];
  if (row.MedianIntervalSeconds !== null && row.MedianIntervalSeconds !== undefined)
    measured.push(`median interval ${formatInterval(row.MedianIntervalSeconds)}`);
  if (row.IntervalDispersion !== null && row.IntervalDispersion !== undefined) measured.push(`dispersion (MAD / median) ${(row.IntervalDispersion * 100).toFixed(1)}%`);
  if (row.PeriodicityScore !== null && row.PeriodicityScore !== undefined) measured.push(`PeriodicityScore ${Math.round(row.PeriodicityScore * 100)}%`);
  parts.push(el('p', { class: 'core-periodicity', text: measured.length ? `The core measured: ${measured.join(', ')}.` : 'Periodicity is measured in beyond mode (the rule switch above).' }));
  if (intervals.length) {
    parts.push(histogram({ intervals, median: row.MedianIntervalSeconds, label: `Histogram of the ${intervals.length} intervals between connections` }));
    const list = intervals.slice(0, 60).map((v) => formatSeconds(v)).join(', ') + (intervals.length > 60 ? ', …' : '');
    parts.push(el('p', { class: 'interval-list', text: `In order: ${list}` }));
  } else {
    parts.push(el('p', { text: 'Only one connection: no intervals.' }));
  }
  parts.push(el('h3', { text: 'Ports' }),
    el('p', { text: `UniqueRemotePorts = ${row.UniqueRemotePorts}; RemotePorts (make_set, at most 5) = ${(row.RemotePorts || []).join(', ') || '—'}` }),
    countTable('Remote port', counted(detail.ports, (p) => (p === null ? '(none)' : p))));
  return { title: `${row.InitiatingProcessFileName || '(no process name)'} on ${row.DeviceName} → ${row.RemoteIP}`, parts };
}

function inbound(row, detail, ctx) {
  const names = detail.targetNames || [];
  const parts = [
    el('h3', { text: `Why Score ${row.Score}` }), reasons(row),
    el('h3', { text: 'Hosting attribution' }), hosting(row, ctx.asnLoaded),
    el('h3', { text: 'Source' }),
    facts([
      ['Remote IP (source)', row.RemoteIP], ['Connections', row.ConnectionCount], ['Refused', row.RefusedCount],
      ['Targets', `${row.TargetCount}: ${(row.Targets || []).join(', ')}${row.TargetCount > (row.Targets || []).length ? ', …' : ''}`],
      ['Target ports', `${row.UniqueTargetPorts}: ${(row.TargetPorts || []).join(', ')}`],
      ['First / last seen', `${row.FirstSeen} … ${row.LastSeen}`], ['TI match', row.IsTIMatch ? 'yes' : 'no'],
    ]),
    el('h3', { text: 'Targets and ports on a timeline' }),
    el('p', { class: 'hint', text: `${detail.total} connection(s)${detail.complete ? '' : ' (not read back yet)'}. One lane per target; colour = the port reached; ${(detail.refused || []).filter(Boolean).length} refused.` }),
    scatter({ ms: detail.ms, times: detail.times, lanes: detail.targets || [], laneNames: names,
      colourKey: (i) => detail.ports[i], colourLabel: portLabel, label: `Targets of ${row.RemoteIP} over time` }),
    el('h3', { text: 'Ports reached' }), countTable('Target port', counted(detail.ports, (p) => (p === null ? '(none)' : p))),
    el('h3', { text: 'Targets' }), countTable('Target', counted(detail.targets || [], (t) => names[t] ?? t)),
  ];
  return { title: `${row.RemoteIP} → ${row.TargetCount} target(s)`, parts };
}

function generic(row, detection, schema) {
  const pairs = (schema ? schema.columns : Object.keys(row).map((name) => ({ name })))
    .filter((c) => c.name !== 'Reasons' && !c.name.startsWith('_'))
    .map((c) => [c.name, Array.isArray(row[c.name]) ? row[c.name].join(', ') : row[c.name]]);
  return { title: `${detection}: ${row.RemoteIP || row.Network || ''}`, parts: [el('h3', { text: `Why Score ${row.Score}` }), reasons(row), el('h3', { text: 'Row' }), facts(pairs)] };
}

// One line naming a member row of a network, from its own cells.
function memberLabel(detection, row) {
  if (detection === 'beacon')
    return `${row.InitiatingProcessFileName || '(no process name)'} on ${row.DeviceName} → ${row.RemoteIP}` +
      (row.Timestamp ? ` (${row.Timestamp})` : '') + ` · ${row.ConnectionCount} connections`;
  if (detection === 'inbound') return `${row.RemoteIP} → ${row.TargetCount} target(s) · ${row.ConnectionCount} connections`;
  if (detection === 'signin') return `${row.RemoteIP} · ${row.UserCount ?? '?'} user(s) · ${row.FailureCount ?? '?'} failed`;
  return row.RemoteIP || '';
}

// The rows behind a network (the core's members), each a button to its own tab and detail.
function members(detail, ctx) {
  const list = detail.members || [];
  const count = detail.memberCount ?? list.length;
  const parts = [el('h3', { text: `Rows behind this network (${count})` })];
  if (!list.length) return [...parts, el('p', { text: 'No rows of the other detections are kept for this network.' })];
  const ul = el('ul', { class: 'members' });
  for (const m of list) {
    ul.append(el('li', {},
      el('span', { class: 'member-detection', text: m.detection }),
      el('span', { class: `score ${m.row.Score >= 70 ? 'score-high' : m.row.Score >= 40 ? 'score-mid' : 'score-low'}`, text: String(m.row.Score) }),
      el('button', {
        type: 'button', class: 'link member', 'data-detection': m.detection, 'data-key': m.key,
        title: `Open this ${m.detection} row in its tab`, onclick: () => ctx.openMember && ctx.openMember(m.detection, m.key),
        text: memberLabel(m.detection, m.row),
      })));
  }
  parts.push(ul);
  if (count > list.length) parts.push(el('p', { class: 'hint', text: `The first ${list.length} of ${count} rows are listed.` }));
  return parts;
}

function infrastructure(row, detail, ctx) {
  const { parts } = generic(row, 'infrastructure', ctx.schema);
  parts.splice(2, 0, ...members(detail, ctx));
  return { title: `${row.Network}${row.HostingProvider ? ' · ' + row.HostingProvider : ''} (${(row.Detections || []).join(', ') || 'no trace'})`, parts };
}

// {title, parts: [nodes]} for a row of `detection` with its detail from the worker.
// ctx: {mode, asnLoaded, schema, openMember(detection, key)}.
export function renderDetail(detection, detail, ctx) {
  const row = detail.row;
  if (detection === 'beacon') return beacon(row, detail, ctx);
  if (detection === 'inbound') return inbound(row, detail, ctx);
  if (detection === 'infrastructure') return infrastructure(row, detail, ctx);
  return generic(row, detection, ctx.schema);
}
