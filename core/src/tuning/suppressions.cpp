#include "tuning/suppressions.hpp"

#include "formats/record.hpp"

namespace vpshunt {

std::string foldPath(std::string_view path) {
  std::string out(path);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    else if (c == '/') c = '\\';
  }
  return out;
}

SuppressionMatcher::SuppressionMatcher(const std::vector<Suppression>& list) {
  entries_.reserve(list.size());
  for (const Suppression& s : list) {
    Entry e;
    e.s = &s;
    if (s.kind == Suppression::Kind::Flow) e.addressOk = parseIp(s.remoteIp, e.net);
    else if (s.kind != Suppression::Kind::Process) e.addressOk = parseCidr(s.remoteIp, e.net, e.prefix);
    if (s.kind == Suppression::Kind::KnownSoftware) e.folder = foldPath(s.folder);
    entries_.push_back(std::move(e));
  }
}

int SuppressionMatcher::beacon(std::string_view device, std::string_view account, std::string_view process,
                               std::string_view commandLine, const IpAddress& ip) const {
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    const Suppression& s = *e.s;
    bool hit = false;
    switch (s.kind) {
      case Suppression::Kind::Flow:
        hit = holds(e, ip) && device == s.device && account == s.account && process == s.process &&
              commandLine == s.commandLine;
        break;
      case Suppression::Kind::Process: hit = equalsIgnoreCaseAscii(process, s.process); break;
      case Suppression::Kind::Destination: hit = holds(e, ip); break;
      case Suppression::Kind::KnownSoftware: break;
    }
    if (hit) return int(i);
  }
  return -1;
}

int SuppressionMatcher::source(const IpAddress& ip) const {
  for (size_t i = 0; i < entries_.size(); ++i)
    if (entries_[i].s->kind == Suppression::Kind::Destination && holds(entries_[i], ip)) return int(i);
  return -1;
}

int SuppressionMatcher::knownSoftware(std::string_view process, std::string_view folder, const IpAddress& ip) const {
  std::string folded;
  bool haveFolded = false;
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    if (e.s->kind != Suppression::Kind::KnownSoftware || !holds(e, ip) || !equalsIgnoreCaseAscii(process, e.s->process))
      continue;
    if (!haveFolded) {
      folded = foldPath(folder);
      haveFolded = true;
    }
    if (folded == e.folder) return int(i);
  }
  return -1;
}

std::string SuppressionMatcher::notice(std::string_view detection, const std::vector<uint64_t>& counts) const {
  uint64_t rows = 0, used = 0;
  for (size_t i = 0; i < counts.size() && i < entries_.size(); ++i) {
    if (entries_[i].s->kind == Suppression::Kind::KnownSoftware || !counts[i]) continue;
    rows += counts[i];
    ++used;
  }
  if (!rows) return {};
  return std::to_string(rows) + " " + std::string(detection) + (rows == 1 ? " row" : " rows") + " suppressed by " +
         std::to_string(used) + (used == 1 ? " rule entry" : " rule entries") + " (suppressions)";
}

}  // namespace vpshunt
