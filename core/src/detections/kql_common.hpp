// Shared pieces of the KQL export (vpshunt/kql.hpp): string literals, lists, durations, the header
// comment, the target-dependent table names, and the table of detections that have a KQL form.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "vpshunt/ip.hpp"
#include "vpshunt/kql.hpp"
#include "vpshunt/rule.hpp"

namespace vpshunt::kql {

// `"..."`: a KQL string literal that evaluates to exactly `text` (invalid UTF-8 as U+FFFD). `\` and
// `"` are escaped; newline, carriage return and tab as \n \r \t; every other control character,
// DEL, U+0085, U+2028 and U+2029 as \uXXXX, so a literal never spans lines in any editor. The
// result holds no raw byte below 0x20, so it can be pasted on one line and cannot end early.
std::string quote(std::string_view text);

// `("a", "b")` for `in (...)`; an empty list is `(dynamic([]))` (KQL has no empty literal list).
std::string inList(const std::vector<std::string>& items);

// `dynamic([` ... `])` with the items quoted, wrapped greedily into lines of at most 80 columns
// (two-space indent), as the seed writes its exclusion lists; an empty list is `dynamic([])`.
std::string dynamicList(const std::vector<std::string>& items);

// A timespan literal for whole minutes, as the seed writes them: `Nd` for a whole number of days
// above one, `Nh` for whole hours (so 1440 minutes is `24h`), else `Nm`.
std::string duration(int64_t minutes);

// A real literal that KQL reads back as the same double (shortest round-trip form, always with a
// decimal point or exponent): 0.6 -> `0.6`, 1 -> `1.0`.
std::string real(double v);

// Writes `// ` before each line of `text` (which must hold no rule or row value).
std::string comment(std::string_view text);

// The header every exported query starts with: what it is, for which target, and the lists of
// parameters not expressed and of differences from vpshunt's own results (each item one line).
std::string header(std::string_view detection, const Rule& rule, KqlTarget target,
                   const std::vector<std::string>& notExpressed, const std::vector<std::string>& differences);

// A detection's KQL. `query` builds the whole query (header included); `pivots` the row queries.
struct KqlDetection {
  const char* name;
  std::string (*query)(const Rule&, KqlTarget, const KqlOptions&);
  std::vector<KqlPivot> (*pivots)(const KqlRow&, KqlTarget, const KqlOptions&);
};

// One per detection, defined in core/src/detections/<name>/kql.cpp.
extern const KqlDetection kBeaconKql;
extern const KqlDetection kInboundKql;
extern const KqlDetection kSignInKql;
extern const KqlDetection kInfrastructureKql;

// A detection's query without its header: `let` statements and one tabular expression, adding to
// `notExpressed` and `differences` what the header must say. The infrastructure query wraps the
// three as functions (let BeaconRows = () { ... };), so each body must stand alone in a scope.
std::string beaconBody(const Rule&, KqlTarget, const KqlOptions&, std::vector<std::string>& notExpressed,
                       std::vector<std::string>& differences);
// The inbound and signin queries' `let` statements, ending with `let InboundScored = ...;`
// (`let SignInScored = ...;`, after `let SignInPairs = ...;`: one row per address and user).
// `standalone`: with the watchlist and address functions (hostingLets, addressFunctions);
// without, the caller has written them once.
std::string inboundLets(const Rule&, KqlTarget, const KqlOptions&, std::vector<std::string>& notExpressed,
                        std::vector<std::string>& differences, bool standalone);
std::string signinLets(const Rule&, KqlTarget, const KqlOptions&, std::vector<std::string>& notExpressed,
                       std::vector<std::string>& differences, bool standalone);
// IsInternalAddress(a) and IsAddress(a), as `let` functions; SpanText(d) ("9 min"); NameList(l, max)
// ("a, b and 3 more"); Percent(part, whole) (vpshunt's words::percent).
std::string addressFunctions();
// The signin Score and Reasons as `| extend` lines over the columns the signin query makes per
// address (also per network, by the infrastructure query): see signin/kql.cpp.
std::string signinScore(const Rule& rule);

// Shared by the detections' queries (defined in beacon/kql.cpp, where they began).
// Advanced hunting has no Sentinel TI table.
bool hasTiTable(KqlTarget t);
// `<source>` left-outer-joined on RemoteIP with the rule's TI (latest active indicator within
// tiLookbackMinutes), adding TINetworkIP, ThreatType, TIConfidence, TIDescription, IsTIMatch;
// on defender the columns are empty and IsTIMatch false.
std::string tiJoin(const Rule& r, KqlTarget t, const std::string& source, std::vector<std::string>& notExpressed,
                   std::vector<std::string>& differences);
// `column` in a suppression's address or CIDR (IPv4 ranges tested on IPv4 addresses only, IPv6 on
// IPv6); empty when `text` does not parse.
std::string addressCondition(const std::string& text, std::string_view column = "RemoteIP");

// `let Hosting = materialize(...)`, `let HostingV4 = ...` (and HostingV6 on adx), each line ending
// in `;`: the watchlist as hostingTable() gives it.
std::string hostingLets(KqlTarget target, const KqlOptions& options);
// `<name>` (a table with a string RemoteIP) with the watchlist's columns (HostingCidr, RemoteASN,
// HostingProvider, HostingCategory, HostingConfidence, RemoteOrg, HostingReason; empty or null
// outside every range), IPv4 by ipv4_lookup, IPv6 by ipv6_lookup on adx and unattributed elsewhere.
std::string attributed(KqlTarget target, const std::string& name);
// The header's lines on the watchlist for `target`.
void hostingDifferences(KqlTarget target, const KqlOptions& options, std::vector<std::string>& differences);
// `| extend RemoteIP = ...`: IPv4-mapped IPv6 addresses written as IPv4 (vpshunt's canonical form).
std::string canonicalRemoteIp(std::string_view column = "RemoteIP");
// A reason for a TI match as vpshunt words it ("TI: <type> (confidence N)", else "no TI").
std::string tiReason();

// Row-field helpers for pivots: the field's text, or nullptr when absent.
const std::string* field(const KqlRow& row, std::string_view name);
// `datetime(2026-11-24T14:00:00.0000000Z)` from an ISO 8601 value (parsed, then rewritten), shifted
// by `offsetMinutes`; empty when the value is absent or not a time.
std::string datetimeLiteral(const KqlRow& row, std::string_view name, int64_t offsetMinutes = 0);

// ---- pivots of the inbound, signin and infrastructure rows (kql_pivots.cpp) ----
// A list cell (the session writes it as JSON text, `["a", "b"]`): its non-empty items as text; a
// cell that is no JSON array is one item; absent or empty: none.
std::vector<std::string> listField(const KqlRow& row, std::string_view name);
// `ip` with every bit from `prefix128` on cleared; `base/prefix` with an IPv4 prefix as IPv4's.
IpAddress maskedAddress(const IpAddress& ip, int prefix128);
std::string cidrText(const IpAddress& base, int prefix128);
// A CIDR field, parsed and masked to its network; false when absent or not a CIDR.
bool parseNetworkField(const KqlRow& row, std::string_view name, IpAddress& base, int& prefix128);
// A positive AS number of at most 32 bits, digits only; false otherwise.
bool parseAsnField(const KqlRow& row, std::string_view name, int64_t& asn);
// A row in a hosting range: IsHosting is `true`, or (a row without IsHosting) HostingCategory is
// not empty.
bool isHostingRow(const KqlRow& row);
// `let WindowStart = ...; let WindowEnd = ...;`: the row's `first` minus `beforeMinutes` to its
// `last` (else `first`) plus `afterMinutes`; the last 30 days when the times are missing.
std::string windowLets(const KqlRow& row, std::string_view first, std::string_view last, int64_t beforeMinutes,
                       int64_t afterMinutes);
// `let Matches = (a:string) {...};` (with the lets it reads): true for one address (any spelling;
// IPv4 also as IPv4-mapped IPv6), for the addresses of a network, or for the hosting ranges of an
// AS in the VpsHosting watchlist.
std::string addressMatch(const IpAddress& ip);
std::string networkMatch(const IpAddress& base, int prefix128);
std::string asnMatch(int64_t asn, KqlTarget t, const KqlOptions& options);
// On defender, the comment lines naming the tables advanced hunting lacks; else empty.
std::string unreachableNote(KqlTarget t);
// A union of every table of the target that holds an address, rows where Matches() holds within
// WindowStart .. WindowEnd, as (Time, Source, Address, Who, Action, Detail, Port:long).
std::string observations(KqlTarget t);
// A union of the target's sign-in tables (both interactive and non-interactive) within the window,
// as (Time, Source, User, Address, App, Result, Succeeded:bool, Detail, Location, ClientApp,
// UserAgent); `byUser`: only the users in the dynamic `Users`; `byAddress`: only where Matches().
std::string signInEvents(KqlTarget t, bool byUser, bool byAddress);

// A pivot over observations(t) after `why` (comment lines), the defender note and `lets` (which
// define Matches and the window): per address (perAddress) or per table and party, then `extra`
// (`| ...` lines), the busiest first.
KqlPivot everywherePivot(std::string id, std::string title, const std::string& why, const std::string& lets, KqlTarget t,
                         bool perAddress, const std::string& extra);
// "asn": every address of the AS's hosting ranges across every table within `window` (windowLets).
KqlPivot asnPivot(int64_t asn, const std::string& window, KqlTarget t, const KqlOptions& options);
// "network" (the address's /24 or /48 across every table) and, for a hosting row (isHostingRow)
// with a RemoteASN, "asn".
void addressNetworkPivots(const KqlRow& row, const IpAddress& ip, const std::string& window, KqlTarget t,
                          const KqlOptions& options, std::vector<KqlPivot>& out);

// The hosting watchlist as a tabular expression for the target: _GetWatchlist('VpsHosting')
// (sentinel) or externaldata over options.hostingCsvUrl (adx, defender), projected to
// (HostingCidr:string, RemoteASN:long, HostingProvider:string, HostingCategory:string,
// HostingConfidence:string, RemoteOrg:string, HostingReason:string).
std::string hostingTable(KqlTarget target, const KqlOptions& options);
// The placeholder used when options.hostingCsvUrl is empty.
inline constexpr std::string_view kHostingUrlPlaceholder =
    "https://YOUR-STORAGE-ACCOUNT.blob.core.windows.net/YOUR-CONTAINER/VpsHosting.csv";

}  // namespace vpshunt::kql
