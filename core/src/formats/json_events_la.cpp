// Tables with positional rows: the Log Analytics query API and Kusto (ADX) v2 frames.
//
//   Log Analytics:  {"tables": [{"name": "PrimaryResult", "columns": [{"name", "type"}], "rows": [[...], ...]}]}
//   Kusto v2:       [{"FrameType": "DataSetHeader"}, {"FrameType": "DataTable", "TableKind": "PrimaryResult",
//                     "TableName", "Columns": [{"ColumnName", "ColumnType"}], "Rows": [[...]]}, ...]
//
// Each row's cells are mapped through its table's column names (eventFieldByName; TimeGenerated stands
// in for Timestamp when the table has none). A table without a RemoteIP column is not a table of
// network events: its rows are counted with other() and a note names it. Cells holding objects or
// arrays (dynamic columns) are passed over. The columns must come before the rows, as both APIs
// write them.
//
// Sign-in tables are recognised by their columns (the response names no table: `name` is
// "PrimaryResult"), see signin::familyOf: SigninLogs and its sibling tables, AADSignInEventsBeta /
// EntraIdSignInEvents, IdentityLogonEvents, SecurityEvent, AWSCloudTrail, Okta_CL. Their rows go to
// onSignIn through signin::Builder; in a union table each row's family is decided by its non-null
// cells. In a table with RemoteIP (DeviceNetworkEvents, DeviceLogonEvents, a union of both), a row
// whose ActionType is LogonSuccess / LogonFailed / LogonAttempted is a DeviceLogonEvents sign-in;
// every other row is read as a network event exactly as before.
//
// Firewall and flow tables (firewall_rows.hpp) are recognised by their columns too: CommonSecurityLog
// (a device vendor or product beside SourceIP / DestinationIP; its own RemoteIP column is not read)
// and tables with source and destination addresses but no RemoteIP (AZFW*, ASIM network sessions,
// flow analytics). Their rows become inbound or outbound network events by that file's rules.
#include <array>

#include "formats/firewall_rows.hpp"
#include "formats/json_events_common.hpp"
#include "formats/registry.hpp"
#include "formats/signin_rows.hpp"

namespace vpshunt {
namespace {

constexpr int kNoField = -1;

class TablesJsonReader final : public Reader, json::Handler {
 public:
  explicit TablesJsonReader(RecordSink& sink) : sink_(sink), stream_(*this) {
    cellBuf_.reserve(1024);
  }
  void feed(const char* data, size_t size) override { stream_.feed(data, size); }
  void finish() override {
    stream_.finish();
    emitter_.finish(sink_);
    if (!stream_.failed() && !sawRows_ && !sawColumns_)
      sink_.fatal(1, 1, "no \"tables\" with \"columns\" and \"rows\" found (is this a Log Analytics query API response?)");
  }

 private:
  enum class Role : uint8_t { Other, Columns, Column, Rows, Row };
  struct Frame {
    Role role;
    bool array;
  };
  struct Cell {
    uint32_t off = 0, len = 0;
    uint64_t line = 0, col = 0;
    bool present = false;
    bool null = false;
    uint32_t index = 0;  // the column's position (its name, for messages)
  };

  static bool isKey(std::string_view k, std::string_view a, std::string_view b) { return k == a || k == b; }

