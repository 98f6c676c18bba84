// The signin detection: authentication attempts from rented servers. One row per client address
// over the lookback: how many users it tried, how many attempts failed and why, who signed in
// successfully from it, to what, when, from which network, and a Score (0-100) from the evidence:
// the network's hosting category, the breadth of failing users (a password spray), brute force on
// one user, a success or an MFA stop after failures (a password found), a success from a rented
// server or through a commercial VPN, threat intelligence. Shared egress that carries many users'
// successful sign-ins (a security proxy such as Zscaler, a corporate gateway) and home ISPs score
// low. When the log names the client's ASN it is used, and the reasons say when the ASN database
// disagrees.
//
// Memory per source: its hour bins, its applications and result codes with a count each, and one
// small record per (source, user) pair; users, applications and codes are interned once. A source
// whose hours straddle the lookback cutoff is recounted exactly by a collect pass.
#pragma once
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "detections/counted_set.hpp"
#include "detections/detection.hpp"
#include "detections/flat_index.hpp"
#include "detections/record_table.hpp"
#include "events/signin_event.hpp"
#include "vpshunt/analysis.hpp"

namespace vpshunt {

const TableSchema& signinSchema();
class WireWriter;
class WireReader;

// The numbers one signin Score is made from: one address's sign-ins over the lookback, or all
// sign-ins from the addresses of one network (the infrastructure detection scores a distributed
// spray with the same function).
struct SignInEvidence {
  const HostingAttribution* hosting = nullptr;  // null or asn 0: no AS known
  uint64_t addresses = 1;
  uint64_t attempts = 0, failures = 0, successes = 0, interrupted = 0;
  uint64_t users = 0, failingUsers = 0, successUsers = 0;
  uint64_t maxUserFailures = 0;  // the most failures of one user
  std::string maxUserName;       // that user
  Ticks first = 0, last = 0;
  // Users whose success, or stop for MFA (the password was right), followed at least
  // rule.compromiseMinFailures failures of theirs from the same address.
  struct Found {
    std::string user;
    uint64_t failures = 0;
    bool allBefore = true;    // every failure came before the success
    bool stoppedOnly = false;  // no success: stopped for MFA or another step
  };
  std::vector<Found> found;
  std::vector<std::string> successNames;  // users who signed in successfully (up to 10)
  std::vector<std::string> topReasons;    // result codes in words, the most frequent first
  const IndicatorInfo* ti = nullptr;
};

struct SignInScore {
  int score = 0;
  std::vector<std::string> reasons;
  bool spray = false;  // the evidence met the spray thresholds
};
// The Score and its Reasons. `network` is the first reason (the attribution in words), `notes`
// follow it (e.g. the log's ASN against the database's). Weights: README "The signin detection".
SignInScore scoreSignIns(const SignInRule& rule, const SignInEvidence& e, std::string network, const std::vector<std::string>& notes = {});

// What a signin row hands to the infrastructure rollup besides the row itself: its evidence and
// its users and result codes by id (ids are this detection's, one per case-folded user name), so
// that a network counts distinct users across its addresses.
struct SignInUserTally {
  uint32_t user;
  uint32_t attempts, failures, successes, interrupted;
};
struct SignInContribution {
  const SignInEvidence& evidence;
  const std::vector<SignInUserTally>& users;
  const std::vector<std::pair<uint32_t, uint32_t>>& reasons;  // (code id, failures)
};

class SignInDetection final : public Detection {
 public:
  std::string_view name() const override { return "signin"; }
  const TableSchema& schema() const override { return signinSchema(); }
  void reset() override;
  bool sawEvents() const override { return !sources_.empty(); }

  void fileBegin(const Rule& rule);
  void fileEnd(FileReport& report);
  // One sign-in record: parsed (events/signin_event.hpp), filtered, aggregated. Returns true with
  // its `time` when the record had a readable time (the session's latest event time counts it).
  bool ingest(const RawSignIn& s, NetIngest& ctx, Ticks& time);

  using RowCallback = std::function<void(const SignInRow&, const SignInContribution&)>;
  void finish(const FinishContext& ctx, const RowCallback& onRow, DetectionSummary& summary, Results& results) const;
  void finishRows(const FinishContext& ctx, ResultSink* sink, DetectionSummary& summary, Results& results) const override;
  static void cells(const SignInRow& r, Row& out);
  // The sources that attacked, over everything loaded: a spray (rule.signin.sprayMinUsers users
  // with failures) or brute force (rule.signin.bruteForceMinFailures failures of one user).
  // Attribution's evidence (AttackEvidence). Cheap: the aggregates only.
  void noteAttackers(const Rule& rule, const std::function<void(const IpAddress&)>& attacker) const;

