// The KQL export, checked by Microsoft's own KQL analyser (Kusto.Language) against the tables'
// documented schemas: every target x detection x mode, with the seed defaults, a tuned rule and
// random valid rules; 0 errors, result columns among the core's output columns, tuned values in
// the query. The watchlist file's shape and its join; the row pivots (hostile values too); the
// Node runner's export equals the native CLI's.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';

import { loadKusto } from './kql-analyzer.mjs';
import {
  BUILD, EXAMPLE_EVENTS, EXAMPLE_INTEL, ROOT, RUNNER, loadEngineJs, loadModule, parseJsonl, requireFile, runNative, runNode,
} from './support.mjs';

const TARGETS = ['sentinel', 'defender', 'adx'];
const SCENARIO = path.join(ROOT, 'examples/scenario');
const MODES = ['seed', 'beyond'];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vpshunt-kql-'));

function exportKql(args) {
  const r = runNative(['--export-kql', ...args]);
  assert.equal(r.status, 0, `vpshunt --export-kql ${args.join(' ')}: ${r.stderr}`);
  return String(r.stdout);
}

function writeRule(name, rule) {
  const file = path.join(tmp, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(rule));
  return file;
}

// A small seeded PRNG (mulberry32), so that a failing random rule can be reproduced.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Process names an attacker might choose: quotes, backslashes, line breaks, KQL syntax, unicode.
const NAME_PARTS = ['a.exe', 'Beacon.EXE', 'x"y', 'back\\slash', 'new\nline', '\\"', '") | take 1 //', 'caf\u00e9',
  '\u2028sep', 'tab\tcr\r', '', 'sp ace', "it's", '@"v"', '\u0001ctl', '\ud83d\ude00'];

function randomRule(rand) {
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = (xs) => xs[int(0, xs.length - 1)];
  const names = () => Array.from({ length: int(0, 6) }, () => pick(NAME_PARTS) + (rand() < 0.5 ? pick(NAME_PARTS) : ''));
  const rows = Array.from({ length: int(0, 5) }, () => {
    const row = { score: int(0, 100) };
    if (rand() < 0.5) row.tiMatch = rand() < 0.5;
    if (rand() < 0.6) row.minConnections = int(0, 100);
    if (rand() < 0.4) row.maxUniquePorts = int(0, 10);
    return row;
  });
  const extra = ['NetworkSourceIP', 'NetworkDestinationIP', 'NetworkCidrBlock'].filter(() => rand() < 0.4);
  return {
    mode: pick(MODES),
    browserProcesses: names(),
    systemProcesses: names(),
    actionTypes: rand() < 0.1 ? [] : ['ConnectionSuccess', pick(['NetworkSignatureInspected', 'Odd"Type', 'x\\y'])],
    remoteIpType: pick(['Public', 'Private', 'we"ird']),
    beaconMinConnections: int(1, 500),
    observationWindowMinutes: pick([1, 7, 15, 60, 90, 1440]),
    lookbackMinutes: pick([60, 1440, 2880, 10080, 100]),
    tiLookbackMinutes: pick([1440, 10080, 43200, 61]),
    tiExtraMatchFields: extra,
    tiHonourExpiration: rand() < 0.5,
    kqlTiTable: pick(['ThreatIntelligenceIndicator', 'ThreatIntelIndicators']),
    beyondMinConnections: int(3, 100),
    beyondMinPeriodicity: Math.round(rand() * 1000) / 1000,
    hostingOverridesExclusions: rand() < 0.5,
    beyondExtraActionTypes: rand() < 0.2 ? [] : ['ConnectionFailed', pick(['ConnectionAttempt', 'A"b'])],
    riskScore: rows,
    defaultRiskScore: int(0, 100),
    inbound: { lookbackMinutes: pick([60, 1440, 2880, 61]), minConnections: int(1, 50),
      adminPorts: Array.from({ length: int(0, 4) }, () => int(0, 65535)), bruteForceMinConnections: int(1, 100),
      knownSources: Array.from({ length: int(0, 3) }, () => ({ cidr: pick(['10.1.2.0/24', '203.0.113.7', '2001:db8::/48', '0.0.0.0/0']),
        name: pick(NAME_PARTS) })) },
    signin: { lookbackMinutes: pick([60, 1440, 10080, 91]), minAttempts: int(1, 20), sprayMinUsers: int(2, 50),
      sprayMinFailurePercent: int(0, 100), bruteForceMinFailures: int(1, 50), compromiseMinFailures: int(1, 20),
      egressMinUsers: int(2, 50), egressMaxFailurePercent: int(0, 100),
      codeWords: Object.fromEntries(Array.from({ length: int(0, 3) }, () => [pick(['50126', '0xC000006A', 'INVALID_CREDENTIALS', 'x"y']),
        pick(NAME_PARTS) || 'w'])) },
    infrastructure: { traceMinScore: int(0, 100), ipv4Prefix: int(8, 32), ipv6Prefix: int(16, 128), distributedMinAddresses: int(2, 10) },
  };
}

