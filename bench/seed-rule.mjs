// The seed rule (SEED_RULE.kql, as vpshunt's seed mode runs it) as one DuckDB SQL query, for the benchmark's
// peer (bench/duckdb.mjs: DuckDB through @duckdb/node-api and DuckDB-WASM). Every parameter comes from the
// rule vpshunt prints (`vpshunt --print-config`), so the exclusion lists, thresholds and the RiskScore table
// cannot drift from what vpshunt ran.
//
//   seedRuleQuery({ rule, shape, events, intel, now })  ->  SQL text of a SELECT yielding the result rows
//
// `shape` picks how the events file is read: 'defender' (an advanced-hunting CSV: the default, short, full
// and results shapes of vpshunt_gen) or 'zeek' (a Zeek conn.log TSV). `events` and `intel` are the names
// the engine reads the files by, `now` an ISO 8601 time (vpshunt's --now).
//
// Semantics, step by step as DESIGN.md's "Seed semantics" table gives them:
//   Timestamp > now - lookback (strict); ActionType IN (actionTypes), exact; RemoteIPType = remoteIpType,
//   exact; InitiatingProcessFileName not on either list, ASCII case-insensitive, an empty name kept;
//   groups of (DeviceName, AccountName = InitiatingProcessAccountName, process, command line, RemoteIP,
//   epoch-aligned bin of observationWindowMinutes); count, distinct ports, up to 5 ports ascending, byte
//   sums (null without byte columns), first/last time; HAVING count >= beaconMinConnections; the latest
//   indicator per NetworkIP with TimeGenerated > now - tiLookback, matched when it is active; the
//   RiskScore table in order; ORDER BY RiskScore DESC, ConnectionCount DESC.
// The Zeek reader's mapping (core/src/formats/zeek_conn.hpp): local_orig/local_resp decide which side is
// remote (without them: the responder, unless it is non-public and the originator public); the local
// address is the device; no account, process or command line; conn_state gives the outcome
// (SF S1 S2 S3 RSTO RSTR: success; OTH SHR RSTRH: success when the responder sent packets, by resp_pkts,
// else resp_bytes; S0 REJ SH RSTOS0: failure; else unknown) and with the direction the ActionType
// (outbound: ConnectionSuccess / ConnectionFailed; inbound: InboundConnectionAccepted / -Failed, which the
// seed's ActionType filter drops); RemoteIPType is classified from the address (vpshunt's classifyIp,
// written out below for the addresses a conn log holds).
// Not reproduced (the generated files never need them): IP canonicalisation (the generator writes
// canonical text), trimming of values, TI ties at the same TimeGenerated (vpshunt: the later row wins),
// tiExtraMatchFields and tiHonourExpiration other than their defaults (refused below).

const lit = (s) => `'${String(s).replaceAll("'", "''")}'`;
const list = (xs) => xs.map(lit).join(', ');

// DuckDB has no inet type without an extension: IPv4 octets by split_part, IPv6 by its first group.
// Prefix tests first (cheap), the octet parsed only where a prefix leaves it open; CASE keeps the regular
// expression to IPv6 text.
const IP_PUBLIC_MACROS = [
  `CREATE OR REPLACE MACRO vps_v4_public(ip) AS NOT (
     starts_with(ip, '10.') OR starts_with(ip, '127.') OR starts_with(ip, '0.') OR starts_with(ip, '192.168.')
     OR starts_with(ip, '169.254.') OR starts_with(ip, '192.0.0.') OR starts_with(ip, '192.0.2.') OR starts_with(ip, '198.18.')
     OR starts_with(ip, '198.19.') OR starts_with(ip, '198.51.100.') OR starts_with(ip, '203.0.113.')
     OR CASE WHEN starts_with(ip, '172.') THEN TRY_CAST(split_part(ip, '.', 2) AS INTEGER) BETWEEN 16 AND 31
             WHEN starts_with(ip, '100.') THEN TRY_CAST(split_part(ip, '.', 2) AS INTEGER) BETWEEN 64 AND 127
             WHEN starts_with(ip, '22') OR starts_with(ip, '23') OR starts_with(ip, '24') OR starts_with(ip, '25')
               THEN TRY_CAST(split_part(ip, '.', 1) AS INTEGER) >= 224
             ELSE false END)`,
  `CREATE OR REPLACE MACRO vps_ip_public(ip) AS CASE
     WHEN ip IS NULL OR ip = '' THEN false
     WHEN contains(ip, ':') THEN regexp_matches(lower(ip), '^[23][0-9a-f]{3}:') AND NOT starts_with(lower(ip), '2001:db8:')
          AND NOT starts_with(lower(ip), '2001:0db8:')
     ELSE vps_v4_public(ip) END`,
];

// Statements to run before the query (macros).
export function setupStatements(shape) {
  return shape === 'zeek' ? IP_PUBLIC_MACROS : [];
}

