// The rule in force, written as KQL for where the tenant's data lives: Microsoft Sentinel (Log
// Analytics), Microsoft Defender XDR advanced hunting, or an Azure Data Explorer cluster that holds
// the same tables. Also the hosting ranges as a watchlist file, and per-row investigation queries.
//
//   vpshunt::Rule rule = vpshunt::ruleFromJson(json);             // the analyst's tuned rule
//   std::string q = vpshunt::exportKql(rule, vpshunt::KqlTarget::Sentinel, "beacon");
//   // q: one query (a header comment, then `let` statements and one tabular expression)
//
// Contract of every exported query:
//  * it is text for the target's query editor, with every rule parameter that KQL can express
//    written into it as a literal (`let` at the top where the seed has one); a parameter the query
//    cannot express, and every way the query's results can differ from vpshunt's own, is named in
//    the header comment, never silently dropped;
//  * every string that comes from the rule or from a row (process names, device names, command
//    lines) is written as a KQL string literal through one quoting function: no value can end the
//    literal, start a comment or add an operator, whatever bytes it holds (invalid UTF-8 becomes
//    U+FFFD). Comments never contain such values;
//  * its result columns are a subset of the columns vpshunt writes for that detection (jsonl keys),
//    with the same meaning;
//  * in seed mode with the seed's defaults, target sentinel, the beacon query is the seed KQL
//    itself, corrected for the real DeviceNetworkEvents schema (AccountName is
//    InitiatingProcessAccountName; the byte sums, which no Defender table has, are null columns).
// Queries are checked in tests by Microsoft's own KQL analyser (Kusto.Language) against the tables'
// documented schemas (tests/kql/schemas/).
//
// Adding a detection's KQL: one source file under core/src/detections/<name>/kql.cpp defining a
// KqlDetection (see core/src/detections/kql_common.hpp) and one line in the table in
// kql_common.cpp.
#pragma once
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "vpshunt/asn.hpp"
#include "vpshunt/rule.hpp"

namespace vpshunt {

enum class KqlTarget { Sentinel, Defender, Adx };

// "sentinel", "defender", "adx"; parse returns false for anything else (case-sensitive).
std::string_view kqlTargetName(KqlTarget t);
bool parseKqlTarget(std::string_view name, KqlTarget& out);

// An unknown detection name, or a row without the fields a pivot needs. what() is one sentence
// naming the value at fault and the accepted ones.
struct KqlError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct KqlOptions {
  // Where the watchlist file (writeWatchlist) is hosted, for the targets that read it with
  // externaldata (adx, defender): an https URL, e.g. a blob with a SAS token (written as an
  // obfuscated literal, h"...", so the token stays out of the service's query logs). Empty: a
  // placeholder URL that the header comment says to replace.
  std::string hostingCsvUrl;
};

// The detections that have a KQL form, in the order the page shows them ("beacon", ...).
std::vector<std::string> kqlDetections();

// One query for `detection` under `rule` (its mode, "seed" or "beyond", chooses the form).
// Throws KqlError for an unknown detection. Never throws for a valid Rule.
std::string exportKql(const Rule& rule, KqlTarget target, std::string_view detection, const KqlOptions& options = {});

// The hosting ranges as a CSV that Sentinel imports as a watchlist (alias VpsHosting, SearchKey
// Cidr; "CSV file with a header", 0 lines before the header row), and that externaldata reads:
//   Cidr,Asn,Provider,Category,Confidence,Org,Reason
//   45.32.0.0/16,20473,Vultr (Choopa),vps,listed,"The Constant Company, LLC",AS20473 Vultr (Choopa) (vps)
// One row per CIDR-aligned block of every ASN-database range that attribute() calls hosting
// without attack evidence (listed on `hosting`, or inferred from the organisation name), IPv4 then
// IPv6, in address order (a start-end range becomes the fewest CIDRs that cover it exactly).
// Provider, Category, Confidence and Reason are attribute()'s (the reason is the text vpshunt puts
// first in VpsReasons). Cells are RFC 4180 quoted when they hold `,` `"`; control characters
// become spaces; a cell starting with = + - @ gets a leading ' (as vpshunt's CSV output). Lines
// end with CRLF. `write` receives pieces in order (a few KiB each); returns the number of rows.
size_t writeWatchlist(const AsnDatabase& db, const HostingList& hosting,
                      const std::function<void(std::string_view)>& write);

// An investigation query for one result row: what an analyst checks next.
struct KqlPivot {
  std::string id;     // stable, e.g. "process-tree"
  std::string title;  // one line for a button, e.g. "Process tree on the device"
  std::string query;  // complete KQL for the target
};

// Row fields by jsonl name (e.g. "DeviceName", "RemoteIP", "FirstConnection"), as text; a list
// cell (Targets, Users, RemoteIPs) as its JSON text. Values are attacker-controlled; they are only
// ever written as quoted literals (times, addresses, networks and AS numbers are parsed and
// rewritten, never copied). A pivot whose fields are missing or unparseable is left out. The pivots,
// in order (each only when its fields are there):
//   beacon:         process-tree, binary, address-fleet, network, account-signins
//   inbound:        address-everywhere, logons-from-source, processes-after-contact, network, asn
//   signin:         user-signins, address-everywhere, network, asn
//   infrastructure: network-everywhere, network-beacons, network-signins, asn
// ("asn" for a hosting row with a RemoteASN, through the VpsHosting watchlist). On defender, a
// pivot reads advanced-hunting tables only and its comment names the Sentinel tables it cannot reach.
// Throws KqlError for an unknown detection.
using KqlRow = std::map<std::string, std::string, std::less<>>;
std::vector<KqlPivot> pivotQueries(std::string_view detection, const KqlRow& row, KqlTarget target,
                                   const KqlOptions& options = {});

}  // namespace vpshunt
