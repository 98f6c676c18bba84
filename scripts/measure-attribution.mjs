#!/usr/bin/env node
// Measures hosting attribution on real attacker sources and residential negative controls:
// how many public source addresses the hosting attribution marks, before (the curated list alone,
// today's behaviour) and after (the imported public lists, exclusions and inference), split by
// confidence; and every control address marked hosting, with its organisation, for a human to judge.
//
//   node scripts/measure-attribution.mjs [--samples DIR] [--build DIR] [--before-list FILE] [--json FILE]
//   node scripts/measure-attribution.mjs --names [--build DIR] [--top N]
//
//   --samples DIR      the shared sample exports (default: $VPSHUNT_SAMPLES, else ../shared/samples
//                      beside the repository, or ../../shared/samples beside a worktree's folder)
//   --build DIR        the native build with bench/attribution and asn.bin (default: build)
//   --before-list FILE the "before" hosting list (default: the current curated list alone), e.g.
//                      `git show 9c3f933:core/src/net/hosting-asns.txt > /tmp/before.txt`
//   --json FILE        also writes every attributed address as JSON Lines
//   --names            instead: what the organisation-name signal says of every organisation in the
//                      IP data (node_modules/@ip-location-db/asn), with the largest N (default 40) of
//                      each kind by announced IPv4 addresses, for review
//
// This is a measurement tool, not a reader: it pulls the address column out of each sample itself
// (the sign-in and inbound readers are separate work), and it is not a test (the samples are not
// part of the repository). Build the tool first: cmake --build build --target vpshunt_attribution
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
// The shared samples sit beside the repository (../shared/samples), or beside a worktree's parent.
const defaultSamples = [path.join(root, '..', 'shared', 'samples'), path.join(root, '..', '..', 'shared', 'samples')]
  .find((d) => fs.existsSync(d)) || path.join(root, '..', 'shared', 'samples');
const samplesDir = path.resolve(opt('--samples', process.env.VPSHUNT_SAMPLES || defaultSamples));
const buildDir = path.resolve(root, opt('--build', 'build'));
const beforeList = opt('--before-list', null);
const jsonOut = opt('--json', null);

// RFC 4180 with quoted cells spanning lines (the Log Analytics exports have multi-line JSON cells).
function parseCsv(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { cell += '"'; i++; } else quoted = false;
      } else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows.filter((r) => r.length > 1 || r[0] !== '');
}
function csvColumn(file, column, encoding = 'utf8') {
  const bytes = fs.readFileSync(file);
  const text = encoding === 'utf-16be' ? new TextDecoder('utf-16be').decode(bytes) : bytes.toString('utf8');
  const [header, ...rows] = parseCsv(text);
  const at = header.map((h) => h.trim()).indexOf(column);
  if (at < 0) throw new Error(`${file}: no column ${column}`);
  return rows.map((r) => (r[at] || '').trim());
}
function jsonLines(file, pick) {
  return fs.readFileSync(file, 'utf8').split(/\r?\n/).filter(Boolean).map((l) => pick(JSON.parse(l)));
}

