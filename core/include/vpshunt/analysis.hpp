// One analysis session: files in (as byte chunks of any size), results out.
//
//   vpshunt::Analysis a(rule);
//   a.beginFile("DeviceNetworkEvents.csv");        // kind and format detected from content
//   a.feed(chunk.data(), chunk.size());           // as many times as needed; copied as required
//   a.endFile();
//   vpshunt::Results r = a.finish();              // now = latest event time
//
// Files are read one at a time (begin, feed*, end). Memory grows with the number of groups, not
// with the number of rows. Nothing here throws for bad input: each file's problems land in its
// FileReport; a file that cannot be read at all is marked fatal and the others still count.
// finish() may be called again after setRule() (when ruleChangeNeedsReread() is false) or with a
// different `now`, without reading the files again.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vpshunt/asn.hpp"
#include "vpshunt/results.hpp"
#include "vpshunt/rule.hpp"
#include "vpshunt/table.hpp"
#include "vpshunt/time.hpp"

namespace vpshunt {

class AnalysisState;  // engine internals

class Analysis {
 public:
  explicit Analysis(Rule rule = Rule{});
  ~Analysis();
  Analysis(Analysis&&) noexcept;
  Analysis& operator=(Analysis&&) noexcept;

  // `format` empty = detect. Known names are listed by knownFormats().
  void beginFile(std::string path, FileKind kind = FileKind::Auto, std::string format = {});
  void feed(const void* data, size_t size);
  void endFile();
  // The front end could not read the current file (cannot open, corrupt gzip, ...): the file is
  // marked fatal with `message` unless records were already read, in which case the message is
  // added as a problem (the records before the damage still count).
  void fileError(std::string message);

  // Every detection's rows, kept as typed rows (Results::rows for beacon, Results::inbound, ...).
  Results finish(std::optional<Ticks> now = std::nullopt) const;
  // finish() without keeping the rows: each detection's rows are handed to `sink` as cells of its
  // table (vpshunt/table.hpp), table by table in the detections' order, each row as it is made, and
  // Results holds no row (DetectionSummary::rowCount says how many there were). Memory then holds a
  // few dozen bytes per row instead of the row. With no sink the rows are only counted
  // (collectGroups is filled as by finish()). What the writers use.
  Results finishEach(std::optional<Ticks> now, ResultSink* sink) const;
  // Only Results::collectGroups of a finish (what a collect pass must read): no row is made and
  // infrastructure is not rolled up, so it costs a fraction of finishEach on a result-heavy run.
  std::vector<uint64_t> collectGroups(std::optional<Ticks> now) const;

  const Rule& rule() const;
  // Replaces the rule. Returns true when the files must be read again (see ruleChangeNeedsReread);
  // in that case all aggregates and file reports are dropped and the caller re-feeds the files.
  bool setRule(Rule rule);
  // Which detections run (names from tableSchemas(): "beacon", "inbound", "signin",
  // "infrastructure"); empty: all of them. Infrastructure rolls up the other three, which then read
  // the files (and are finished) even when only it is asked for; only the named ones are output.
  // Returns true when the files must be read again (a detection was turned on that did not read
  // them; the aggregates are then dropped). Throws std::invalid_argument for an unknown name.
  bool setDetections(const std::vector<std::string>& detections);
  // Forgets every file read so far (aggregates, intel, reports); keeps the rule.
  void reset();

  // Rows read so far in the current file (for progress reporting).
  uint64_t recordsInCurrentFile() const;

  // Memory holds per-group aggregates only, never a row. Three things need rows again, and get them
  // from a collect pass that reads the files a second time for chosen groups:
  //  - groups that straddle the lookback cutoff (Results::collectGroups) when now was not set
  //    before reading;
  //  - the detail view of a row (its connections on a timeline);
  //  - (beyond the seed) periodicity.
  //   a.beginCollect(ids); for each file: beginFile/feed/endFile as before; a.endCollect();
  // The collect pass keeps the file reports of the first pass. Collected connections stay until
  // reset() or another collect for the same group.
  void beginCollect(const std::vector<uint64_t>& groupIds);
  void endCollect();

  // Sets now before reading: rows at or before now - lookback are dropped as they arrive, so no
  // group straddles the cutoff and no second pass is needed. finish() then uses this now.
  void setNow(std::optional<Ticks> now);

  // Hosting attribution (beyond the seed): the IP -> ASN database and the hosting list used for the
  // RemoteASN / RemoteOrg / IsHosting / HostingProvider columns. Without a database those columns
  // stay empty; the hosting list defaults to HostingList::builtin().
  void setAsnDatabase(std::shared_ptr<const AsnDatabase> db);
  void setHostingList(std::shared_ptr<const HostingList> list);
  // Ids at or above this name flows (beyond-mode rows) rather than hour groups.
  uint64_t flowIdBase() const;

  // The connections behind one result row (ResultRow::groupId), gathered by a collect pass: times in
  // ascending order with the remote port of each (-1: none). Without a collect pass for the group,
  // `complete` is false, `times` empty and `total` the group's count.
  // An inbound source's detail also has, per connection, its target (an index into targetNames)
  // and whether it was refused; ports are then the target (local) ports. A sign-in source's detail
  // (SignInRow::sourceId) has, per attempt, its user as the target and whether it failed as
  // refused; its ports are -1.
  struct GroupDetail {
    std::vector<Ticks> times;
    std::vector<int32_t> ports;
    std::vector<uint32_t> targets;
    std::vector<std::string> targetNames;
    std::vector<uint8_t> refused;
    uint64_t total = 0;
    bool complete = false;
  };
  GroupDetail detail(uint64_t groupId) const;

