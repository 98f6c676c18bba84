// What the identity logs' result codes mean: the outcome a code stands for (readers use it to set
// RawSignIn::outcome) and a few words for it (the signin detection's reasons: "50126 wrong
// password"). One table per code family, shared by every reader of that family:
//   Entra ID ResultType / status.errorCode / ErrorCode (SigninLogs, Graph, AADSignInEventsBeta, the
//   portal's "Sign-in error code"), Windows NTSTATUS codes in Status / SubStatus (4625, 4776) and
//   Kerberos result codes (4771), and the reason words of Defender (FailureReason), Okta
//   (outcome.reason) and CloudTrail (errorMessage).
// Lookups never allocate; unknown codes give an empty string (the caller shows the code itself).
#pragma once
#include <string>
#include <string_view>

#include "formats/record.hpp"

namespace vpshunt::signin {

// Entra ID: "0" -> Success; codes that stop a sign-in for one more step (MFA required, KMSI prompt,
// external challenge, consent, account picker, ...) -> Interrupted; any other number -> Failure;
// empty or not a number -> Unknown. Leading/trailing spaces are ignored.
SignInOutcome entraOutcome(std::string_view code);
std::string_view entraCodeWords(std::string_view code);  // "50126" -> "wrong user name or password"

// Windows NTSTATUS as 4625 / 4776 write it ("0xC000006A", "0xc000006a", "%%2313" is not a code):
// "0xc000006a" -> "wrong password". Case-insensitive; "0x0" -> "" (success).
std::string_view windowsStatusWords(std::string_view code);
// Kerberos pre-authentication result codes of 4771 ("0x18" -> "wrong password (pre-authentication failed)").
std::string_view kerberosResultWords(std::string_view code);
// The message tokens Log Analytics leaves unexpanded in 4625's FailureReason ("%%2313" -> "unknown
// user name or bad password"); "" for other text.
std::string_view windowsReasonTokenWords(std::string_view token);

// Reason texts written as identifiers, made readable: "InvalidUserNameOrPassword" -> "invalid user
// name or password", "INVALID_CREDENTIALS" -> "invalid credentials", "Failed authentication" -> as is.
std::string readableReason(std::string_view text);
// The same into `out` (cleared first), for readers that reuse one buffer per record.
void readableReason(std::string_view text, std::string& out);

}  // namespace vpshunt::signin
