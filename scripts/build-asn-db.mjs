#!/usr/bin/env node
// Compiles the IP-to-ASN CSV files of the npm package @ip-location-db/asn (asn-ipv4.csv and
// asn-ipv6.csv: `start,end,asn,org`, inclusive ranges) into asn.bin, the compact binary that
// vpshunt::AsnDatabase::load() reads (format version 2, documented in core/include/vpshunt/asn.hpp).
// IP to ASN data: RouteViews and DB-IP (https://db-ip.com), CC BY 4.0.
//
// Usage: node scripts/build-asn-db.mjs <dir with asn-ipv4.csv and asn-ipv6.csv | file.csv ...> <out/asn.bin>
//
// The rules mirror AsnDatabase::loadCsv() in core/src/net/asn.cpp exactly, so both produce the same
// bytes for the same input: rows sorted by start (wider first), a nested (more specific) range wins
// inside the range that contains it, gaps become explicit "no AS" segments, adjacent segments of the
// same (ASN, name) merge, organisations are numbered by first use (IPv4 then IPv6) and names are
// deduplicated in the string pool. Node 20, no dependencies.
import fs from 'node:fs';
import path from 'node:path';

const NO_ORG = 0xffffffff;
const MAX_V4 = 0xffffffffn;
const MAX_V6 = (1n << 128n) - 1n;

function trim(s) {
  let a = 0, b = s.length;
  while (a < b && (s[a] === ' ' || s[a] === '\t')) a++;
  while (b > a && (s[b - 1] === ' ' || s[b - 1] === '\t' || s[b - 1] === '\r')) b--;
  return s.slice(a, b);
}

function parseV4(s) {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || Number(p) > 255) return null;
    v = (v << 8n) | BigInt(p);
  }
  return v;
}

