// What an analysis produces: result rows with the seed's projected columns, one report per file,
// and notices about the run as a whole. Plain values, safe to keep after the Analysis is gone.
#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vpshunt/problem.hpp"
#include "vpshunt/time.hpp"

namespace vpshunt {

enum class FileKind { Auto, Events, Intel };
std::string_view fileKindName(FileKind k);  // "auto", "events", "intel"

struct ResultRow {
  Ticks binStart = 0;  // Timestamp: bin(Timestamp, window)
  std::string deviceName, accountName, processName, commandLine, remoteIp;
  int64_t connectionCount = 0;
  double connectionsPerMinute = 0;
  int64_t uniqueRemotePorts = 0;
  std::vector<int64_t> remotePorts;  // make_set(RemotePort, 5): at most 5, ascending
  std::optional<int64_t> totalBytesSent, totalBytesReceived;  // null when the export has no such column
  double byteRatio = 0;
  bool isTiMatch = false;
  std::optional<std::string> threatType, tiDescription;
  std::optional<int64_t> tiConfidence;
  int riskScore = 0;
  Ticks firstConnection = 0, lastConnection = 0;
  // Names the group inside its Analysis, for collect passes and detail(). In beyond mode a row is a
  // whole flow and its id names the flow (ids from Analysis::flowIdBase() up).
  uint64_t groupId = 0;