const TUNED = {
  browserProcesses: ['tuned-browser.exe', 'quote"and\\slash.exe'],
  systemProcesses: ['tuned-system.exe'],
  actionTypes: ['ConnectionSuccess', 'TunedAction'],
  remoteIpType: 'TunedType',
  beaconMinConnections: 17,
  observationWindowMinutes: 45,
  lookbackMinutes: 2880,
  tiLookbackMinutes: 4320,
  tiExtraMatchFields: ['NetworkSourceIP', 'NetworkDestinationIP'],
  tiHonourExpiration: true,
  riskScore: [{ tiMatch: true, minConnections: 33, score: 91 }, { maxUniquePorts: 3, minConnections: 14, score: 41 }],
  defaultRiskScore: 11,
  beyondMinConnections: 9,
  beyondMinPeriodicity: 0.55,
  beyondExtraActionTypes: ['TunedFailure'],
  hostingOverridesExclusions: false,
  inbound: { lookbackMinutes: 4320, minConnections: 3, adminPorts: [2201, 3390], bruteForceMinConnections: 27,
    knownSources: [{ cidr: '198.51.100.0/24', name: 'tuned "probe" source' }, { cidr: '2001:db8::/32', name: 'v6 probe' }] },
  signin: { lookbackMinutes: 10080, minAttempts: 2, sprayMinUsers: 13, sprayMinFailurePercent: 71, bruteForceMinFailures: 17,
    compromiseMinFailures: 5, egressMinUsers: 23, egressMaxFailurePercent: 29, codeWords: { 50126: 'tuned "wrong" password' } },
  infrastructure: { traceMinScore: 41, ipv4Prefix: 22, ipv6Prefix: 44, distributedMinAddresses: 6 },
};

// The other detections' parameters, as their queries write them.
const q = JSON.stringify;
const INBOUND_FRAGMENTS = ['let InboundLookback = 3d;', 'let InboundMinConnections = 3;', 'let AdminPorts = dynamic([2201, 3390]);',
  'let BruteForceMinConnections = 27;', `ipv4_is_in_range(RemoteIP, "198.51.100.0/24"), ${q('tuned "probe" source')}`,
  'ipv6_is_in_range(RemoteIP, "2001:db8::/32"), "v6 probe"'];
const SIGNIN_FRAGMENTS = ['let SignInLookback = 7d;', 'let SignInMinAttempts = 2;', 'let SprayMinUsers = 13;',
  'let SprayMinFailurePercent = 71;', 'let BruteForceMinFailures = 17;', 'let CompromiseMinFailures = 5;',
  'let EgressMinUsers = 23;', 'let EgressMaxFailurePercent = 29;', 'CodeKey == "50126"', q('tuned "wrong" password')];
const INFRASTRUCTURE_FRAGMENTS = ['let TraceMinScore = 41;', 'let IPv4Prefix = 22;', 'let IPv6Prefix = 44;',
  'let DistributedMinAddresses = 6;'];
function fragmentsOf(detection, mode, target) {
  switch (detection) {
    case 'beacon': return tunedFragments(TUNED, mode, target);
    case 'inbound': return INBOUND_FRAGMENTS;
    case 'signin': return SIGNIN_FRAGMENTS;
    case 'infrastructure':
      return [...INFRASTRUCTURE_FRAGMENTS, ...INBOUND_FRAGMENTS, ...SIGNIN_FRAGMENTS, ...tunedFragments(TUNED, mode, target)];
    default: throw new Error(`no tuned values listed for the ${detection} query: add them here`);
  }
}

// What of a rule must be in its query, as text: every string (quoted as KQL quotes it, which for
// these values is JSON's quoting) and every number.
function tunedFragments(rule, mode, target) {
  const f = [
    ...rule.browserProcesses, ...rule.systemProcesses, ...rule.actionTypes, rule.remoteIpType,
  ].map((s) => JSON.stringify(s));
  f.push(`let BeaconMinConnections = ${rule.beaconMinConnections};`, `let ObservationWindowMinutes = ${rule.observationWindowMinutes};`,
    'ago(2d)', '    11\n)', '>= 33', '>= 14', '<= 3, 41,', ', 91,');
  if (target !== 'defender') f.push('ago(3d)', 'NetworkSourceIP', 'NetworkDestinationIP', 'ExpirationDateTime');
  if (mode === 'beyond')
    f.push(...rule.beyondExtraActionTypes.map((s) => JSON.stringify(s)), 'let BeyondMinConnections = 9;',
      'let BeyondMinPeriodicity = 0.55;', 'let HostingOverridesExclusions = false;', 'let DefaultRiskScore = 11;');
  return f;
}

let kusto;
let watchlistCsv;  // the file `vpshunt --export-watchlist` writes
let detections;
let coreColumns;  // detection -> Map(column -> JSON type seen in the core's rows)

