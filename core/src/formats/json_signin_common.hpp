// Shared machinery of the JSON sign-in readers (Entra ID, Okta, CloudTrail): a RecordReader whose
// slots are the sign-in columns (slot i = signin::Col i), so that a reader only says which key
// path is which column, and hands each record to the family's signin::Builder.
#pragma once
#include "formats/json_events_common.hpp"
#include "formats/signin_rows.hpp"

namespace vpshunt::jsonev {

class SignInJsonReader : public RecordReader {
 protected:
  explicit SignInJsonReader(RecordSink& sink) : RecordReader(sink, signin::kColCount) {}

  // The key a column has in this format, for messages ("eventTime" rather than "EventTime").
  virtual std::string_view keyName(signin::Col c) const { return signin::colName(c); }

  // During onRecord(): the current record's columns.
  const signin::Row& row() {
    row_.clear();
    row_.line = recordLine();
    row_.column = recordColumn();
    for (size_t i = 0; i < signin::kColCount; ++i) {
      int slot = static_cast<int>(i);
      if (!has(slot)) continue;
      signin::Value v;
      v.text = text(slot);
      v.name = keyName(signin::Col(i));
      v.line = valueLine(slot);
      v.column = valueColumn(slot);
      v.null = isNull(slot);
      row_.set(signin::Col(i), v);
    }
    return row_;
  }

  static int slot(signin::Col c) { return static_cast<int>(c); }

  signin::Builder builder_;

 private:
  signin::Row row_;
};

// True when `path` starts with `prefix`, ASCII case-insensitively.
inline bool startsWithIgnoreCase(std::string_view path, std::string_view prefix) {
  return path.size() >= prefix.size() && iequals(path.substr(0, prefix.size()), prefix);
}

}  // namespace vpshunt::jsonev