// Each sample: what it is, where its addresses come from, and whether they attacked.
const samples = [
  {
    name: 'yannixeno SecurityEvent (RDP/SMB brute force, IpAddress)', role: 'attack',
    read: (d) => csvColumn(path.join(d, 'yannixeno_AzureHoneyPotLab/query_data_SecurityEvent_excerpt.csv'), 'IpAddress'),
  },
  {
    name: 'OTRF S3 honey bucket (Source IP)', role: 'attack',
    read: (d) => csvColumn(path.join(d, 'otrf_security_datasets/AWS_S3_HoneyBucketLogs.csv'), 'Source IP'),
  },
  {
    // Inbound to an internet-facing DigitalOcean host: the scanners are the sources of rejected or
    // unanswered connections; the answered ones are mostly Cloudflare fetching the site behind it.
    name: 'RITA conn.log, DigitalOcean host (sources of REJ/S0 connections)', role: 'attack',
    read: (d) => {
      const text = zlib.gunzipSync(fs.readFileSync(path.join(d, 'rita/conn.00:00:00-01:00:00.log.gz'))).toString('utf8');
      let fields = [];
      const out = [];
      for (const line of text.split('\n')) {
        if (line.startsWith('#fields')) fields = line.split('\t').slice(1);
        if (!line || line.startsWith('#')) continue;
        const f = line.split('\t');
        const state = f[fields.indexOf('conn_state')];
        if (state === 'REJ' || state === 'S0') out.push(f[fields.indexOf('id.orig_h')]);
      }
      return out;
    },
  },
  {
    name: 'Azure-Sentinel CEF FortiGate (inbound RDP, SourceIP)', role: 'attack',
    read: (d) => JSON.parse(fs.readFileSync(path.join(d, 'azure_sentinel_excerpts/CEF_Fortigate.json'), 'utf8')).map((r) => r.SourceIP),
  },
  {
    name: 'stamparm ipsum (addresses on 3+ blocklists)', role: 'attack',
    read: (d) => fs.readFileSync(path.join(d, 'stamparm_ipsum/ipsum.txt'), 'utf8').split('\n')
      .filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t')).filter((f) => Number(f[1]) >= 3).map((f) => f[0]),
  },
  {
    name: 'mku2 SigninLogs.csv (UK residential and mobile)', role: 'control',
    read: (d) => csvColumn(path.join(d, 'mku2_ciso-logs-public/SigninLogs.csv'), 'IPAddress', 'utf-16be'),
  },
  {
    name: 'mku2 query_data.csv (UK residential and mobile)', role: 'control',
    read: (d) => csvColumn(path.join(d, 'mku2_ciso-logs-public/query_data.csv'), 'IPAddress'),
  },
  {
    name: 'msticpy aad_logons (US/EU residential)', role: 'control',
    read: (d) => jsonLines(path.join(d, 'microsoft_msticpy/aad_logons_SigninLogs_from_pickle.jsonl'), (r) => r.IPAddress),
  },
  {
    name: 'Okta event hook (Charter residential)', role: 'control',
    read: (d) => JSON.parse(fs.readFileSync(path.join(d, 'okta_devblog/event_hook_user.session.start.json'), 'utf8'))
      .data.events.map((e) => e.client.ipAddress),
  },
];