  void onToken(const json::Token& t) override {
    using K = json::TokenKind;
    if (skipping_) {
      if (t.isEnd() && t.depth == skipDepth_) {
        skipping_ = false;
        ++cell_;  // a dynamic cell (object or array) counts as one column
      }
      return;
    }
    Role parent = frames_.empty() ? Role::Other : frames_.back().role;
    bool inObject = !frames_.empty() && !frames_.back().array;
    switch (t.kind) {
      case K::Key:
        key_.assign(t.text.data(), t.text.size());
        return;
      case K::BeginArray: {
        Role r = Role::Other;
        if (parent == Role::Rows) {
          r = Role::Row;
          startRow(t);
        } else if (parent == Role::Row) {
          skipping_ = true;
          skipDepth_ = t.depth;
          return;
        } else if (inObject && isKey(key_, "columns", "Columns")) {
          r = Role::Columns;
          columns_.clear();
          sawColumns_ = true;
        } else if (inObject && isKey(key_, "rows", "Rows")) {
          r = Role::Rows;
          if (!tableReady_) prepareTable(t);
        }
        frames_.push_back({r, true});
        return;
      }
      case K::BeginObject:
        if (parent == Role::Row) {
          skipping_ = true;
          skipDepth_ = t.depth;
          return;
        }
        if (parent != Role::Columns && (frames_.empty() || frames_.back().array)) {
          // A new table (an element of "tables", or a Kusto frame) begins here.
          tableReady_ = false;
          tableName_.clear();
          tableKind_.clear();
        }
        frames_.push_back({parent == Role::Columns ? Role::Column : Role::Other, false});
        return;
      case K::EndArray: {
        Role r = frames_.back().role;
        frames_.pop_back();
        if (r == Role::Row) endRow();
        if (r == Role::Columns) prepareTable(t);
        return;
      }
      case K::EndObject:
        frames_.pop_back();
        return;
      default:
        break;
    }
    // Scalars.
    if (parent == Role::Row) {
      bool event = cell_ < colField_.size() && colField_[cell_] != kNoField;
      bool signIn = cell_ < colSignIn_.size() && colSignIn_[cell_] >= 0;
      bool role = cell_ < colRole_.size() && colRole_[cell_] >= 0;
      if (event || signIn || role) {
        Cell c;
        c.present = true;
        c.null = t.kind == K::Null;
        c.index = static_cast<uint32_t>(cell_);
        c.off = static_cast<uint32_t>(cellBuf_.size());
        c.len = t.kind == K::Null ? 0 : static_cast<uint32_t>(t.text.size());
        if (t.kind != K::Null) cellBuf_.append(t.text.data(), t.text.size());
        c.line = t.line;
        c.col = t.column;
        if (event) cells_[colField_[cell_]] = c;
        if (signIn) signCells_[colSignIn_[cell_]] = c;
        if (role) roleCells_[colRole_[cell_]] = c;
      }
      ++cell_;
    } else if (parent == Role::Column) {
      if (isKey(key_, "name", "ColumnName")) columns_.emplace_back(t.text);
    } else if (inObject) {
      if (isKey(key_, "name", "TableName")) tableName_.assign(t.text.data(), t.text.size());
      if (key_ == "TableKind") tableKind_.assign(t.text.data(), t.text.size());
    }
  }

  void prepareTable(const json::Token& t) {
    tableReady_ = true;
    colField_.assign(columns_.size(), kNoField);
    hasRemoteIp_ = false;
    bool hasTimestamp = false;
    int timeGenerated = -1;
    for (size_t i = 0; i < columns_.size(); ++i) {
      EventField f;
      if (eventFieldByName(columns_[i], f)) {
        // A union's duplicate (`RemoteIP_string` after `RemoteIP`) keeps the first.
        bool dup = false;
        for (size_t j = 0; j < i; ++j) dup |= colField_[j] == static_cast<int>(f);
        if (!dup) colField_[i] = static_cast<int>(f);
        hasRemoteIp_ |= f == EventField::RemoteIP;
        hasTimestamp |= f == EventField::Timestamp;
      } else if (jsonev::iequals(columns_[i], "TimeGenerated") || jsonev::iequals(columns_[i], "TimeGenerated [UTC]")) {
        timeGenerated = static_cast<int>(i);
      }
    }
    if (!hasTimestamp && timeGenerated >= 0) colField_[timeGenerated] = static_cast<int>(EventField::Timestamp);
    std::string name = tableName_.empty() ? "(unnamed)" : tableName_;
    prepareRoles();
    if (roleTable_) {
      colSignIn_.assign(columns_.size(), -1);
      signInTable_ = logonRows_ = false;
    } else {
      prepareSignIns();
    }
    if (!kindIsData()) {
      otherReason_ = "Kusto " + tableKind_ + " table";
    } else if (roleTable_) {
      roles_.announce(sink_);
    } else if (signInTable_) {
      otherReason_ = "table " + name + ": a row of no sign-in table";
    } else if (!hasRemoteIp_) {
      otherReason_ = "table " + name + " has no RemoteIP column";
      if (columns_.empty())
        sink_.note("table " + name + " has rows but no columns before them (line " + std::to_string(t.line) +
                   "): its rows are not read");
      else
        sink_.note("table " + name + " (" + std::to_string(columns_.size()) +
                   " columns) has no RemoteIP column: its rows are not network events");
    }
  }

  bool kindIsData() const { return tableKind_.empty() || tableKind_ == "PrimaryResult"; }

  // A firewall or flow table (see the file's comment): its columns by role.
  void prepareRoles() {
    colRole_.assign(columns_.size(), -1);
    uint32_t have = 0;
    for (size_t i = 0; i < columns_.size(); ++i) {
      fw::Col c;
      if (!fw::columnByName(columns_[i], c) || (have & fw::bit(c))) continue;
      have |= fw::bit(c);
      colRole_[i] = static_cast<int>(c);
      if (c == fw::Col::SourceIp) roleSourceName_ = columns_[i];
    }
    const fw::Family family = fw::familyOf(have);
    roleTable_ = family == fw::Family::Cef || (family == fw::Family::Sessions && !hasRemoteIp_);
    if (roleTable_) roles_.begin(family);
    else colRole_.assign(columns_.size(), -1);
  }

