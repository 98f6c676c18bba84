// The beacon detection's use of the known-software catalogue and of the analyst's knownSoftware
// entries (issue 13, parts 2 and 3): which product a flow's process is, and how beyond mode scores
// it. The points are documented at KnownSoftwareFinding (beacon.hpp) and in the README.
#include "detections/beacon/beacon.hpp"
#include "enrich/known_software.hpp"
#include "tuning/suppressions.hpp"

namespace vpshunt {

std::optional<KnownSoftwareFinding> BeaconDetection::knownSoftwareOfRow(uint64_t id, IpFactsTable& facts,
                                                                        const Rule& rule) const {
  uint32_t fi;
  if (id < groups_.size()) fi = groups_[id].flow;
  else if (id >= flowIdBase() && id - flowIdBase() < flowCount()) fi = uint32_t(id - flowIdBase());
  else return std::nullopt;
  const SuppressionMatcher marks(rule.suppressions);
  KnownSoftwareFinding f = knownSoftwareOf(fi, facts.get(flow(fi).ip()), facts.haveAsnDatabase(), marks);
  const ProcessIdentity identity = flow(fi).process();
  f.folder = std::string(identity.folder);
  f.folderDisagrees = identity.mixed || identity.overlong;
  return f;
}

int BeaconDetection::markOf(uint32_t fi, const SuppressionMatcher& marks) const {
  const Flow f = flow(fi);
  const ProcessIdentity id = f.process();
  if (id.mixed || id.overlong) return -1;
  return marks.knownSoftware(f.part(2), id.present ? id.folder : std::string_view(), f.ip());
}

KnownSoftwareFinding BeaconDetection::knownSoftwareOf(uint32_t fi, const IpFacts& facts, bool haveAsnDatabase,
                                                      const SuppressionMatcher& marks) const {
  KnownSoftwareFinding out;
  const Flow f = flow(fi);
  const ProcessIdentity id = f.process();
  const std::string_view fileName = f.part(2);
  const KnownSoftwareCatalog& catalog = KnownSoftwareCatalog::builtin();
  KnownSoftwareProcess proc{fileName, id.folder, id.company, id.product};
  HostingAttribution none;
  const KnownSoftwareDestination dest = KnownSoftwareDestination::of(haveAsnDatabase ? facts.hosting : none);
  const KnownSoftwareMatch m = catalog.match(proc, dest);
  const int mark = marks.empty() ? -1 : marks.knownSoftware(fileName, id.present ? id.folder : std::string_view(), f.ip());

  if (id.mixed || (id.overlong && (m.nameMatched() || mark >= 0))) {
    // Rows of one flow that disagree about their binary (or version info too long to compare):
    // one of them could be an impostor in the other's traffic. Named by nothing, catalogue or mark.
    if (!m.nameMatched() && mark < 0) return out;
    std::string what = mark >= 0 ? std::string("marked as known software (") + marks.entry(mark).product + ")"
                                 : std::string("a ") + catalog.products()[m.product].name + " name";
    std::string_view file = fileName.empty() ? std::string_view("the process") : fileName;
    if (id.mixed) {
      auto note = mixedNotes_.find(fi);
      out.reason = std::string(file) + " is " + what + ", but the rows of this flow disagree about its binary (" +
                   (note != mixedNotes_.end() ? note->second : std::string("folder or version info")) +
                   "): not recognised as known software";
    } else {
      out.reason = std::string(file) + " is " + what +
                   ", but its version info is longer than 256 bytes: not recognised as known software";
    }
    return out;
  }
  if (mark >= 0) {
    const Suppression& s = marks.entry(mark);
    out.product = s.product;
    out.reason = "marked as known software by " + s.who + ": " + s.why;
    out.points = -40;
    return out;
  }
  if (!m.nameMatched()) return out;
  catalog.describe(m, proc, dest, out.reason);
  using V = KnownSoftwareVerdict;
  switch (m.verdict) {
    case V::Matched: {
      out.product = std::string(catalog.productName(m));
      out.reason = "known software: " + out.reason;
      const int weak = int(m.userFolder) + int(m.sharedNetwork || m.viaCloud);
      out.points = weak == 0 ? -40 : weak == 1 ? -25 : -15;
      break;
    }
    case V::WrongFolder:
    case V::WrongCompany:
    case V::WrongProduct: out.points = 10; break;
    case V::BadPath:
      out.points = m.pathProblem == KnownSoftwarePathProblem::Traversal || m.pathProblem == KnownSoftwarePathProblem::Unc ? 10 : 0;
      break;
    default: break;
  }
  return out;
}

}  // namespace vpshunt
