#include "detections/kql_common.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "vpshunt/time.hpp"

namespace vpshunt {

namespace kql {

namespace {

// Decodes one UTF-8 sequence at s[i]; returns the code point (U+FFFD for an invalid or truncated
// sequence, an overlong form or a surrogate) and advances i past what was consumed.
uint32_t nextCodePoint(std::string_view s, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  int len = (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : (b0 & 0xF8) == 0xF0 ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  uint32_t cp = b0 & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return 0xFFFD;
  }
  i += size_t(len);
  return cp;
}

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

const char* targetTitle(KqlTarget t) {
  switch (t) {
    case KqlTarget::Sentinel: return "Microsoft Sentinel (Log Analytics workspace)";
    case KqlTarget::Defender: return "Microsoft Defender XDR advanced hunting";
    case KqlTarget::Adx: return "Azure Data Explorer (a cluster holding the Sentinel tables)";
  }
  return "";
}

}  // namespace

std::string quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (size_t i = 0; i < text.size();) {
    const uint32_t cp = nextCodePoint(text, i);
    switch (cp) {
      case '\\': out += "\\\\"; continue;
      case '"': out += "\\\""; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      default: break;
    }
    if (cp < 0x20 || cp == 0x7F || cp == 0x85 || cp == 0x2028 || cp == 0x2029) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", unsigned(cp));
      out += buf;
    } else {
      appendUtf8(out, cp);
    }
  }
  out += '"';
  return out;
}

std::string inList(const std::vector<std::string>& items) {
  if (items.empty()) return "(dynamic([]))";
  std::string out = "(";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += quote(items[i]);
  }
  return out + ")";
}

std::string dynamicList(const std::vector<std::string>& items) {
  if (items.empty()) return "dynamic([])";
  std::string out = "dynamic([\n";
  std::string line;
  for (size_t i = 0; i < items.size(); ++i) {
    std::string item = quote(items[i]);
    const bool last = i + 1 == items.size();
    // The line as it would be with this item (and the comma that follows all but the last).
    size_t width = (line.empty() ? 2 : line.size() + 1) + item.size() + (last ? 0 : 1);
    if (!line.empty() && width > 80) {
      out += line + "\n";
      line.clear();
    }
    line += line.empty() ? "  " : " ";
    line += item;
    if (!last) line += ',';
  }
  out += line + "\n])";
  return out;
}

std::string duration(int64_t minutes) {
  if (minutes % (24 * 60) == 0 && minutes / (24 * 60) > 1) return std::to_string(minutes / (24 * 60)) + "d";
  if (minutes % 60 == 0) return std::to_string(minutes / 60) + "h";
  return std::to_string(minutes) + "m";
}