before(() => {
  requireFile(path.join(BUILD, 'vpshunt'), 'the native CLI');
  requireFile(path.join(BUILD, 'asn.bin'), 'asn.bin (built with the native CLI)');
  const file = path.join(tmp, 'VpsHosting.csv');
  const w = runNative(['--export-watchlist', file]);
  assert.equal(w.status, 0, String(w.stderr));
  watchlistCsv = fs.readFileSync(file, 'utf8');
  // Sentinel's _GetWatchlist('VpsHosting') has the file's columns: the analyser takes them from it.
  kusto = loadKusto({ watchlistColumns: watchlistCsv.slice(0, watchlistCsv.indexOf('\r\n')).split(',') });
  // The detections that have a KQL form: every detection the CLI runs (its --help lists them under
  // --detect), each of which --export-kql accepts.
  const help = String(runNative(['--help']).stdout);
  const m = /--detect LIST[^:]*:([^(]*)\(/.exec(help);
  assert.ok(m, `vpshunt --help lists the detections under --detect: ${help}`);
  detections = m[1].split(',').map((d) => d.trim()).filter(Boolean);
  assert.deepEqual(detections, ['beacon', 'inbound', 'signin', 'infrastructure']);
  // The core's own output columns: the jsonl keys of its rows on the bundled example and the
  // training scenario (which has rows of every detection), both modes.
  coreColumns = new Map();
  const runs = [];
  for (const mode of MODES) {
    runs.push(['--events', EXAMPLE_EVENTS, '--intel', EXAMPLE_INTEL, '--format', 'jsonl', '--quiet', '--mode', mode]);
    runs.push([...['DeviceNetworkEvents.csv', 'SigninLogs.csv', 'conn.log'].map((f) => path.join(SCENARIO, f)),
      '--intel', path.join(SCENARIO, 'ThreatIntelligenceIndicator.csv'), '--format', 'jsonl', '--quiet', '--mode', mode]);
  }
  const allRows = runs.flatMap((args) => {
    for (const f of args.filter((a) => a.startsWith(ROOT))) requireFile(f, 'an example file');
    const out = runNative(args);
    assert.equal(out.status, 0, String(out.stderr));
    return parseJsonl(out.stdout);
  });
  for (const detection of detections) {
    const cols = new Map();
    {
      const rows = allRows.filter((row) => (row.Detection || 'beacon') === detection);
      assert.ok(rows.length > 0, `the example and the scenario give no ${detection} rows: the test takes the core's ` +
        'output columns from them');
      for (const row of rows)
        for (const [k, v] of Object.entries(row))
          if (v !== null) cols.set(k, Array.isArray(v) ? 'array' : typeof v);
          else if (!cols.has(k)) cols.set(k, null);  // a type only once a row has a value
    }
    coreColumns.set(detection, cols);
  }
});

// KQL result types as the JSON types of the core's rows.
const JSON_TYPE = { string: 'string', datetime: 'string', long: 'number', int: 'number', real: 'number', bool: 'boolean', dynamic: 'array' };

function assertValid(text, target, detection, what) {
  const { errors, columns } = kusto.analyse(text, target);
  assert.deepEqual(errors, [], `${what}: Kusto.Language reports errors`);
  assert.ok(columns.length > 0, `${what}: the query has a tabular result`);
  if (!detection) return columns;
  const core = coreColumns.get(detection);
  for (const c of columns) {
    assert.ok(core.has(c.name), `${what}: result column ${c.name} is not one of the core's ${detection} columns`);
    if (core.get(c.name) !== null)
      assert.equal(JSON_TYPE[c.type], core.get(c.name), `${what}: ${c.name} is ${c.type} in KQL, ${core.get(c.name)} in the core`);
  }
  return columns;
}

describe('KQL export: every target x detection x mode analyses with 0 errors', () => {
  test('the seed defaults', () => {
    for (const detection of detections)
      for (const target of TARGETS)
        for (const mode of MODES) {
          const q = exportKql(['--target', target, '--detect', detection, '--mode', mode]);
          assertValid(q, target, detection, `${detection} ${target} ${mode}`);
        }
  });

  test('the seed query is the golden file (sentinel, seed defaults)', () => {
    const golden = fs.readFileSync(new URL('../fixtures/kql/seed-sentinel.kql', import.meta.url), 'utf8');
    assert.equal(exportKql([]), golden);
    assert.equal(exportKql(['--target', 'sentinel', '--mode', 'seed', '--detect', 'beacon']), golden);
  });

  test('a tuned rule: valid, and its values are in the query', () => {
    for (const mode of MODES) {
      const config = writeRule(`tuned-${mode}`, { ...TUNED, mode });
      for (const detection of detections)
        for (const target of TARGETS) {
          const q = exportKql(['--config', config, '--target', target, '--detect', detection]);
          assertValid(q, target, detection, `tuned ${detection} ${target} ${mode}`);
          for (const fragment of fragmentsOf(detection, mode, target))
            assert.ok(q.includes(fragment), `tuned ${detection} ${target} ${mode}: ${JSON.stringify(fragment)} is in the query`);
        }
    }
  });

  test('the successor TI table (kqlTiTable) and a watchlist URL', () => {
    const config = writeRule('tii', { kqlTiTable: 'ThreatIntelIndicators' });
    for (const mode of MODES) {
      const q = exportKql(['--config', config, '--mode', mode]);
      assertValid(q, 'sentinel', 'beacon', `ThreatIntelIndicators ${mode}`);
      assert.match(q, /\n {4}ThreatIntelIndicators\n/);
    }
    const url = 'https://acct.blob.core.windows.net/c/VpsHosting.csv?sv=2024&sig="x\\';
    for (const target of ['adx', 'defender']) {
      const q = exportKql(['--mode', 'beyond', '--target', target, '--watchlist-url', url]);
      assertValid(q, target, 'beacon', `${target} with a URL`);
      assert.ok(q.includes(`[h${JSON.stringify(url)}]`));
    }
  });

  test('a rule with suppressions and known-software marks (tuning): valid, every value in the query', () => {
    const MARKER = 'INJECTED_MARKER';
    const suppressions = [
      { kind: 'flow', device: `ws-1") | union ${MARKER} //`, account: '', process: 'beacon.exe',
        commandLine: `"C:\\Users\\x\\beacon.exe" -c \\"${MARKER}`, remoteIp: '::ffff:203.0.113.10', who: 'alice', why: 'pen test' },
      { kind: 'process', process: 'Backup.EXE', who: 'bob', why: 'the backup agent' },
      { kind: 'destination', remoteIp: '198.51.100.0/24', who: 'carol', why: 'a partner' },
      { kind: 'destination', remoteIp: '2001:db8::/32', who: 'carol', why: 'a partner, IPv6' },
      { kind: 'destination', remoteIp: '192.0.2.55', who: 'carol', why: 'one address' },
      { kind: 'knownSoftware', product: `Acme "Agent" ${MARKER}`, process: 'acme.exe', folder: 'C:\\Program Files\\Acme\\acme.exe',
        remoteIp: '203.0.113.0/24', who: `dave\n${MARKER}`, why: 'vendor confirmed', added: '2026-11-24T15:00:00Z' },
    ];
    // The values as the query writes them: addresses canonical, folders folded, each a KQL literal
    // (which for these values is JSON's quoting).
    const q = JSON.stringify;
    const [flow, , , , , mark] = suppressions;
    const expected = {
      seed: [q(flow.device), q(flow.commandLine), q(flow.process), 'RemoteIP == "203.0.113.10"', '=~ "Backup.EXE"',
        'ipv4_is_in_range(RemoteIP, "198.51.100.0/24")', 'ipv6_is_in_range(RemoteIP, "2001:db8::/32")', 'RemoteIP == "192.0.2.55"'],
    };
    expected.beyond = [...expected.seed, q(mark.product), q(mark.folder.toLowerCase()), q(mark.process),
      'ipv4_is_in_range(RemoteIP, "203.0.113.0/24")', q(`marked as known software by ${mark.who}: ${mark.why}`),
      '| where isempty(KnownSoftware)'];
    for (const mode of MODES) {
      const config = writeRule(`suppressions-${mode}`, { mode, suppressions, hideKnownSoftware: true });
      for (const target of TARGETS) {
        const text = exportKql(['--config', config, '--target', target]);
        const columns = assertValid(text, target, 'beacon', `suppressions ${target} ${mode}`);
        assert.equal(columns.some((c) => c.name === 'KnownSoftware'), mode === 'beyond', `${target} ${mode}: KnownSoftware column`);
        for (const fragment of expected[mode]) assert.ok(text.includes(fragment), `${target} ${mode}: ${fragment} is in the query`);
        const clauses = text.match(/\)  \/\/ suppression \d: (flow|process|destination)$/gm) || [];
        assert.deepEqual(clauses.map((c) => c.split(': ')[1]), ['flow', 'process', 'destination', 'destination', 'destination'],
          `${target} ${mode}: one where not(...) per suppression, in the rule's order`);
        let inside = 0;
        for (const t of kusto.tokens(text)) {
          assert.ok(!t.trivia.includes(MARKER), `${target} ${mode}: a value is in a comment`);
          if (t.string) inside += t.text.includes(MARKER) ? 1 : 0;
          else assert.ok(!t.text.includes(MARKER), `${target} ${mode}: a value is outside a literal: ${t.text}`);
        }
        assert.ok(inside >= (mode === 'beyond' ? 4 : 2), `${target} ${mode}: the hostile values are literals (${inside})`);
      }
    }
  });

  test('20 random valid rules (seeded), every target and detection', () => {
    const rand = prng(20261124);
    for (let i = 0; i < 20; ++i) {
      const rule = randomRule(rand);
      const config = writeRule(`random-${i}`, rule);
      for (const detection of detections)
        for (const target of TARGETS) {
          const q = exportKql(['--config', config, '--target', target, '--detect', detection]);
          assertValid(q, target, detection, `random rule ${i} (${JSON.stringify(rule)}) ${detection} ${target}`);
        }
    }
  });

  test('hostile names in a rule stay inside string literals (Kusto.Language\'s own lexer)', () => {
    const MARKER = 'INJECTED_MARKER';
    const payloads = [`x") | union ${MARKER} //`, `\\" ${MARKER} "`, `a\n${MARKER}`, `\u2028${MARKER}`, `' ${MARKER} '`];
    const rule = { browserProcesses: payloads, systemProcesses: payloads, actionTypes: payloads, remoteIpType: payloads[0],
      beyondExtraActionTypes: payloads };
    for (const mode of MODES) {
      const config = writeRule(`hostile-${mode}`, { ...rule, mode });
      for (const target of TARGETS) {
        const q = exportKql(['--config', config, '--target', target]);
        assertValid(q, target, 'beacon', `hostile rule ${target} ${mode}`);
        let inside = 0;
        for (const t of kusto.tokens(q)) {
          assert.ok(!t.trivia.includes(MARKER), `${target} ${mode}: the payload is in a comment`);
          if (t.string) inside += t.text.includes(MARKER) ? 1 : 0;
          else assert.ok(!t.text.includes(MARKER), `${target} ${mode}: the payload is outside a literal: ${t.text}`);
        }
        assert.ok(inside >= payloads.length, `${target} ${mode}: the payloads are in the query, as literals`);
      }
    }
  });

  test('hostile known-source names and code words stay inside string literals (inbound, signin, infrastructure)', () => {
    const MARKER = 'INJECTED_MARKER';
    const payloads = [`x") | union ${MARKER} //`, `\\" ${MARKER} "`, `a\n${MARKER}`, `\u2028${MARKER}`];
    const config = writeRule('hostile-others', {
      inbound: { knownSources: payloads.map((name, i) => ({ cidr: `198.51.100.${i}`, name })) },
      signin: { codeWords: Object.fromEntries(payloads.map((w, i) => [i ? `${w}${i}` : '50126', w])) },
    });
    for (const detection of ['inbound', 'signin', 'infrastructure'])
      for (const target of TARGETS) {
        const text = exportKql(['--config', config, '--target', target, '--detect', detection]);
        assertValid(text, target, detection, `hostile ${detection} ${target}`);
        let inside = 0;
        for (const t of kusto.tokens(text)) {
          assert.ok(!t.trivia.includes(MARKER), `${detection} ${target}: a value is in a comment`);
          if (t.string) inside += t.text.includes(MARKER) ? 1 : 0;
          else assert.ok(!t.text.includes(MARKER), `${detection} ${target}: a value is outside a literal: ${t.text}`);
        }
        assert.ok(inside >= payloads.length, `${detection} ${target}: the values are in the query, as literals (${inside})`);
      }
  });

  test('the analyser sees a wrong column in the new queries (the check can fail)', () => {
    const cases = { inbound: ['LocalPort', 'LocalPortX'], signin: ['AppDisplayName', 'AppDisplayNameX'],
      infrastructure: ['ConnectionCount)', 'ConnectionCountX)'] };
    for (const [detection, [from, to]] of Object.entries(cases)) {
      const text = exportKql(['--detect', detection]);
      assert.ok(text.includes(from), `${detection}: ${from}`);
      const { errors } = kusto.analyse(text.replace(from, to), 'sentinel');
      assert.ok(errors.some((e) => e.startsWith('KS142') && e.includes(to.replace(')', ''))), `${detection}: ${errors.join('\n')}`);
    }
  });

  test('an unknown detection or target is a usage error naming it', () => {
    const r = runNative(['--export-kql', '--detect', 'x"y']);
    assert.equal(r.status, 1);
    assert.match(String(r.stderr), /no KQL export for the detection "x\\"y"/);
    assert.equal(runNative(['--export-kql', '--target', 'splunk']).status, 1);
  });
});

describe('the schemas', () => {
  test('every table names its source and uses Kusto scalar types; the tables the queries read are there', () => {
    const types = new Set(['string', 'int', 'long', 'real', 'bool', 'datetime', 'timespan', 'dynamic', 'guid', 'decimal']);
    for (const [name, schema] of Object.entries(kusto.schemas)) {
      for (const [table, cols] of Object.entries(schema.tables)) {
        assert.ok(schema._about.tables[table], `${name}: ${table} says where it comes from`);
        for (const [col, type] of Object.entries(cols)) assert.ok(types.has(type), `${name}: ${table}.${col} is ${type}`);
      }
      for (const table of ['DeviceNetworkEvents', 'DeviceProcessEvents', 'DeviceFileEvents', 'DeviceLogonEvents', 'IdentityLogonEvents'])
        assert.ok(schema.tables[table], `${name}: ${table}`);
    }
    // The inbound and signin queries' tables, per target.
    for (const table of ['SigninLogs', 'AADNonInteractiveUserSignInLogs', 'SecurityEvent', 'CommonSecurityLog'])
      assert.ok(kusto.schemas.sentinel.tables[table], `sentinel: ${table}`);
    for (const table of ['AADSignInEventsBeta', 'EntraIdSignInEvents'])
      assert.ok(kusto.schemas.defender.tables[table], `defender: ${table}`);
    // The real DeviceNetworkEvents has none of the seed's three missing columns (the analyser's KS142 errors).
    for (const target of TARGETS)
      for (const col of ['AccountName', 'SentBytes', 'ReceivedBytes']) assert.ok(!(col in kusto.schemas[target].tables.DeviceNetworkEvents));
    const seed = fs.readFileSync(new URL('../fixtures/kql/seed-published.kql', import.meta.url), 'utf8');
    const { errors } = kusto.analyse(seed, 'sentinel');
    assert.deepEqual(errors.map((e) => e.split(' ')[0]), ['KS142', 'KS142', 'KS142']);
    assert.ok(errors.every((e) => /'(SentBytes|ReceivedBytes|AccountName)'/.test(e)), errors.join('\n'));
  });
});

describe('the hosting watchlist', () => {
  let csv;
  before(() => { csv = watchlistCsv; });

  test("its header and rows have Sentinel's watchlist CSV shape", () => {
    const lines = csv.split('\r\n');
    assert.equal(lines.pop(), '', 'CRLF after every line');
    assert.equal(lines[0], 'Cidr,Asn,Provider,Category,Confidence,Org,Reason');
    assert.ok(lines.length > 1000, `${lines.length - 1} rows`);
    assert.ok(Buffer.byteLength(csv) < 500e6, 'within the large-watchlist limit (500 MB through Azure Storage)');
    const cell = '(?:"(?:[^"]|"")*"|[^",\\r\\n]*)';
    const row = new RegExp(`^([0-9a-f.:]+)/(\\d+),(\\d+),${cell},(cloud|vps|hosting|bulletproof|vpn|proxy),(listed|inferred-name),${cell},(${cell})$`);
    const categories = new Set();
    for (const line of lines.slice(1)) {
      const m = row.exec(line);
      assert.ok(m, `row shape: ${line}`);
      const prefix = Number(m[2]);
      assert.ok(m[1].includes(':') ? prefix <= 128 : prefix <= 32, line);
      categories.add(m[4]);
    }
    for (const c of ['bulletproof', 'cloud', 'vps']) assert.ok(categories.has(c), c);
    assert.match(csv, /\r\n45\.\d+\.\d+\.\d+\/\d+,20473,Vultr \(Choopa\),vps,listed,"The Constant Company, LLC",AS20473 Vultr \(Choopa\) \(vps\)\r\n/);
  });

  test('the queries join it by its own column names', () => {
    const header = csv.slice(0, csv.indexOf('\r\n')).split(',');
    // adx/defender: externaldata declares the file's columns in order.
    for (const target of ['adx', 'defender']) {
      const q = exportKql(['--mode', 'beyond', '--target', target]);
      const m = /externaldata \(([^)]*)\)/.exec(q);
      assert.ok(m, target);
      assert.deepEqual(m[1].split(/,\s*/).map((c) => c.split(':')[0]), header);
      assert.match(q, /evaluate ipv4_lookup\(HostingV4, RemoteIP, HostingCidr, return_unmatched = true\)/);
    }
    // sentinel: _GetWatchlist's columns are the CSV's (the analyser declares them from this header).
    const q = exportKql(['--mode', 'beyond']);
    assert.match(q, /_GetWatchlist\('VpsHosting'\)/);
    for (const c of header) assert.ok(q.includes(`tostring(${c})`) || q.includes(`tolong(${c})`), c);
  });

  test('the Node runner writes the same file', () => {
    requireFile(RUNNER, 'the Node runner');
    const file = path.join(tmp, 'VpsHosting-node.csv');
    const r = runNode(['--export-watchlist', file, '--asn-db', path.join(BUILD, 'asn.bin')]);
    assert.equal(r.status, 0, String(r.stderr));
    assert.equal(fs.readFileSync(file, 'utf8'), csv);
  });
});

describe('the Node runner and the wasm bindings export the same queries', () => {
  test('runner = CLI for every detection, target and mode, tuned rule included', () => {
    requireFile(RUNNER, 'the Node runner');
    const config = writeRule('tuned-runner', { ...TUNED, mode: 'beyond' });
    for (const detection of detections)
      for (const target of TARGETS)
        for (const args of [['--mode', 'seed'], ['--mode', 'beyond'], ['--config', config]]) {
          const all = ['--export-kql', '--detect', detection, '--target', target, ...args];
          const node = runNode(all);
          assert.equal(node.status, 0, String(node.stderr));
          assert.equal(String(node.stdout), String(runNative(all).stdout), all.join(' '));
        }
    assert.equal(runNode(['--export-kql', '--detect', 'nope']).status, 1);
  });
});

describe('row pivots', () => {
  let Module;
  let Engine;
  before(async () => {
    Module = await loadModule();
    ({ Engine } = await loadEngineJs());
  });

  test('every pivot of every example row analyses with 0 errors, for every target', () => {
    for (const mode of MODES) {
      const out = runNative(['--events', EXAMPLE_EVENTS, '--intel', EXAMPLE_INTEL, '--format', 'jsonl', '--quiet', '--mode', mode]);
      const rows = parseJsonl(out.stdout).slice(0, 3);
      for (const row of rows)
        for (const target of TARGETS) {
          const pivots = Engine.pivotQueries(Module, 'beacon', row, target);
          assert.deepEqual(pivots.map((p) => p.id), ['process-tree', 'binary', 'address-fleet', 'network', 'account-signins']);
          for (const p of pivots) assertValid(p.query, target, null, `pivot ${p.id} ${target}`);
        }
    }
  });

  test('hostile row values stay literals (and the queries still analyse)', () => {
    // MARKER stands for the attacker's payload: it may appear only inside string literals.
    const MARKER = 'INJECTED_MARKER';
    const hostile = [`x" | union ${MARKER} //`, `a\\" ${MARKER}`, `\n| ${MARKER}`, `\u2028${MARKER}\u2029`, 'a\\', '\\"', 'line\nbreak', 'cr\r\n', '\u2028', '\u0000nul',
      'caf\u00e9 \ud83d\ude00', '`', "'", '@"', '*'.repeat(40000)];
    for (const value of hostile) {
      const row = {
        DeviceName: value, AccountName: value, InitiatingProcessFileName: value, InitiatingProcessCommandLine: value,
        RemoteIP: '2001:db8::1', FirstConnection: '2026-11-24T10:00:00.123Z', LastConnection: value, Timestamp: '2026-11-24T10:00:00Z',
      };
      for (const target of TARGETS) {
        const pivots = Engine.pivotQueries(Module, 'beacon', row, target);
        assert.equal(pivots.length, 5);
        for (const p of pivots) {
          const { errors } = kusto.analyse(p.query, target);
          assert.deepEqual(errors, [], `pivot ${p.id} ${target} with ${JSON.stringify(value.slice(0, 40))}`);
          for (const t of kusto.tokens(p.query)) {
            assert.ok(!t.trivia.includes(MARKER), `pivot ${p.id}: the payload is in a comment or whitespace`);
            if (!t.string) assert.ok(!t.text.includes(MARKER), `pivot ${p.id}: the payload is outside a string literal: ${t.text}`);
          }
        }
        assert.match(pivots[3].query, /let Network = "2001:db8::\/48";/);
      }
    }
  });

  // The pivots each row of the other detections gets: every one needs an address (inbound,
  // signin) or a network (infrastructure); the AS pivot only a hosting row with an ASN.
  const expectedIds = (detection, row) => {
    // Inbound and signin rows say IsHosting; infrastructure rows only name the category.
    const hosting = 'IsHosting' in row ? row.IsHosting === true : Boolean(row.HostingCategory);
    const asn = hosting && Number.isInteger(row.RemoteASN) && row.RemoteASN > 0 ? ['asn'] : [];
    switch (detection) {
      case 'inbound': return ['address-everywhere', 'logons-from-source', 'processes-after-contact', 'network', ...asn];
      case 'signin': return ['user-signins', 'address-everywhere', 'network', ...asn];
      case 'infrastructure': return ['network-everywhere', 'network-beacons', 'network-signins', ...asn];
      default: throw new Error(detection);
    }
  };
  // A KQL string literal as the core writes one (kql_common.hpp, quote()).
  const kqlQuote = (s) => '"' + Array.from(s, (ch) => {
    const cp = ch.codePointAt(0);
    if (ch === '\\' || ch === '"') return '\\' + ch;
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\\t';
    if (cp < 0x20 || cp === 0x7f || cp === 0x85 || cp === 0x2028 || cp === 0x2029) return '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
    return ch;
  }).join('') + '"';

  test('every pivot of every inbound, signin and infrastructure row of the scenario analyses with 0 errors, every target', () => {
    const out = runNative([...['DeviceNetworkEvents.csv', 'SigninLogs.csv', 'conn.log'].map((f) => path.join(SCENARIO, f)),
      '--intel', path.join(SCENARIO, 'ThreatIntelligenceIndicator.csv'), '--format', 'jsonl', '--quiet']);
    assert.equal(out.status, 0, String(out.stderr));
    const rows = parseJsonl(out.stdout);
    const counts = {};
    for (const detection of ['inbound', 'signin', 'infrastructure']) {
      const mine = rows.filter((r) => r.Detection === detection);
      assert.ok(mine.length >= 10, `the scenario has ${detection} rows (${mine.length})`);
      // The analyser takes ~0.1 s a query: the first rows (the adversary's, hosting) and the first
      // that is not hosting (no AS pivot) stand for the others, whose queries differ only in values.
      const sample = [...mine.slice(0, 3), mine.find((r) => expectedIds(detection, r).at(-1) !== 'asn')];
      assert.ok(sample[3], `the scenario has a ${detection} row outside hosting`);
      counts[detection] = 0;
      for (const row of sample)
        for (const target of TARGETS) {
          const pivots = Engine.pivotQueries(Module, detection, row, target);
          assert.deepEqual(pivots.map((p) => p.id), expectedIds(detection, row), `${detection} ${row.RemoteIP || row.Network} ${target}`);
          for (const p of pivots) {
            assertValid(p.query, target, null, `${detection} pivot ${p.id} ${target} (${row.RemoteIP || row.Network})`);
            assert.ok(p.title.length > 0 && !p.title.includes('\n'));
            counts[detection] += 1;
          }
        }
    }
    // The scenario's spray source, its network and its AS are in the queries, rewritten from the row.
    const spray = rows.find((r) => r.Detection === 'signin' && r.RemoteIP === '5.75.240.11');
    assert.ok(spray, 'the scenario holds the spray address 5.75.240.11');
    const [users, everywhere, network, asn] = Engine.pivotQueries(Module, 'signin', spray, 'sentinel').map((p) => p.query);
    assert.match(users, /let Users = dynamic\(\[\n {2}"m\.jones@contoso\.example"\n\]\);/);
    assert.match(users, /between \(WindowStart \.\. WindowEnd\)/);
    assert.match(users, /let WindowStart = datetime\(2026-11-23T06:02:00\.531/);
    assert.match(everywhere, /let Address = "5\.75\.240\.11";/);
    assert.match(network, /let Network = "5\.75\.240\.0\/24";/);
    assert.match(asn, /let RowAsn = 24940;\nlet AsnRanges = materialize\(_GetWatchlist\('VpsHosting'\)/);
    const defender = Engine.pivotQueries(Module, 'signin', spray, 'defender').map((p) => p.query);
    assert.ok(defender[1].includes('// Advanced hunting holds only the Defender tables'));
    assert.ok(!/SecurityEvent \|/.test(defender[1]) && !defender[1].includes('(SigninLogs'), 'defender reads only advanced-hunting tables');
    assert.ok(counts.inbound > 0 && counts.signin > 0 && counts.infrastructure > 0, JSON.stringify(counts));
  });

  test('hostile values in inbound, signin and infrastructure rows stay literals, escaped, and the pivots analyse', () => {
    const MARKER = 'INJECTED_MARKER';
    const hostile = [`x" | union ${MARKER} //`, `a\\" ${MARKER}`, `\n| ${MARKER}`, `\u2028${MARKER}\u2029`, `// ${MARKER}`,
      `@"${MARKER}"`, `'${MARKER}'`, `\\${MARKER}\\`, `\r\n${MARKER}\t|`, `\u0001${MARKER}\u007f`];
    const value = hostile[0];
    // The names go in as lists, every hostile value at once; the parsed fields (times, ASN,
    // addresses) hold a hostile value too, which must leave them out or fall back.
    const rows = {
      inbound: { RemoteIP: '198.51.100.7', FirstSeen: '2026-11-24T01:10:02.4471920Z', LastSeen: value, Targets: [...hostile, '10.0.0.5'],
        RemoteASN: 24940, IsHosting: true, HostingProvider: value, Reasons: hostile },
      signin: { RemoteIP: '2001:db8::7', FirstSeen: value, LastSeen: '2026-11-24T07:24:13Z', Users: ['a@b.example', ...hostile],
        SuccessUsers: hostile, RemoteASN: 24940, IsHosting: true, Apps: hostile },
      infrastructure: { Network: '198.51.100.0/24', RemoteIPs: [...hostile, '198.51.100.7'], RemoteASN: 24940, HostingCategory: 'vps',
        Detections: hostile, Reasons: hostile },
    };
    // Where each row's names reach a query: as literals.
    const literalIn = { inbound: 'processes-after-contact', signin: 'user-signins' };
    for (const [detection, row] of Object.entries(rows))
      for (const target of TARGETS) {
        const pivots = Engine.pivotQueries(Module, detection, row, target);
        assert.deepEqual(pivots.map((p) => p.id), expectedIds(detection, row), `${detection} ${target}`);
        for (const p of pivots) {
          const what = `${detection} pivot ${p.id} ${target}`;
          const { errors } = kusto.analyse(p.query, target);
          assert.deepEqual(errors, [], what);
          let inside = 0;
          for (const t of kusto.tokens(p.query)) {
            assert.ok(!t.trivia.includes(MARKER), `${what}: a value is in a comment or whitespace`);
            if (t.string) inside += t.text.includes(MARKER) ? 1 : 0;
            else assert.ok(!t.text.includes(MARKER), `${what}: a value is outside a string literal: ${t.text}`);
          }
          assert.ok(!/[\u0000-\u0008\u000b-\u001f\u2028\u2029]/.test(p.query), `${what}: no raw control character`);
          if (p.id === literalIn[detection]) {
            for (const v of hostile) assert.ok(p.query.includes(kqlQuote(v)), `${what}: ${JSON.stringify(v)}, escaped`);
            assert.ok(inside >= hostile.length, `${what}: every value is a literal (${inside})`);
          } else {
            assert.equal(inside, 0, `${what}: a value that is parsed (address, time, ASN) or unused is not in it`);
          }
        }
      }
  });

  test('a row without the fields a pivot needs gets no pivot, never a broken one', () => {
    const none = { inbound: { RemoteIP: 'not an address', FirstSeen: '2026-11-24T01:10:02Z' }, signin: { RemoteIP: '999.1.1.1' },
      infrastructure: { Network: '5.75.240.0/33', RemoteIPs: ['5.75.240.1'] } };
    for (const [detection, row] of Object.entries(none))
      for (const target of TARGETS) assert.deepEqual(Engine.pivotQueries(Module, detection, row, target), [], `${detection} ${target}`);
    // Without FirstSeen an inbound row has no "after the first contact"; without users, no sign-ins.
    assert.deepEqual(Engine.pivotQueries(Module, 'inbound', { RemoteIP: '5.75.240.201' }, 'sentinel').map((p) => p.id),
      ['address-everywhere', 'network']);
    assert.deepEqual(Engine.pivotQueries(Module, 'signin', { RemoteIP: '5.75.240.11', RemoteASN: 24940, IsHosting: false }, 'adx')
      .map((p) => p.id), ['address-everywhere', 'network']);
  });

  test('the bindings give the CLI\'s query and coded errors', () => {
    const rule = Engine.defaultRule(Module);
    assert.equal(Engine.exportKql(Module, rule, 'sentinel', 'beacon'), exportKql([]));
    assert.throws(() => Engine.exportKql(Module, rule, 'splunk', 'beacon'), (e) => e.code === 'bad-target');
    assert.throws(() => Engine.exportKql(Module, rule, 'sentinel', 'nope'), (e) => e.code === 'kql');
    assert.throws(() => Engine.pivotQueries(Module, 'beacon', [], 'sentinel'), (e) => e.code === 'bad-row');
  });
});