  void endRoleRow() {
    if (!checkRowLength()) return;
    roleRow_.clear();
    roleRow_.line = rowLine_;
    for (size_t c = 0; c < fw::kColCount; ++c) {
      const Cell& cell = roleCells_[c];
      if (!cell.present || cell.null) continue;
      roleRow_.set(fw::Col(c), std::string_view(cellBuf_.data() + cell.off, cell.len),
                   cell.line == rowLine_ ? static_cast<uint32_t>(cell.col) : 0);
    }
    if (!roles_.sourceReadable(roleRow_, roleSourceName_, sink_)) return;
    RawEvent e;
    e.line = rowLine_;
    roles_.fill(roleRow_, roles_.decide(roleRow_, sink_), e);
    sink_.onEvent(e);
  }

  // The table's sign-in columns and family (see the file's comment).
  void prepareSignIns() {
    colSignIn_.assign(columns_.size(), -1);
    signin::Row cols;
    for (size_t i = 0; i < columns_.size(); ++i) {
      signin::Col c;
      if (!signin::columnByName(columns_[i], c)) continue;
      bool dup = false;
      for (size_t j = 0; j < i; ++j) dup |= colSignIn_[j] == static_cast<int>(c);
      if (dup) continue;
      colSignIn_[i] = static_cast<int>(c);
      cols.set(c, signin::Value{});
    }
    family_ = signin::familyOf(cols);
    signInTable_ = !hasRemoteIp_ && family_ != signin::Family::None;
    logonRows_ = hasRemoteIp_ && cols.has(signin::Col::ActionType);
    if (!signInTable_ && !logonRows_) colSignIn_.assign(columns_.size(), -1);  // nothing to keep for sign-ins
  }

  void startRow(const json::Token& t) {
    sawRows_ = true;
    cell_ = 0;
    cellBuf_.clear();
    for (auto& c : cells_) c.present = false;
    if (roleTable_)
      for (auto& c : roleCells_) c.present = false;
    if (signInTable_ || logonRows_)
      for (auto& c : signCells_) c.present = false;
    rowLine_ = t.line;
    rowCol_ = t.column;
  }

  // The row's sign-in cells; null cells only when `withNulls` (a union's other tables leave theirs null).
  const signin::Row& signInRow(bool withNulls) {
    row_.clear();
    row_.line = rowLine_;
    row_.column = rowCol_;
    for (size_t c = 0; c < signin::kColCount; ++c) {
      const Cell& cell = signCells_[c];
      if (!cell.present || (cell.null && !withNulls)) continue;
      signin::Value v;
      v.text = std::string_view(cellBuf_.data() + cell.off, cell.len);
      v.name = columns_[cell.index];
      v.line = cell.line;
      v.column = cell.col;
      v.null = cell.null;
      row_.set(signin::Col(c), v);
    }
    return row_;
  }

  void emitSignIn(signin::Family fam) {
    signInRow(/*withNulls=*/true);
    std::string_view type = row_.text(signin::Col::Type);
    row_.source = !type.empty() ? type : signin::familyName(fam);
    switch (fam) {
      case signin::Family::IdentityLogon: builder_.defenderLogon(row_, /*device=*/false, sink_); break;
      case signin::Family::DeviceLogon: builder_.defenderLogon(row_, /*device=*/true, sink_); break;
      case signin::Family::Windows: builder_.windows(row_, sink_); break;
      case signin::Family::CloudTrail: builder_.cloudTrail(row_, sink_); break;
      case signin::Family::Okta: builder_.okta(row_, sink_); break;
      default: builder_.entra(row_, sink_); break;
    }
  }

  bool checkRowLength() {
    if (cell_ == columns_.size()) return true;
    sink_.skip("row length differs from the columns", rowLine_, rowCol_,
               "expected " + std::to_string(columns_.size()) + " cells as in \"columns\", found " +
                   std::to_string(cell_));
    return false;
  }

