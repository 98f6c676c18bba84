// The identity logs' result codes: outcome and words per code family (formats/signin_codes.hpp).
#include <catch2/catch.hpp>

#include "formats/signin_codes.hpp"

using namespace vpshunt;
using namespace vpshunt::signin;

TEST_CASE("Entra result codes: success, interrupted, failure", "[signin]") {
  CHECK(entraOutcome("0") == SignInOutcome::Success);
  CHECK(entraOutcome(" 0 ") == SignInOutcome::Success);
  CHECK(entraOutcome("\"0\"") == SignInOutcome::Success);
  CHECK(entraOutcome("50126") == SignInOutcome::Failure);
  CHECK(entraOutcome("53003") == SignInOutcome::Failure);
  CHECK(entraOutcome("50074") == SignInOutcome::Interrupted);
  CHECK(entraOutcome("50140") == SignInOutcome::Interrupted);
  CHECK(entraOutcome("999999") == SignInOutcome::Failure);  // unknown numbers are failures
  CHECK(entraOutcome("") == SignInOutcome::Unknown);
  CHECK(entraOutcome("Success") == SignInOutcome::Unknown);
  CHECK(entraCodeWords("50126") == "wrong user name or password");
  CHECK(entraCodeWords("50053") == "account locked (smart lockout) or malicious address blocked");
  CHECK(entraCodeWords("1").empty());
}

TEST_CASE("Windows status and Kerberos codes in words", "[signin]") {
  CHECK(windowsStatusWords("0xC000006A") == "wrong password");
  CHECK(windowsStatusWords("0xc0000064") == "user name does not exist");
  CHECK(windowsStatusWords(" 0xc0000234") == "account locked out");
  CHECK(windowsStatusWords("%%2313").empty());
  CHECK(windowsStatusWords("0x0").empty());
  CHECK(windowsStatusWords("0xc000006a0000000000000").empty());  // too long: not a code
  CHECK(kerberosResultWords("0x18") == "wrong password (pre-authentication failed)");
  CHECK(kerberosResultWords("0x99").empty());
  CHECK(windowsReasonTokenWords("%%2313") == "unknown user name or bad password");
  CHECK(windowsReasonTokenWords(" %%2307 ") == "account locked out");
  CHECK(windowsReasonTokenWords("%%1833").empty());
  CHECK(windowsReasonTokenWords("Unknown user name or bad password.").empty());
}

TEST_CASE("reason identifiers made readable", "[signin]") {
  CHECK(readableReason("InvalidUserNameOrPassword") == "invalid user name or password");
  CHECK(readableReason("UnknownUser") == "unknown user");
  CHECK(readableReason("INVALID_CREDENTIALS") == "invalid credentials");
  CHECK(readableReason("VERIFICATION_ERROR") == "verification error");
  CHECK(readableReason("Failed authentication") == "Failed authentication");
  CHECK(readableReason("IPBlocked") == "ip blocked");
  CHECK(readableReason("").empty());
}

TEST_CASE("reason made readable into a reused buffer", "[signin]") {
  std::string buf = "left over from the previous record";
  readableReason("WrongPassword", buf);
  CHECK(buf == "wrong password");
  readableReason("Sign-on policy evaluation resulted in DENY", buf);
  CHECK(buf == "Sign-on policy evaluation resulted in DENY");
  readableReason("", buf);
  CHECK(buf.empty());
}
