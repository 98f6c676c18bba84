// Shared pieces of the KQL export (vpshunt/kql.hpp): string literals, lists, durations, the header
// comment, the target-dependent table names, and the table of detections that have a KQL form.
#pragma once
#include <string>
#include <string_view>
#include <vector>

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

// Row-field helpers for pivots: the field's text, or nullptr when absent.
const std::string* field(const KqlRow& row, std::string_view name);
// `datetime(2026-11-24T14:00:00.0000000Z)` from an ISO 8601 value (parsed, then rewritten), shifted
// by `offsetMinutes`; empty when the value is absent or not a time.
std::string datetimeLiteral(const KqlRow& row, std::string_view name, int64_t offsetMinutes = 0);

// The hosting watchlist as a tabular expression for the target: _GetWatchlist('VpsHosting')
// (sentinel) or externaldata over options.hostingCsvUrl (adx, defender), projected to
// (HostingCidr:string, RemoteASN:long, HostingProvider:string, HostingCategory:string,
// HostingConfidence:string, RemoteOrg:string, HostingReason:string).
std::string hostingTable(KqlTarget target, const KqlOptions& options);
// The placeholder used when options.hostingCsvUrl is empty.
inline constexpr std::string_view kHostingUrlPlaceholder =
    "https://YOUR-STORAGE-ACCOUNT.blob.core.windows.net/YOUR-CONTAINER/VpsHosting.csv";

}  // namespace vpshunt::kql