  // Beyond the seed: these never change RiskScore.
  uint32_t remoteAsn = 0;  // 0: unknown (no ASN database loaded, or no announced range)
  std::string remoteOrg;
  bool isHosting = false;
  std::string hostingProvider, hostingCategory;
  uint64_t deviceCount = 0;  // devices that talked to RemoteIP (in all loaded events, after the ingest filter)
  Ticks remoteIpFirstSeen = 0, remoteIpLastSeen = 0;
  std::optional<double> medianIntervalSeconds, periodicityScore;  // when measured (beyond mode)
  double intervalDispersion = 0;
  int vpsScore = 0;  // 0..100
  std::vector<std::string> vpsReasons;
  // --- tuning (issue 13) ---
  // The product this row's process is (the known-software catalogue, or the analyst's knownSoftware
  // entry), null when nothing matched; `knownSoftwareReason` says why, or why a catalogued name
  // did not match (empty when the name is in no catalogue entry). Filled in both modes; only beyond
  // mode scores by it and writes the column to output files (seed output is the seed rule's).
  std::optional<std::string> knownSoftware;
  std::string knownSoftwareReason;
  // --- end tuning ---
  // Every detection's row has these: Score is RiskScore in seed mode and VpsScore in beyond mode;
  // Reasons explain it (the score's rule first, then the evidence).
  int score = 0;
  std::vector<std::string> reasons;
};

// The inbound detection's row: one remote source address that connected in, over the lookback.
struct InboundRow {
  std::string remoteIp;  // the source, canonical
  uint32_t remoteAsn = 0;
  std::string remoteOrg;
  bool isHosting = false;
  std::string hostingProvider, hostingCategory;
  uint64_t targetCount = 0;           // distinct targets: devices, or local addresses without device names
  std::vector<std::string> targets;   // up to 5, the most contacted first
  uint64_t uniqueTargetPorts = 0;
  std::vector<int64_t> targetPorts;   // up to 5, the most contacted first
  uint64_t connectionCount = 0;
  uint64_t refusedCount = 0;          // failed, refused or denied connections
  Ticks firstSeen = 0, lastSeen = 0;
  bool isTiMatch = false;
  std::optional<std::string> threatType;
  int score = 0;
  std::vector<std::string> reasons;
  uint64_t sourceId = 0;  // the session's handle on the source (detail view, collect pass)
};

// --- signin and infrastructure rows (the signin-det branch) ---
// The signin detection's row: one client address that signed in (or tried to), over the lookback.
struct SignInRow {
  std::string remoteIp;  // the client, canonical
  uint32_t remoteAsn = 0;  // the log's ASN when it names one, else the ASN database's (0: unknown)
  std::string remoteOrg;
  bool isHosting = false;
  std::string hostingProvider, hostingCategory;
  uint64_t userCount = 0;     // distinct users tried (case-insensitive)
  uint64_t failureCount = 0;  // failed attempts
  uint64_t successCount = 0;  // successful sign-ins
  std::vector<std::string> successUsers;    // users who signed in successfully from it, up to 10 (after failures first)
  std::vector<std::string> users;           // up to 10, the most attempts first (first spelling seen)
  std::vector<std::string> apps;            // up to 5 applications or targets, the most attempts first
  std::vector<std::string> failureReasons;  // up to 3 result codes in words, the most frequent first ("50126 wrong password")
  Ticks firstSeen = 0, lastSeen = 0;
  bool isTiMatch = false;
  std::optional<std::string> threatType;
  int score = 0;
  std::vector<std::string> reasons;
  uint64_t sourceId = 0;  // the session's handle on the source (detail view, collect pass)
};

// The infrastructure detection's row: one network (its announced range, or the /24 or /48 of an
// address in a larger one) with the rows of beacon, inbound and signin whose remote address is in it.
struct InfrastructureRow {
  std::string network;  // CIDR, e.g. "51.38.10.0/24"
  uint32_t remoteAsn = 0;
  std::string remoteOrg;
  std::string hostingProvider, hostingCategory;  // empty unless the network is hosting
  std::vector<std::string> remoteIps;   // up to 10, the best-scored first
  uint64_t ipCount = 0;                 // distinct addresses of the network in any row
  std::vector<std::string> detections;  // which of beacon, inbound, signin have rows here (that order)
  uint64_t beaconRows = 0, beaconDevices = 0;
  uint64_t inboundRows = 0, inboundConnections = 0;
  uint64_t signinRows = 0, signinUsers = 0, signinFailures = 0, signinSuccesses = 0;
  int score = 0;
  std::vector<std::string> reasons;
  uint64_t networkId = 0;  // the row's key: Analysis::infrastructureMembers(networkId) lists the rows behind it
};
// --- end signin and infrastructure rows ---

// What one detection's finish said besides its rows.
struct DetectionSummary {
  std::string detection;  // "beacon", "inbound", ...
  uint64_t rowCount = 0;
  uint64_t considered = 0;  // groups, flows or sources that were candidates
  std::vector<std::string> notices;
  bool sawEvents = false;   // the loaded files held events this detection reads
  // --- tuning (issue 13) ---
  // Rows each Rule::suppressions entry took out of this detection's results, by entry (empty when
  // the rule has none); rows beyond mode left out because hideKnownSoftware named them.
  std::vector<uint64_t> suppressedBy;
  uint64_t knownSoftwareHidden = 0;
  // --- end tuning ---
};

struct FileReport {
  std::string path;
  FileKind kind = FileKind::Auto;
  std::string format;   // detected (or forced) format name, e.g. "defender-csv"
  uint64_t records = 0;  // records read (data rows, not headers)
  uint64_t kept = 0;     // records that passed the ingest filter (events) or gave an indicator (intel)
  uint64_t skipped = 0;  // records that could not be used, each for a reason below
  std::vector<Problem> problems;           // the first few, located; `problemsTotal` counts all
  uint64_t problemsTotal = 0;
  std::map<std::string, uint64_t> skipReasons;  // reason -> count ("unparseable Timestamp", ...)
  std::map<std::string, uint64_t> filtered;     // ingest-filter outcome -> count (not problems)
  std::vector<std::string> missingColumns;  // columns the rule needs but the file lacks
  std::vector<std::string> notes;           // e.g. "no SentBytes/ReceivedBytes columns: byte totals are null"
  bool fatal = false;  // nothing usable could be read; problems[0] says why
};

struct Results {
  Ticks now = 0;
  std::string nowSource;  // "given" or "latest event"
  bool hasEvents = false;
  std::vector<ResultRow> rows;  // beacon rows: sorted by RiskScore desc, ConnectionCount desc, then key
  uint64_t rowCount = 0;        // beacon rows made (also when Analysis::finishEach streamed them instead)
  std::vector<InboundRow> inbound;  // inbound rows: Score desc, ConnectionCount desc, then address
  std::vector<SignInRow> signin;    // signin rows: Score desc, FailureCount desc, then address
  std::vector<InfrastructureRow> infrastructure;  // Score desc, IPCount desc, then network
  std::vector<DetectionSummary> detections;  // the detections that ran, in output order (beacon first)
  std::vector<FileReport> files;
  std::vector<std::string> notices;
  uint64_t groupsConsidered = 0;
  // Groups that straddle the lookback cutoff and could make a row: their rows must be counted one
  // by one. Feed the files again between Analysis::beginCollect(collectGroups) and endCollect(),
  // then finish() again. Empty when now was set before reading (Analysis::setNow).
  std::vector<uint64_t> collectGroups;
  std::string mode = "seed";
  bool asnDatabaseLoaded = false;
};

const DetectionSummary* findSummary(const Results& r, std::string_view detection);

// A beacon row as its jsonl object: the seed's names and types, the columns beyond them, and
// Detection, Score and Reasons.
nlohmann::json rowToJson(const ResultRow& r);
nlohmann::json inboundRowToJson(const InboundRow& r);
nlohmann::json signinRowToJson(const SignInRow& r);
nlohmann::json infrastructureRowToJson(const InfrastructureRow& r);
nlohmann::json fileReportToJson(const FileReport& f);
// {"now", "nowSource", "mode", "files", "notices", ..., "detections": {"beacon": {"rowCount",
// "rows": [...], ...}, ...}}: the --format json document, as a tree (the page; small results).
nlohmann::json resultsToJson(const Results& r);
// The same without rows: each detection's section has its columns and counts (what a front end that
// pages through rows needs first); "detectionOrder" lists the detections in output order.
nlohmann::json statusToJson(const Results& r);
// statusToJson(r) with extra's members added, dumped as the Session's dump() writes it (replacing
// invalid UTF-8), without building the detections' sections as a tree.
std::string statusJsonText(const Results& r, nlohmann::json extra);
std::string statusJsonText(const Results& r);
nlohmann::json schemasToJson();  // every detection's section without counts: columns and views

}  // namespace vpshunt
