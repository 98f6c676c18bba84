// The rule's suppressions (vpshunt/rule.hpp, Suppression) made ready for the detections' finish:
// addresses and ranges parsed, names folded once. Which entry takes a row out, or names it known
// software, is decided here, in one place, for every detection that applies them.
//
//   SuppressionMatcher m(rule.suppressions);
//   int e = m.beacon(device, account, process, commandLine, ip);   // -1: the row stays
//
// An entry whose address does not parse (a Rule built in code; ruleFromJson refuses them) never
// matches. The matcher holds views of the Rule's strings: it must not outlive the rule.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vpshunt/ip.hpp"
#include "vpshunt/rule.hpp"

namespace vpshunt {

class SuppressionMatcher {
 public:
  explicit SuppressionMatcher(const std::vector<Suppression>& list);
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  const Suppression& entry(int i) const { return *entries_[size_t(i)].s; }

  // The first flow, process or destination entry that takes this beacon row out, or -1.
  int beacon(std::string_view device, std::string_view account, std::string_view process,
             std::string_view commandLine, const IpAddress& ip) const;
  // The first destination entry whose address or range holds this inbound source, or -1.
  int source(const IpAddress& ip) const;
  // The first knownSoftware entry that names this process (file name, path as the export wrote it)
  // calling `ip`, or -1.
  int knownSoftware(std::string_view process, std::string_view folder, const IpAddress& ip) const;

  // "12 rows suppressed by 2 rule entries (suppressions)": the notice for `counts` (rows per entry,
  // of the entries that take rows out); empty when no row was taken out.
  std::string notice(std::string_view detection, const std::vector<uint64_t>& counts) const;

 private:
  struct Entry {
    const Suppression* s;
    IpAddress net;
    int prefix = 128;
    bool addressOk = false;
    std::string folder;  // knownSoftware: ASCII-lowercase, '/' as '\'
  };
  bool holds(const Entry& e, const IpAddress& ip) const { return e.addressOk && cidrContains(e.net, e.prefix, ip); }
  std::vector<Entry> entries_;
};

// ASCII-lowercase with '/' as '\': how a knownSoftware entry's folder and a flow's path compare.
std::string foldPath(std::string_view path);

}  // namespace vpshunt