function parseV6(s) {
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {  // embedded IPv4 in the last 32 bits -> two hex groups
    const v4 = parseV4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    s = s.slice(0, lastColon + 1) + (v4 >> 16n).toString(16) + ':' + (v4 & 0xffffn).toString(16);
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parse = (h) => (h === '' ? [] : h.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  const fill = 8 - head.length - rest.length;
  if (halves.length === 2 && fill < 1) return null;
  const groups = halves.length === 2 ? [...head, ...Array(fill).fill(0), ...rest] : head;
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return null;
  let v = 0n;
  for (const g of groups) v = (v << 16n) | BigInt(g);
  return v;
}

// -> {value: BigInt, v4: bool} or null. A decimal below 2^32 is IPv4, larger is IPv6.
function parseAddress(s) {
  if (s === '') return null;
  if (/^[0-9]+$/.test(s)) {
    if (s.length > 39) return null;
    const v = BigInt(s);
    if (v > MAX_V6) return null;
    return { value: v, v4: v <= MAX_V4 };
  }
  if (s.includes(':')) {
    const v = parseV6(s.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
    if (v === null) return null;
    if (v >> 32n === 0xffffn) return { value: v & MAX_V4, v4: true };
    return { value: v, v4: false };
  }
  const v = parseV4(s);
  return v === null ? null : { value: v, v4: true };
}

class Loader {
  constructor() {
    this.v4 = [];
    this.v6 = [];
    this.orgIds = new Map();
    this.orgs = [];
    this.rows = 0;
    this.problems = [];
  }
  orgId(asn, name) {
    const key = `${asn}\0${name}`;
    let id = this.orgIds.get(key);
    if (id === undefined) {
      id = this.orgs.length;
      this.orgIds.set(key, id);
      this.orgs.push([asn, name]);
    }
    return id;
  }
  text(text, label) {
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const lines = text.split('\n');
    let seenContent = false;
    for (let n = 0; n < lines.length; n++) {
      let line = lines[n];
      if (line.endsWith('\r')) line = line.slice(0, -1);
      const t = trim(line);
      if (t === '' || t[0] === '#') continue;
      const first = !seenContent;
      seenContent = true;
      const problem = (msg) => this.problems.push(`${label}:${n + 1}: ${msg}`);
      const field = [];
      let at = 0, ok = true;
      for (let i = 0; i < 3; i++) {
        const comma = line.indexOf(',', at);
        if (comma < 0) { if (!first) problem('expected 4 fields: start,end,asn,org'); ok = false; break; }
        let f = trim(line.slice(at, comma));
        if (f.length >= 2 && f[0] === '"' && f[f.length - 1] === '"') f = f.slice(1, -1);
        field.push(f);
        at = comma + 1;
      }
      if (!ok) continue;
      const start = parseAddress(field[0]);
      if (!start) { if (!first) problem(`bad range start ${JSON.stringify(field[0])}`); continue; }
      const end = parseAddress(field[1]);
      if (!end) { problem(`bad range end ${JSON.stringify(field[1])}`); continue; }
      if (start.v4 !== end.v4) { problem('range start and end are not the same IP version'); continue; }
      if (end.value < start.value) { problem('range end below its start'); continue; }
      let asnText = field[2];
      if (/^as/i.test(asnText) && asnText.length > 2) asnText = asnText.slice(2);
      if (!/^[0-9]{1,10}$/.test(asnText) || Number(asnText) > 0xffffffff) { problem(`bad AS number ${JSON.stringify(field[2])}`); continue; }
      const asn = Number(asnText);
      this.rows++;
      if (asn === 0) continue;
      const rest = trim(line.slice(at));
      let org = '';
      if (rest[0] === '"') {
        let i = 1, closed = false;
        for (; i < rest.length; i++) {
          if (rest[i] === '"') {
            if (rest[i + 1] === '"') { org += '"'; i++; continue; }
            closed = true;
            break;
          }
          org += rest[i];
        }
        if (!closed) { problem('unclosed quote in the organisation name'); this.rows--; continue; }
      } else {
        org = rest;
      }
      (start.v4 ? this.v4 : this.v6).push({ start: start.value, end: end.value, org: this.orgId(asn, org) });
    }
  }
}

// A growable byte buffer with unsigned LEB128 varints (as writeVar() in core/src/net/asn.cpp).
class Bytes {
  constructor() { this.buf = Buffer.alloc(1 << 16); this.n = 0; }
  byte(b) {
    if (this.n === this.buf.length) {
      const bigger = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(bigger);
      this.buf = bigger;
    }
    this.buf[this.n++] = b;
  }
  var(v) {  // a Number below 2^32
    while (v >= 0x80) { this.byte((v & 0x7f) | 0x80); v = Math.floor(v / 128); }
    this.byte(v);
  }
  varBig(v) {  // a BigInt below 2^64
    while (v >= 0x80n) { this.byte(Number(v & 0x7fn) | 0x80); v >>= 7n; }
    this.byte(Number(v));
  }
  done() { return this.buf.subarray(0, this.n); }
}

// Mirrors sweep() in core/src/net/asn.cpp.
function sweep(ranges, maxAddress) {
  ranges.sort((a, b) => (a.start !== b.start ? (a.start < b.start ? -1 : 1) : a.end > b.end ? -1 : a.end < b.end ? 1 : 0));
  const out = [];
  const emit = (start, org) => {
    const last = out[out.length - 1];
    if (last && last[0] === start) {
      last[1] = org;
      if (out.length >= 2 && out[out.length - 2][1] === org) out.pop();
      return;
    }
    if (last && last[1] === org) return;
    out.push([start, org]);
  };
  const open = [];
  const closeTop = (final) => {
    const end = open.pop().end;
    while (open.length && open[open.length - 1].end <= end) open.pop();
    if (final && end === maxAddress) return;
    emit(end + 1n, open.length ? open[open.length - 1].org : NO_ORG);
  };
  emit(0n, NO_ORG);
  for (const r of ranges) {
    while (open.length && open[open.length - 1].end < r.start) closeTop(false);
    emit(r.start, r.org);
    open.push(r);
  }
  while (open.length) closeTop(true);
  if (out.length === 1 && out[0][1] === NO_ORG) out.length = 0;
  return out;
}

function build(loader) {
  const v4 = sweep(loader.v4, MAX_V4);
  const v6 = sweep(loader.v6, MAX_V6);
  const renumber = new Map();
  const orgTable = [];  // [asn, offset, length]
  const nameOffsets = new Map();
  const poolParts = [];
  let poolSize = 0;
  const use = (tmp) => {
    if (tmp === NO_ORG) return NO_ORG;
    let id = renumber.get(tmp);
    if (id === undefined) {
      id = orgTable.length;
      renumber.set(tmp, id);
      const [asn, name] = loader.orgs[tmp];
      let off = nameOffsets.get(name);
      const bytes = Buffer.from(name, 'utf8');
      if (off === undefined) {
        off = poolSize;
        nameOffsets.set(name, off);
        poolParts.push(bytes);
        poolSize += bytes.length;
      }
      orgTable.push([asn, off, bytes.length]);
    }
    return id;
  };
  const v4Orgs = v4.map(([, o]) => use(o));
  const v6Orgs = v6.map(([, o]) => use(o));
  const stored = (o) => (o === NO_ORG ? 0 : o + 1);

  const v4Bytes = new Bytes();
  let prev4 = 0n;
  v4.forEach(([s], i) => {
    v4Bytes.varBig(s - prev4);
    v4Bytes.var(stored(v4Orgs[i]));
    prev4 = s;
  });
  const v6Bytes = new Bytes();
  let prevHi = 0n;
  v6.forEach(([s], i) => {
    const hi = s >> 64n, lo = s & 0xffffffffffffffffn;
    const delta = hi - prevHi;
    let shift = 0n;
    if (delta > 0n) while (((delta >> shift) & 1n) === 0n) shift++;
    v6Bytes.byte(Number(shift));
    v6Bytes.varBig(delta >> shift);
    v6Bytes.varBig(lo);
    v6Bytes.var(stored(v6Orgs[i]));
    prevHi = hi;
  });
  const orgBytes = new Bytes();
  for (const [asn, off, len] of orgTable) {
    orgBytes.var(asn);
    orgBytes.var(off);
    orgBytes.var(len);
  }
  const sections = [v4Bytes.done(), v6Bytes.done(), orgBytes.done()];
  const header = Buffer.alloc(36);
  header.write('VASN', 0, 'latin1');
  [2, v4.length, v6.length, orgTable.length, poolSize, ...sections.map((b) => b.length)].forEach((v, i) =>
    header.writeUInt32LE(v, 4 + 4 * i));
  const buf = Buffer.concat([header, ...sections, ...poolParts]);
  return { buf, v4: v4.length, v6: v6.length, orgs: orgTable.length, pool: poolSize };
}

function main(argv) {
  if (argv.length < 2) {
    console.error('usage: node scripts/build-asn-db.mjs <dir with asn-ipv4.csv and asn-ipv6.csv | file.csv ...> <out/asn.bin>');
    return 2;
  }
  const out = argv[argv.length - 1];
  const inputs = [];
  for (const a of argv.slice(0, -1)) {
    if (fs.existsSync(a) && fs.statSync(a).isDirectory()) {
      for (const name of ['asn-ipv4.csv', 'asn-ipv6.csv']) inputs.push(path.join(a, name));
    } else {
      inputs.push(a);
    }
  }
  for (const f of inputs) {
    if (!fs.existsSync(f)) {
      console.error(`build-asn-db: ${f} not found. The IP-to-ASN data comes from the npm package @ip-location-db/asn: run \`npm ci\` in the repository root.`);
      return 1;
    }
  }
  const loader = new Loader();
  for (const f of inputs) loader.text(fs.readFileSync(f, 'utf8'), path.basename(f));
  if (loader.problems.length) {
    console.error(`build-asn-db: ${loader.problems.length} row(s) skipped:`);
    for (const p of loader.problems.slice(0, 10)) console.error('  ' + p);
  }
  if (loader.rows === 0) {
    console.error('build-asn-db: no IP-to-ASN rows found in ' + inputs.join(', '));
    return 1;
  }
  const r = build(loader);
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  const tmp = out + '.tmp';
  fs.writeFileSync(tmp, r.buf);
  fs.renameSync(tmp, out);
  console.log(`build-asn-db: ${loader.rows} rows -> ${out}: ${r.buf.length} bytes ` +
              `(${r.v4} IPv4 segments, ${r.v6} IPv6 segments, ${r.orgs} organisations, ${r.pool} bytes of names)`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