if (args.includes('--names')) {
  const tool = path.join(buildDir, 'bench', 'attribution');
  const dir = path.join(root, 'node_modules', '@ip-location-db', 'asn');
  const orgs = new Map();  // asn -> [name, IPv4 addresses]
  for (const file of ['asn-ipv4-num.csv', 'asn-ipv6-num.csv']) {
    for (const row of parseCsv(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      const e = orgs.get(row[2]) || [row[3], 0n];
      if (file.includes('ipv4')) e[1] += BigInt(row[1]) - BigInt(row[0]) + 1n;
      orgs.set(row[2], e);
    }
  }
  const input = [...orgs].map(([asn, [name, size]]) => `${asn}\t${size}\t${name.replace(/[\t\n]/g, ' ')}`).join('\n') + '\n';
  const run = spawnSync(tool, ['--names'], { input, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (run.status !== 0) {
    console.error(run.stderr || `measure-attribution: cannot run ${tool}`);
    process.exit(2);
  }
  const rows = run.stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
  const top = Number(opt('--top', '40'));
  console.log(`Organisation-name signal over ${rows.length} organisations of @ip-location-db/asn`);
  for (const kind of ['hosting', 'sole-proprietor']) {
    const of = rows.filter((r) => r[3] === kind).sort((a, b) => Number(b[1]) - Number(a[1]));
    console.log(`\n${kind}: ${of.length} organisations; the largest ${Math.min(top, of.length)} (IPv4 addresses, AS, name, word):`);
    for (const r of of.slice(0, top)) console.log(`  ${r[1].padStart(9)}  AS${r[0]} ${r[2]}  [${r[5]}]`);
  }
  const vetoed = rows.filter((r) => r[6]).length;
  console.log(`\nvetoed by a word of an access network or telecom: ${vetoed}`);
  process.exit(0);
}

if (!fs.existsSync(samplesDir)) {
  console.error(`measure-attribution: no samples at ${samplesDir} (give --samples DIR)`);
  process.exit(2);
}
const tool = path.join(buildDir, 'bench', 'attribution');
if (!fs.existsSync(tool)) {
  console.error(`measure-attribution: ${tool} is missing: cmake --build ${path.relative(process.cwd(), buildDir) || '.'} --target vpshunt_attribution`);
  process.exit(2);
}

let input = '';
for (const s of samples) {
  try {
    for (const ip of s.read(samplesDir)) if (ip && ip !== '-') input += `${s.name}\t${s.role}\t${ip}\n`;
  } catch (e) {
    console.error(`measure-attribution: skipping ${s.name}: ${e.message}`);
  }
}
const toolArgs = [path.join(buildDir, 'asn.bin')];
if (beforeList) toolArgs.push(path.resolve(beforeList));
const run = spawnSync(tool, toolArgs, { input, maxBuffer: 1 << 30, encoding: 'utf8' });
if (run.status !== 0) {
  console.error(run.stderr);
  process.exit(2);
}
process.stderr.write(run.stderr);
const results = run.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
if (jsonOut) fs.writeFileSync(jsonOut, run.stdout);

const pct = (n, d) => (d ? `${((100 * n) / d).toFixed(0)}%` : '-');
const levels = ['listed', 'inferred-name', 'inferred-activity'];
console.log(`Hosting attribution, samples in ${samplesDir}`);
console.log(`before: ${beforeList ? beforeList : 'the curated list alone'}; after: curated + imported lists - exclusions + inference\n`);
console.log('| sample | public addresses | before | after | listed | inferred-name | inferred-activity | vpn | proxy |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const s of samples) {
  const rows = results.filter((r) => r.sample === s.name);
  if (!rows.length) continue;
  const before = rows.filter((r) => r.before.hosting).length;
  const after = rows.filter((r) => r.after.hosting).length;
  const by = levels.map((l) => rows.filter((r) => r.after.confidence === l).length);
  const vpn = rows.filter((r) => r.after.category === 'vpn').length;
  const proxy = rows.filter((r) => r.after.category === 'proxy').length;
  console.log(`| ${s.role === 'control' ? 'control: ' : ''}${s.name} | ${rows.length} | ${before} (${pct(before, rows.length)}) | ` +
    `${after} (${pct(after, rows.length)}) | ${by.join(' | ')} | ${vpn} | ${proxy} |`);
}

const controls = results.filter((r) => r.role === 'control');
const falsePositives = controls.filter((r) => r.after.hosting);
const falseBefore = controls.filter((r) => r.before.hosting);
console.log(`\nNegative controls: ${controls.length} addresses; marked hosting before ${falseBefore.length}, after ${falsePositives.length}`);
for (const r of falsePositives) console.log(`  ${r.ip}  AS${r.asn} ${r.org}: ${r.after.reason}`);
const orgs = new Map();
for (const r of controls) orgs.set(`AS${r.asn} ${r.org}`, (orgs.get(`AS${r.asn} ${r.org}`) || 0) + 1);
console.log(`  control networks: ${[...orgs].map(([k, v]) => `${k} (${v})`).join('; ')}`);

// Every AS newly marked by inference in the attack samples, for a human to judge.
const inferred = new Map();
for (const r of results.filter((x) => x.role === 'attack' && x.after.confidence.startsWith('inferred'))) {
  const key = r.after.reason;
  const e = inferred.get(r.asn) || { reason: key, addresses: 0, samples: new Set() };
  e.addresses++;
  e.samples.add(r.sample.split(' (')[0]);
  inferred.set(r.asn, e);
}
const list = [...inferred.values()].sort((a, b) => b.addresses - a.addresses);
console.log(`\nInferred in the attack samples: ${list.length} ASes (most addresses first; judge them)`);
for (const e of list.slice(0, 60)) console.log(`  ${String(e.addresses).padStart(5)}  ${e.reason}  [${[...e.samples].join(', ')}]`);
if (list.length > 60) console.log(`  ... and ${list.length - 60} more (--json FILE has them all)`);