  void endRow() {
    if (kindIsData() && roleTable_) {
      endRoleRow();
      return;
    }
    if (kindIsData() && signInTable_) {
      if (!checkRowLength()) return;
      signin::Family fam = signin::familyOf(signInRow(/*withNulls=*/false));
      if (fam == signin::Family::None) fam = family_;
      if (fam == signin::Family::IdentityLogon || fam == signin::Family::DeviceLogon) {
        std::string_view action = row_.text(signin::Col::ActionType);
        if (!signin::isLogonAction(action)) {
          sink_.other(otherReason_);
          return;
        }
      }
      emitSignIn(fam);
      return;
    }
    if (!kindIsData() || !hasRemoteIp_) {
      sink_.other(otherReason_);
      return;
    }
    if (!checkRowLength()) return;
    if (logonRows_) {
      const Cell& a = signCells_[static_cast<size_t>(signin::Col::ActionType)];
      if (a.present && signin::isLogonAction(std::string_view(cellBuf_.data() + a.off, a.len))) {
        emitSignIn(signin::Family::DeviceLogon);
        return;
      }
    }
    RawEvent e;
    e.line = rowLine_;
    for (size_t f = 0; f < kEventFieldCount; ++f) {
      const Cell& c = cells_[f];
      if (!c.present) continue;
      e.set(static_cast<EventField>(f), std::string_view(cellBuf_.data() + c.off, c.len),
            c.line == rowLine_ ? static_cast<uint32_t>(c.col) : 0);
    }
    emitter_.emit(sink_, e);
  }

  void onError(const json::Error& e) override {
    if (!sawRows_)
      sink_.fatal(e.line, e.column, e.message);
    else
      sink_.skip("malformed JSON", e.line, e.column, e.message + " (the rest of the file was not read)");
  }

  RecordSink& sink_;
  json::Stream stream_;
  std::vector<Frame> frames_;
  std::string key_, tableName_, tableKind_, otherReason_;
  std::vector<std::string> columns_;
  std::vector<int> colField_;
  std::array<Cell, kEventFieldCount> cells_{};
  std::vector<int> colSignIn_;  // column -> signin::Col, or -1
  std::array<Cell, signin::kColCount> signCells_{};
  signin::Family family_ = signin::Family::None;
  bool signInTable_ = false, logonRows_ = false;
  signin::Row row_;
  signin::Builder builder_;
  std::vector<int> colRole_;  // column -> fw::Col, or -1
  std::array<Cell, fw::kColCount> roleCells_{};
  bool roleTable_ = false;
  fw::Row roleRow_;
  fw::Builder roles_;
  std::string roleSourceName_;  // the "columns" name of the source address
  std::string cellBuf_;
  size_t cell_ = 0;
  uint64_t rowLine_ = 0, rowCol_ = 0;
  bool hasRemoteIp_ = false, tableReady_ = false, sawRows_ = false, sawColumns_ = false;
  bool skipping_ = false;
  uint32_t skipDepth_ = 0;
  jsonev::DefenderRowEmitter emitter_;
};

int sniffTablesJson(std::string_view head, std::string_view path) {
  (void)path;
  char c = jsonev::firstByte(head);
  if (c != '{' && c != '[') return 0;
  using jsonev::contains;
  // Threat-intel tables (NetworkIP, ObservableValue) in the same envelope belong to the intel reader.
  bool intel = contains(head, "\"NetworkIP\"") || contains(head, "\"ObservableValue\"");
  bool events = contains(head, "\"RemoteIP");
  // Sign-in tables' address columns: SigninLogs / IdentityLogonEvents / SecurityEvent, AWSCloudTrail, Okta_CL.
  bool signIns = contains(head, "\"IPAddress\"") || contains(head, "\"IpAddress\"") ||
                 contains(head, "\"SourceIpAddress\"") || contains(head, "\"client_ipAddress_s\"");
  if (contains(head, "\"tables\"") && contains(head, "\"columns\"")) return events || signIns ? 95 : intel ? 0 : 60;
  if (contains(head, "\"FrameType\"") && contains(head, "\"DataSetHeader\"")) return 90;
  return 0;
}

std::unique_ptr<Reader> createTablesJson(RecordSink& sink) { return std::make_unique<TablesJsonReader>(sink); }

}  // namespace

const ReaderFactory& logAnalyticsJsonFactory() {
  static const ReaderFactory f{
      "log-analytics-json",
      "Log Analytics query API JSON ({\"tables\": [{\"columns\", \"rows\"}]}) and Kusto v2 frames, rows by column name: "
      "network tables, and the sign-in tables SigninLogs (and its AAD*SignInLogs siblings), IdentityLogonEvents, "
      "DeviceLogonEvents, SecurityEvent, AWSCloudTrail, Okta_CL",
      FileKind::Events, sniffTablesJson, createTablesJson};
  return f;
}

}  // namespace vpshunt