std::string real(double v) {
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s = buf;
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

std::string comment(std::string_view text) {
  std::string out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    out += line.empty() ? "//\n" : "// " + std::string(line) + "\n";
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return out;
}

std::string header(std::string_view detection, const Rule& rule, KqlTarget target,
                   const std::vector<std::string>& notExpressed, const std::vector<std::string>& differences) {
  std::string h = "vpshunt: the \"" + std::string(detection) + "\" detection as KQL, " + rule.mode + " mode, for " +
                  targetTitle(target) + ".\n";
  h += "Every parameter of the rule in force that KQL can express is a literal below.\n";
  h += "Not expressed in this query:";
  if (notExpressed.empty()) h += " none.\n";
  else {
    h += "\n";
    for (const auto& n : notExpressed) h += "  - " + n + "\n";
  }
  h += "Where results can differ from vpshunt's own:\n";
  for (const auto& d : differences) h += "  - " + d + "\n";
  return comment(h.substr(0, h.size() - 1)) + "\n";
}

const std::string* field(const KqlRow& row, std::string_view name) {
  auto it = row.find(name);
  return it == row.end() ? nullptr : &it->second;
}

std::string datetimeLiteral(const KqlRow& row, std::string_view name, int64_t offsetMinutes) {
  const std::string* v = field(row, name);
  Ticks t;
  if (!v || !parseIsoTime(*v, t)) return {};
  return "datetime(" + formatIsoTime(t + offsetMinutes * kTicksPerMinute) + ")";
}

std::string hostingTable(KqlTarget target, const KqlOptions& options) {
  const std::string projection =
      "    | project HostingCidr = tostring(Cidr), RemoteASN = tolong(Asn), HostingProvider = tostring(Provider),\n"
      "              HostingCategory = tostring(Category), HostingConfidence = tostring(Confidence),\n"
      "              RemoteOrg = tostring(Org), HostingReason = tostring(Reason)";
  if (target == KqlTarget::Sentinel) return "_GetWatchlist('VpsHosting')\n" + projection;
  std::string url = options.hostingCsvUrl.empty() ? std::string(kHostingUrlPlaceholder) : options.hostingCsvUrl;
  return "externaldata (Cidr:string, Asn:string, Provider:string, Category:string, Confidence:string, Org:string,\n"
         "    Reason:string)\n"
         "    [h" + quote(url) + "]\n"
         "    with (format=\"csv\", ignoreFirstRecord=true)\n" + projection;
}

std::string hostingLets(KqlTarget target, const KqlOptions& options) {
  std::string q = "let Hosting = materialize(" + hostingTable(target, options) + ");\n";
  q += "let HostingV4 = Hosting | where HostingCidr !contains \":\";\n";
  if (target == KqlTarget::Adx) q += "let HostingV6 = Hosting | where HostingCidr contains \":\";\n";
  return q;
}

std::string attributed(KqlTarget target, const std::string& name) {
  std::string q = "union\n";
  q += "    (" + name + " | where isnotnull(parse_ipv4(RemoteIP))\n";
  q += "        | evaluate ipv4_lookup(HostingV4, RemoteIP, HostingCidr, return_unmatched = true)),\n";
  if (target == KqlTarget::Adx)
    q += "    (" + name + " | where isnull(parse_ipv4(RemoteIP))\n"
         "        | evaluate ipv6_lookup(HostingV6, RemoteIP, HostingCidr, return_unmatched = true))\n";
  else
    q += "    (" + name + " | where isnull(parse_ipv4(RemoteIP))\n"
         "        | extend HostingCidr = \"\", RemoteASN = long(null), HostingProvider = \"\", HostingCategory = \"\",\n"
         "                 HostingConfidence = \"\", RemoteOrg = \"\", HostingReason = \"\")\n";
  return q;
}

void hostingDifferences(KqlTarget t, const KqlOptions& options, std::vector<std::string>& differences) {
  differences.push_back("hosting attribution comes from the VpsHosting watchlist (vpshunt --export-watchlist), which "
                        "holds the hosting ranges only: RemoteASN and RemoteOrg are null for addresses outside them, "
                        "where vpshunt names any AS; and an AS that vpshunt infers from attacks in the loaded data "
                        "(inferred-activity) is not in it");
  if (t != KqlTarget::Adx)
    differences.push_back("IPv6 addresses get no hosting attribution (ipv6_lookup is not available on this target; "
                          "the adx form has it)");
  if (t == KqlTarget::Sentinel)
    differences.push_back("import the watchlist first: alias VpsHosting, SearchKey Cidr (README, Run it at scale)");
  else
    differences.push_back("the watchlist file must be reachable by the service at the externaldata URL below" +
                          std::string(options.hostingCsvUrl.empty() ? " (a placeholder: replace it, or give "
                                                                      "--watchlist-url)"
                                                                    : ""));
}

std::string canonicalRemoteIp(std::string_view column) {
  const std::string c(column);
  return "| extend RemoteIP = iff(" + c + " startswith \"::ffff:\" and isnotnull(parse_ipv4(substring(" + c + ", 7))),\n"
         "    substring(" + c + ", 7), " + c + ")\n";
}

std::string tiReason() {
  return "iff(IsTIMatch, strcat(\"TI: \", iff(isempty(ThreatType), \"match\", ThreatType),\n"
         "        iff(isnull(TIConfidence), \"\", strcat(\" (confidence \", tolong(TIConfidence), \")\"))), \"no TI\")";
}

// The detections that have a KQL form, in the page's order. A new detection adds one line here.
static const KqlDetection* const kDetections[] = {&kBeaconKql, &kInboundKql, &kSignInKql, &kInfrastructureKql};

}  // namespace kql

std::string_view kqlTargetName(KqlTarget t) {
  switch (t) {
    case KqlTarget::Sentinel: return "sentinel";
    case KqlTarget::Defender: return "defender";
    case KqlTarget::Adx: return "adx";
  }
  return "";
}

bool parseKqlTarget(std::string_view name, KqlTarget& out) {
  for (KqlTarget t : {KqlTarget::Sentinel, KqlTarget::Defender, KqlTarget::Adx})
    if (name == kqlTargetName(t)) {
      out = t;
      return true;
    }
  return false;
}

std::vector<std::string> kqlDetections() {
  std::vector<std::string> names;
  for (const kql::KqlDetection* d : kql::kDetections) names.emplace_back(d->name);
  return names;
}

namespace {

const kql::KqlDetection& findDetection(std::string_view name) {
  for (const kql::KqlDetection* d : kql::kDetections)
    if (name == d->name) return *d;
  std::string known;
  for (const kql::KqlDetection* d : kql::kDetections) known += std::string(known.empty() ? "" : ", ") + d->name;
  // The name is shown as a quoted literal: it may hold anything.
  throw KqlError("no KQL export for the detection " + kql::quote(name) + " (detections with one: " + known + ")");
}

}  // namespace

std::string exportKql(const Rule& rule, KqlTarget target, std::string_view detection, const KqlOptions& options) {
  return findDetection(detection).query(rule, target, options);
}

std::vector<KqlPivot> pivotQueries(std::string_view detection, const KqlRow& row, KqlTarget target,
                                   const KqlOptions& options) {
  const kql::KqlDetection& d = findDetection(detection);
  return d.pivots ? d.pivots(row, target, options) : std::vector<KqlPivot>{};
}

}  // namespace vpshunt
