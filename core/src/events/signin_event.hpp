// Sign-in events: what a reader's RawSignIn means once its time, client address and log ASN are
// parsed. One set of conversions and messages for every identity format (Entra ID, Defender's
// identity tables, Windows 4624/4625, Okta, CloudTrail, ...).
//
// The outcome is the reader's (its format defines success); the engine never guesses it. Only a
// public client address can be attributed to a network, so private, loopback and link-local
// sources (an internal logon: a workstation to a domain controller) are filtered, counted, and
// never become a row. Every text is attacker-controlled and is only ever compared or copied.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "formats/record.hpp"
#include "vpshunt/ip.hpp"
#include "vpshunt/time.hpp"

namespace vpshunt {

class FileIngest;

struct SignInEvent {
  Ticks time = 0;
  std::string_view user;    // trimmed, as written; "" when the log names nobody
  IpAddress remote;         // the client, public
  SignInOutcome outcome = SignInOutcome::Unknown;
  std::string_view code;    // the log's result code ("50126", "0xc000006a"), trimmed; may be ""
  std::string_view text;    // the log's words for it, trimmed; may be ""
  std::string_view app;     // Application, else Target: what was signed in to; may be ""
  uint32_t logAsn = 0;      // the ASN the log names for the client (0: none)
  std::string_view logAsOrg;  // its organisation or ISP text, when the log has one
};

// Why a record made no event. The `Filtered*` outcomes are the rule's own filters (the caller
// counts them in the file report); `BadTime` and `Rejected` mean a bad value (the time; the
// address), already reported to the file with its line and column. Every outcome but BadTime
// leaves the record's time in `out.time`.
enum class SignInParse : uint8_t { Ok, BadTime, Rejected, FilteredNoAddress, FilteredNotPublic };

// Makes `out` from `s`. Views in `out` point into `s` (valid during the reader's call). A bad time
// is a skipped record ("unparseable time", counted as read), a bad address a rejected one
// ("unparseable RemoteIP"), both located; a bad ASN is a located problem and the sign-in counts
// without it. `-`, `::`, `0.0.0.0` and an empty address mean
// the log names no client (an Entra record whose address is redacted, a 4776 on the DC itself).
// The record is counted as read (FileReport::records) here, whatever the outcome; the caller
// counts what it keeps and what its filters drop.
SignInParse makeSignInEvent(const RawSignIn& s, FileIngest& file, SignInEvent& out);

// "AS16276", "16276", "16276.0", " as16276 " -> 16276. False for anything else (0 is no AS).
bool parseAsnText(std::string_view text, uint32_t& out);

// Users compare case-insensitively: `user` in ASCII lower case into `out` (cleared first), so that
// "Bob.Admin@Contoso.Example" and "bob.admin@contoso.example" are one user. Non-ASCII bytes are
// kept as they are (a folding table for all of Unicode is out of proportion; identity providers
// normalise case in the ASCII range, where nearly every UPN lives).
void foldUser(std::string_view user, std::string& out);

}  // namespace vpshunt