function riskCase(rule) {
  const arms = rule.riskScore.map((r) => {
    const cond = [];
    if (r.tiMatch !== undefined) cond.push(r.tiMatch ? 'IsTIMatch' : 'NOT IsTIMatch');
    if (r.minConnections !== undefined) cond.push(`ConnectionCount >= ${Number(r.minConnections)}`);
    if (r.maxUniquePorts !== undefined) cond.push(`UniqueRemotePorts <= ${Number(r.maxUniquePorts)}`);
    return `WHEN ${cond.length ? cond.join(' AND ') : 'true'} THEN ${Number(r.score)}`;
  });
  return `CASE ${arms.join(' ')} ELSE ${Number(rule.defaultRiskScore)} END`;
}

// The events as the rule's rows: ts, DeviceName, AccountName, InitiatingProcessFileName,
// InitiatingProcessCommandLine, RemoteIP, RemotePort, ActionType, RemoteIPType, SentBytes, ReceivedBytes.
function eventsSource(shape, events) {
  if (shape === 'defender') {
    return `SELECT Timestamp AS ts, DeviceName, InitiatingProcessAccountName AS AccountName,
        InitiatingProcessFileName, InitiatingProcessCommandLine, RemoteIP, RemotePort, ActionType, RemoteIPType,
        CAST(NULL AS BIGINT) AS SentBytes, CAST(NULL AS BIGINT) AS ReceivedBytes
      FROM read_csv(${lit(events)}, header = true, types = {'Timestamp': 'TIMESTAMP', 'RemotePort': 'INTEGER'})`;
  }
  if (shape === 'zeek') {
    const cols = {
      ts: 'DECIMAL(18,6)', uid: 'VARCHAR', orig_h: 'VARCHAR', orig_p: 'INTEGER', resp_h: 'VARCHAR', resp_p: 'INTEGER',
      proto: 'VARCHAR', service: 'VARCHAR', duration: 'VARCHAR', orig_bytes: 'BIGINT', resp_bytes: 'BIGINT',
      conn_state: 'VARCHAR', local_orig: 'VARCHAR', local_resp: 'VARCHAR', missed_bytes: 'BIGINT', history: 'VARCHAR',
      orig_pkts: 'BIGINT', orig_ip_bytes: 'BIGINT', resp_pkts: 'BIGINT', resp_ip_bytes: 'BIGINT', tunnel_parents: 'VARCHAR',
    };
    const columns = `{${Object.entries(cols).map(([k, v]) => `${lit(k)}: ${lit(v)}`).join(', ')}}`;
    // ts is epoch seconds with 6 decimals: read as an exact decimal, so no double rounding moves a row
    // across the lookback cutoff.
    return `SELECT make_timestamp(CAST(CAST(ts AS DECIMAL(24, 6)) * 1000000 AS BIGINT)) AS ts,
        CASE WHEN remote_is_orig THEN resp_h ELSE orig_h END AS DeviceName,
        '' AS AccountName, '' AS InitiatingProcessFileName, '' AS InitiatingProcessCommandLine,
        CASE WHEN remote_is_orig THEN orig_h ELSE resp_h END AS RemoteIP,
        CASE WHEN remote_is_orig THEN orig_p ELSE resp_p END AS RemotePort,
        CASE WHEN NOT remote_is_orig OR outbound_action = 'ConnectionUnknown' THEN outbound_action
             WHEN outbound_action = 'ConnectionSuccess' THEN 'InboundConnectionAccepted'
             ELSE 'InboundConnectionFailed' END AS ActionType,
        CASE WHEN vps_ip_public(CASE WHEN remote_is_orig THEN orig_h ELSE resp_h END) THEN 'Public' ELSE 'NotPublic' END AS RemoteIPType,
        CASE WHEN remote_is_orig THEN resp_bytes ELSE orig_bytes END AS SentBytes,
        CASE WHEN remote_is_orig THEN orig_bytes ELSE resp_bytes END AS ReceivedBytes
      FROM (SELECT *,
              CASE WHEN local_orig IN ('T', 'true') THEN false
                   WHEN local_orig IN ('F', 'false') AND coalesce(local_resp, '') NOT IN ('F', 'false') THEN true
                   ELSE NOT vps_ip_public(resp_h) AND vps_ip_public(orig_h) END AS remote_is_orig,
              CASE WHEN conn_state IN ('SF', 'S1', 'S2', 'S3', 'RSTO', 'RSTR') THEN 'ConnectionSuccess'
                   WHEN conn_state IN ('S0', 'REJ', 'SH', 'RSTOS0') THEN 'ConnectionFailed'
                   WHEN conn_state IN ('OTH', 'SHR', 'RSTRH') THEN
                     CASE WHEN (CASE WHEN resp_pkts IS NOT NULL THEN resp_pkts > 0 ELSE coalesce(resp_bytes, 0) > 0 END)
                          THEN 'ConnectionSuccess' ELSE 'ConnectionFailed' END
                   ELSE 'ConnectionUnknown' END AS outbound_action
            FROM read_csv(${lit(events)}, delim = '\t', header = false, comment = '#', nullstr = '-', quote = '', auto_detect = false,
                          escape = '', columns = ${columns}))`;
  }
  throw new Error(`seed-rule: unknown shape ${shape}`);
}