  // --- infrastructure detail (the signin-det branch) ---
  // The rows behind one infrastructure row (InfrastructureRow::networkId, its Row::key): each as
  // its detection's name and its row key (ResultRow::groupId, InboundRow::sourceId,
  // SignInRow::sourceId; what ResultStore::findRow takes), in the order the rows were made.
  // As of the last finish()/finishEach(); empty for a key it does not know.
  struct RowRef {
    std::string detection;
    uint64_t key = 0;
  };
  std::vector<RowRef> infrastructureMembers(uint64_t networkKey) const;
  // --- end infrastructure detail ---
  // --- tuning (issue 13) ---
  // What the known-software catalogue and the rule's knownSoftware entries say of beacon rows, by
  // key (ResultRow::groupId, the store's _key), in either mode. Seed mode's rows have no
  // KnownSoftware column (the seed rule knows nothing of it): the page asks here to show which seed
  // rows are known software. A key that names no beacon row is not `found`.
  struct KnownSoftwareNote {
    uint64_t key = 0;
    bool found = false;
    std::optional<std::string> product;  // the KnownSoftware value (null: nothing matched)
    std::string reason;                  // why, or why a catalogued name did not match; may be empty
    // The process's path as the export wrote it (InitiatingProcessFolderPath, Sysmon Image; empty when
    // the export has none): what a knownSoftware rule entry's "folder" takes. `folderDisagrees`: the
    // flow's rows name more than one path or version info, so no entry can name it.
    std::string folder;
    bool folderDisagrees = false;
  };
  std::vector<KnownSoftwareNote> knownSoftware(const std::vector<uint64_t>& keys) const;
  // --- end tuning ---

 private:
  friend class ParallelReader;  // threads (issue 12): ingest/parallel.cpp
  friend class Session;         // workers (issue 12): session_pieces.cpp
  std::unique_ptr<AnalysisState> state_;
};

// One input of a run: a path (or a name) and how to read it.
struct InputFile {
  std::string path;
  FileKind kind = FileKind::Auto;
  std::string format;  // a reader name, empty = detect
};

// How every front end reads (the CLI, the tests; web/engine.js does the same in JavaScript): every
// file once, then, when the results need rows again (Results::collectGroups: groups straddling the
// lookback cutoff, beyond mode's periodicity, inbound sources active before the cutoff), the event
// files (every file not given as intel) once more in a collect pass. `feed` reads one file into the
// analysis: beginFile, feed..., endFile (or fileError). The results are then made once, by the
// writer (writeResults) or finish(): this makes none of its own.
void readFiles(Analysis& analysis, const std::vector<InputFile>& files,
                  const std::function<void(Analysis&, const InputFile&)>& feed, std::optional<Ticks> now);

// --- threads (issue 12) ---
// readFiles on `threads` threads (natively; the wasm build reads on one). A file the front end can
// hand over whole in memory (`map` returns true with its bytes, valid until this returns) is cut
// into pieces at record boundaries (CSV, Zeek TSV, JSON Lines; ingest/split.hpp) read in parallel,
// each piece of at least `minPiece` bytes; other files (gzip, one JSON document, XML, ...) are read
// whole, each by one thread, several at once. The threads' aggregates are merged in the order of
// the input, so the results are then those of readFiles: the same rows in the same order with the same
// keys, the same file reports (a problem names its line in the file). Threat intel is read by the
// calling thread. threads <= 1: readFiles.
// `stats`, when given, says how the files were read.
using MapFile = std::function<bool(const InputFile&, std::string_view& bytes)>;
struct ThreadedStats {
  size_t piecesMerged = 0;  // pieces of cut files merged
  size_t filesCut = 0;      // files read in pieces
  size_t filesReadAgain = 0;  // cut files read again whole (their pieces read sign-ins, a Zeek log's second header, or a note of a later piece)
};
// `release`, when given, is told each stretch of the bytes `map` gave once it has been read (about
// a MiB at a time; the collect pass may read it again later, so it must stay readable): the CLI
// drops those pages from its mapping (madvise MADV_DONTNEED on a read-only file mapping), so that
// the process does not keep every page of the file it has read.
using ReleaseBytes = std::function<void(std::string_view bytes)>;
void readFilesThreaded(Analysis& analysis, const std::vector<InputFile>& files,
                          const std::function<void(Analysis&, const InputFile&)>& feed, const MapFile& map,
                          std::optional<Ticks> now, unsigned threads, size_t minPiece = size_t(8) << 20,
                          ThreadedStats* stats = nullptr, const ReleaseBytes& release = {});
// The default of --threads: the machine's cores, at most 8 (the merge is serial).
unsigned defaultThreads();
// --- end threads ---

// Format names the readers accept for `format`, with a one-line description each.
std::vector<std::pair<std::string, std::string>> knownFormats();

}  // namespace vpshunt
