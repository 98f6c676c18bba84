// The sign-in readers under wasm: the Node runner reports every sign-in fixture exactly as the native
// CLI does (detected format, records, skips with their locations, reasons), and each file is read with
// the format its shape calls for.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';

import { NATIVE_CLI, ROOT, RUNNER, requireFile, runNative, runNode } from './support.mjs';

const DIR = path.join(ROOT, 'tests/fixtures/signin-json');
const CSV_DIR = path.join(ROOT, 'tests/fixtures/signin');
// The CSV exports (Log Analytics, advanced hunting, the Entra admin center's download).
const EXPECTED_CSV_FORMAT = {
  'cloudtrail_la.csv': 'cloudtrail-csv',
  'defender_aadsignineventsbeta.csv': 'defender-signin-csv',
  'defender_devicelogonevents.csv': 'defender-csv',
  'defender_identitylogonevents.csv': 'defender-signin-csv',
  'defender_union_network_logon.csv': 'defender-csv',
  'entra_portal_interactive.csv': 'entra-signin-csv',
  'entra_signinlogs_la.csv': 'entra-signin-csv',
  'securityevent_full.csv': 'windows-security-csv',
  'securityevent_projected.csv': 'windows-security-csv',
};
const EXPECTED_FORMAT = {
  'entra_diagnostic_records.jsonl': 'entra-signin-json',
  'entra_eventhub_records.json': 'entra-signin-json',
  'entra_graph_signins.json': 'entra-signin-json',
  'entra_portal_download.json': 'entra-signin-json',
  'entra_la_rows.json': 'entra-signin-json',
  'defender_signin_stream.jsonl': 'defender-json',
  'defender_ah_api_identity.json': 'defender-json',
  'defender_union_signin_rows.jsonl': 'defender-json',
  'log_analytics_signin_tables.json': 'log-analytics-json',
  'windows_security_export.xml': 'sysmon-xml',
  'windows_security_wevtutil.xml': 'windows-security-xml',
  'windows_security_nxlog.json': 'sysmon-json',
  'windows_security_winlogbeat_evtx.jsonl': 'windows-security-json',
  'okta_system_log.jsonl': 'okta-json',
  'okta_api_response.json': 'okta-json',
  'okta_event_hook.json': 'okta-json',
  'cloudtrail_s3_records.json': 'cloudtrail-json',
  'cloudtrail_lines.jsonl': 'cloudtrail-json',
};

describe('sign-in readers: Node runner vs native CLI', () => {
  before(() => {
    requireFile(NATIVE_CLI, 'the native CLI');
    requireFile(RUNNER, 'the Node runner');
  });

  test('every fixture has an expected format', () => {
    assert.deepEqual(fs.readdirSync(DIR).sort(), Object.keys(EXPECTED_FORMAT).sort());
    assert.deepEqual(fs.readdirSync(CSV_DIR).sort(), Object.keys(EXPECTED_CSV_FORMAT).sort());
  });

  const cases = [
    ...Object.entries(EXPECTED_FORMAT).map(([name, format]) => [name, path.join(DIR, name), format]),
    ...Object.entries(EXPECTED_CSV_FORMAT).map(([name, format]) => [`signin/${name}`, path.join(CSV_DIR, name), format]),
  ];
  for (const [name, file, format] of cases) {
    test(name, () => {
      const args = ['--events', file, '--format', 'json', '--now', '2026-03-09T00:00:00Z'];
      const native = runNative(args);
      const wasm = runNode(args);
      assert.equal(wasm.status, native.status);
      assert.ok(wasm.stdout.equals(native.stdout), `stdout differs for ${name}`);
      assert.ok(wasm.stderr.equals(native.stderr), `stderr differs for ${name}`);
      const report = JSON.parse(native.stdout).files[0];
      assert.equal(report.format, format);
      assert.ok(report.records > 0, `${name}: records were read`);
    });
  }
});