  std::string_view userName(uint32_t user) const { return userSpelling_[user]; }  // the first spelling seen
  // A result code in words: the rule's codeWords, else the tables of formats/signin_codes.hpp,
  // else the log's own text; "50126 wrong user name or password", "wrong password" (no code).
  std::string reasonWords(const SignInRule& rule, uint32_t reason) const;

  // Ids of sources (SignInRow::sourceId) start here: above the inbound detection's.
  static constexpr uint64_t idBase() { return uint64_t(1) << 42; }
  bool ownsId(uint64_t id) const { return id >= idBase() && id - idBase() < sources_.size(); }
  void beginCollect(const std::vector<uint64_t>& ids);
  void endCollect();
  // A source's attempts on a timeline (after a collect pass for it): times, the user of each
  // (targets / targetNames) and whether it failed (refused); ports are -1.
  Analysis::GroupDetail detail(uint64_t id) const;
  // threads (issue 12; merge.cpp beside this): adds what `other` read (same rule, neither
  // collecting) as if its rows had come after this one's; sources, names and their order as one read.
  void merge(SignInDetection&& other);
  // --- workers (issue 12): the aggregates merge() reads, as bytes (wire.cpp beside this;
  // core/src/wire.hpp). load() is for a detection that read nothing; it throws WireError. ---
  void save(WireWriter& w) const;
  void load(WireReader& r);

 private:
  struct Bin {
    int64_t bin;
    uint32_t attempts, failures, successes, interrupted;
    Ticks first, last;
  };
  struct Source {
    IpAddress ip;
    std::vector<Bin> bins;  // one per hour with attempts, usually in time order
    CountedSet apps;        // app id -> attempts
    CountedSet reasons;     // code id -> failures
    uint32_t logAsn = 0;    // the first ASN the log named for it
    bool logAsnMixed = false;
    uint32_t asOrg = UINT32_MAX;  // the log's organisation text (an id in asOrgs_), when it had one
  };
  // One (source, user): the counts and the times that say whether a success followed failures.
  struct Pair {
    uint32_t source, user;
    uint32_t attempts = 0, failures = 0, successes = 0, interrupted = 0;
    Ticks firstFailure = INT64_MAX, lastFailure = INT64_MIN, firstSuccess = INT64_MAX, firstStop = INT64_MAX;
    void add(SignInOutcome o, Ticks t);
  };
  // One attempt of a collected source (collect pass: the boundary recount and the detail view).
  struct Attempt {
    Ticks t;
    uint32_t user, reason, app;
    SignInOutcome outcome;
  };
  enum Filter { kBeforeLookback, kNoAddress, kNotPublic, kFilterCount };
  uint64_t filterCounts_[kFilterCount] = {};

  uint32_t intern(RecordTable<InternedName>& table, FileIngest& file, std::string_view key, uint64_t seed, const char* what);
  void addAttempt(uint32_t si, uint32_t user, uint32_t reason, uint32_t app, SignInOutcome o, Ticks t);

  std::unordered_map<IpAddress, uint32_t, IpHash> sourceIndex_;
  std::vector<Source> sources_;
  FlatIndex pairIndex_;  // source << 32 | user -> pairs_
  std::vector<Pair> pairs_;
  RecordTable<InternedName> users_;       // case-folded names
  std::vector<std::string> userSpelling_;  // by user id: the first spelling seen
  RecordTable<InternedName> apps_, reasons_, asOrgs_;  // reasons_: the code (lower case), else the text
  std::vector<std::string> reasonText_;    // by code id: the log's words the first time it was seen
  std::vector<uint8_t> reasonIsCode_;      // by code id: the key is a code (else it is the text)
  std::string folded_, foldedCode_;        // scratch: the user and the code being folded (no allocation per row)
  int64_t lookback_ = 24 * 60 * kTicksPerMinute;
  bool collecting_ = false;
  std::vector<uint8_t> collectWanted_;  // by source index
  std::unordered_map<uint32_t, std::vector<Attempt>> collected_;
};

}  // namespace vpshunt
