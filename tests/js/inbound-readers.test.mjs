// The inbound readers under wasm: the Node runner reports every firewall, web-log and cloud-request
// fixture exactly as the native CLI does (detected format, records, skips with their locations,
// notes, inbound rows), and each file is read with the format its shape calls for.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';

import { NATIVE_CLI, ROOT, RUNNER, requireFile, runNative, runNode } from './support.mjs';

const EXPECTED_FORMAT = {
  'firewall/azfw_network_nat_la.csv': 'defender-csv',
  'firewall/cef_la_export.csv': 'cef-csv',
  'firewall/firewall_rows.jsonl': 'firewall-json',
  'firewall/firewall_rows_az_cli.json': 'firewall-json',
  'firewall/log_analytics_firewall_tables.json': 'log-analytics-json',
  'firewall/nsg_flow_analytics.csv': 'defender-csv',
  'weblog/apache_nginx_access.log': 'web-access-log',
  'weblog/iis_fields_directives.log': 'iis-w3c',
  'weblog/iis_headerless_pasted.log': 'iis-w3c',
  'weblog/s3_server_access.log': 'web-access-log',
  'cloud/s3_honeybucket_alerts.csv': 'cloud-requests-csv',
};

describe('inbound readers: Node runner vs native CLI', () => {
  before(() => {
    requireFile(NATIVE_CLI, 'the native CLI');
    requireFile(RUNNER, 'the Node runner');
  });

  test('every fixture has an expected format', () => {
    const found = [];
    for (const dir of ['firewall', 'weblog', 'cloud'])
      for (const name of fs.readdirSync(path.join(ROOT, 'tests/fixtures', dir))) found.push(`${dir}/${name}`);
    assert.deepEqual(found.sort(), Object.keys(EXPECTED_FORMAT).sort());
  });

  for (const [name, format] of Object.entries(EXPECTED_FORMAT)) {
    test(name, () => {
      const args = ['--events', path.join(ROOT, 'tests/fixtures', name), '--format', 'json'];
      const native = runNative(args);
      const wasm = runNode(args);
      assert.equal(wasm.status, native.status);
      assert.ok(wasm.stdout.equals(native.stdout), `stdout differs for ${name}`);
      assert.ok(wasm.stderr.equals(native.stderr), `stderr differs for ${name}`);
      const result = JSON.parse(native.stdout);
      assert.equal(result.files[0].format, format);
      assert.ok(result.files[0].records > 0, `${name}: records were read`);
      assert.ok(result.detections.inbound.rows.length > 0, `${name}: inbound rows`);
    });
  }
});