// The result rows, ordered as the seed orders them.
export function seedRuleQuery(opts) {
  return `${resultCte(opts)}\nSELECT * FROM result ORDER BY RiskScore DESC, ConnectionCount DESC`;
}

function resultCte({ rule, shape, events, intel, now }) {
  if (rule.mode && rule.mode !== 'seed') throw new Error('seed-rule: only the seed mode has an SQL twin');
  if ((rule.tiExtraMatchFields || []).length || rule.tiHonourExpiration) {
    throw new Error('seed-rule: tiExtraMatchFields / tiHonourExpiration other than the defaults are not written in SQL');
  }
  const excluded = [...rule.browserProcesses, ...rule.systemProcesses].map((n) => n.toLowerCase());
  const nowTs = `CAST(${lit(now.replace(/Z$/, ''))} AS TIMESTAMP)`;
  const windowMin = Number(rule.observationWindowMinutes);
  const bytes = shape === 'zeek';
  return `
WITH ev AS (${eventsSource(shape, events)}),
kept AS (
  SELECT * FROM ev
  WHERE ts > ${nowTs} - INTERVAL (${Number(rule.lookbackMinutes)}) MINUTE
    AND ActionType IN (${list(rule.actionTypes)})
    AND RemoteIPType = ${lit(rule.remoteIpType)}
    AND coalesce(RemoteIP, '') <> ''
    AND (InitiatingProcessFileName IS NULL OR lower(InitiatingProcessFileName) NOT IN (${list(excluded)}))
),
groups AS (
  SELECT time_bucket(INTERVAL (${windowMin}) MINUTE, ts, TIMESTAMP '1970-01-01 00:00:00') AS Timestamp,
         coalesce(DeviceName, '') AS DeviceName, coalesce(AccountName, '') AS AccountName,
         coalesce(InitiatingProcessFileName, '') AS InitiatingProcessFileName,
         coalesce(InitiatingProcessCommandLine, '') AS InitiatingProcessCommandLine, RemoteIP,
         count(*) AS ConnectionCount, count(DISTINCT RemotePort) AS UniqueRemotePorts,
         list_sort(list_distinct(list(RemotePort)))[1:5] AS RemotePorts,
         ${bytes ? 'sum(SentBytes)' : 'CAST(NULL AS BIGINT)'} AS TotalBytesSent,
         ${bytes ? 'sum(ReceivedBytes)' : 'CAST(NULL AS BIGINT)'} AS TotalBytesReceived,
         min(ts) AS FirstConnection, max(ts) AS LastConnection
  FROM kept
  GROUP BY ALL
  HAVING count(*) >= ${Number(rule.beaconMinConnections)}
),
ti AS (
  SELECT NetworkIP, ThreatType, ConfidenceScore, Description, lower(CAST(Active AS VARCHAR)) = 'true' AS Active
  FROM read_csv(${lit(intel)}, header = true,
                types = {'TimeGenerated': 'TIMESTAMP', 'NetworkIP': 'VARCHAR', 'Active': 'VARCHAR', 'ConfidenceScore': 'INTEGER',
                         'ThreatType': 'VARCHAR', 'Description': 'VARCHAR'})
  WHERE TimeGenerated > ${nowTs} - INTERVAL (${Number(rule.tiLookbackMinutes)}) MINUTE AND coalesce(NetworkIP, '') <> ''
  QUALIFY row_number() OVER (PARTITION BY NetworkIP ORDER BY TimeGenerated DESC) = 1
),
matched AS (
  SELECT g.*, t.NetworkIP IS NOT NULL AS IsTIMatch, t.ThreatType, t.ConfidenceScore AS TIConfidence, t.Description AS TIDescription
  FROM groups g LEFT JOIN (SELECT * FROM ti WHERE Active) t ON g.RemoteIP = t.NetworkIP
),
result AS (
SELECT Timestamp, DeviceName, AccountName, InitiatingProcessFileName, InitiatingProcessCommandLine, RemoteIP,
       ConnectionCount, round(ConnectionCount / ${windowMin}, 2) AS ConnectionsPerMinute, UniqueRemotePorts, RemotePorts,
       TotalBytesSent, TotalBytesReceived,
       CASE WHEN TotalBytesReceived > 0 THEN round(TotalBytesSent / TotalBytesReceived, 2) ELSE 0 END AS ByteRatio,
       IsTIMatch, ThreatType, TIConfidence, TIDescription, ${riskCase(rule)} AS RiskScore, FirstConnection, LastConnection
FROM matched
)`;
}
