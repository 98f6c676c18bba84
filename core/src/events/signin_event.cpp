#include "events/signin_event.hpp"

#include "events/values.hpp"
#include "ingest/file_ingest.hpp"

namespace vpshunt {

bool parseAsnText(std::string_view s, uint32_t& out) {
  s = trimValue(s);
  if (s.size() >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's')) s.remove_prefix(2);
  int64_t v;
  if (s.empty() || s[0] == '-' || s[0] == '+' || !parseInt64(s, v) || v <= 0 || v > int64_t(UINT32_MAX)) return false;
  out = uint32_t(v);
  return true;
}

void foldUser(std::string_view user, std::string& out) {
  out.assign(user.data(), user.size());
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
}

SignInParse makeSignInEvent(const RawSignIn& s, FileIngest& file, SignInEvent& out) {
  if (s.hasTime) {
    out.time = s.time;
  } else {
    std::string_view ts = trimValue(s.get(SignInField::Time));
    if (!parseAnyTime(ts, out.time)) {
      file.skip("unparseable time", s.line, s.col(SignInField::Time),
                ts.empty() ? "expected the sign-in's time, found an empty value"
                           : "expected an ISO 8601 or Log Analytics time for the sign-in (e.g. 2026-11-24T09:15:02Z), found " +
                                 quoteForMessage(ts));
      return SignInParse::BadTime;
    }
  }
  ++file.report().records;
  std::string_view ipText = trimValue(s.get(SignInField::RemoteIP));
  if (ipText.empty() || ipText == "-") return SignInParse::FilteredNoAddress;
  if (!parseIp(ipText, out.remote)) {
    file.rejectCounted("unparseable RemoteIP", s.line, s.col(SignInField::RemoteIP),
                       "expected the client's IPv4 or IPv6 address, found " + quoteForMessage(ipText));
    return SignInParse::Rejected;
  }
  const IpType type = classifyIp(out.remote);
  if (type == IpType::Unspecified) return SignInParse::FilteredNoAddress;  // "::", "0.0.0.0": no client named
  if (type != IpType::Public) return SignInParse::FilteredNotPublic;
  out.logAsn = 0;
  if (s.has(SignInField::Asn)) {
    std::string_view a = trimValue(s.get(SignInField::Asn));
    if (!a.empty() && a != "-" && a != "0" && !parseAsnText(a, out.logAsn)) {
      // The sign-in still counts; only the log's ASN is unusable.
      file.addProblem(s.line, s.col(SignInField::Asn), "expected an AS number (e.g. 16276 or AS16276), found " + quoteForMessage(a),
                      "unparseable-asn");
      out.logAsn = 0;
    }
  }
  out.user = trimValue(s.get(SignInField::User));
  out.outcome = s.outcome;
  out.code = trimValue(s.get(SignInField::ResultCode));
  out.text = trimValue(s.get(SignInField::ResultText));
  out.app = trimValue(s.get(SignInField::Application));
  if (out.app.empty()) out.app = trimValue(s.get(SignInField::Target));
  out.logAsOrg = trimValue(s.get(SignInField::AsOrg));
  return SignInParse::Ok;
}

}  // namespace vpshunt
