#include "formats/signin_codes.hpp"

#include <cstdint>

namespace vpshunt::signin {

namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '"')) s.remove_suffix(1);
  return s;
}

bool digitsOnly(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

struct Code {
  std::string_view code;
  std::string_view words;
  bool interrupted;  // Entra: the sign-in stopped for a further step, it did not fail
};

// Entra ID sign-in error codes (Microsoft Entra authentication and authorization error codes,
// https://learn.microsoft.com/entra/identity-platform/reference-error-codes). The words are ours.
constexpr Code kEntra[] = {
    {"16000", "account selection required", true},
    {"16001", "account selection required", true},
    {"16003", "account not in the tenant", false},
    {"50011", "reply address mismatch", false},
    {"50020", "user from another identity provider not in the tenant", false},
    {"50034", "user does not exist", false},
    {"50053", "account locked (smart lockout) or malicious address blocked", false},
    {"50055", "password expired", false},
    {"50056", "invalid or empty password", false},
    {"50057", "account disabled", false},
    {"50058", "session information not sufficient (silent sign-in)", true},
    {"50064", "credential validation failed", false},
    {"50072", "MFA registration required", true},
    {"50074", "MFA required", true},
    {"50076", "MFA required (location or policy)", true},
    {"50079", "MFA registration required", true},
    {"50089", "flow token expired", false},
    {"50097", "device authentication required", true},
    {"50105", "user not assigned to the application", false},
    {"50125", "interrupted by password reset or registration", true},
    {"50126", "wrong user name or password", false},
    {"50127", "broker app must be installed", true},
    {"50129", "device not workplace-joined", true},
    {"50131", "conditional access: device state", false},
    {"50132", "session revoked (password changed)", false},
    {"50133", "session invalid (password changed)", false},
    {"50140", "keep-me-signed-in prompt", true},
    {"50143", "session mismatch", false},
    {"50144", "password expired (on-premises)", false},
    {"50155", "device authentication failed", false},
    {"50158", "external security challenge", true},
    {"50173", "fresh sign-in needed (password changed)", false},
    {"50199", "user confirmation required", true},
    {"51004", "user account not in the directory", false},
    {"53000", "conditional access: device not compliant", false},
    {"53001", "conditional access: device not domain-joined", false},
    {"53002", "conditional access: app not approved", false},
    {"53003", "blocked by conditional access", false},
    {"53004", "MFA registration blocked (suspicious activity)", false},
    {"65001", "consent required", true},
    {"70044", "session expired", false},
    {"81010", "seamless SSO failed (expired ticket)", false},
    {"81012", "seamless SSO failed (user mismatch)", false},
    {"90072", "user not in the tenant (external account)", false},
    {"90095", "admin consent required", true},
    {"500011", "resource not found in the tenant", false},
    {"500121", "MFA failed or denied", false},
    {"530032", "blocked by security defaults", false},
    {"700016", "application not found in the tenant", false},
    {"700082", "refresh token expired", false},
    {"7000215", "invalid client secret", false},
    {"7000218", "client secret or assertion missing", false},
};

// NTSTATUS codes of failed Windows logons (4625 Status/SubStatus, 4776 error code).
constexpr Code kWindows[] = {
    {"0xc000005e", "no logon server available", false},
    {"0xc0000064", "user name does not exist", false},
    {"0xc000006a", "wrong password", false},
    {"0xc000006d", "bad user name or password", false},
    {"0xc000006e", "account restriction", false},
    {"0xc000006f", "outside allowed logon hours", false},
    {"0xc0000070", "workstation not allowed", false},
    {"0xc0000071", "password expired", false},
    {"0xc0000072", "account disabled", false},
    {"0xc000009a", "insufficient system resources", false},
    {"0xc0000133", "clock out of sync with the domain controller", false},
    {"0xc000015b", "logon type not granted", false},
    {"0xc000018c", "domain trust failed", false},
    {"0xc0000192", "netlogon service not started", false},
    {"0xc0000193", "account expired", false},
    {"0xc0000224", "password must be changed", false},
    {"0xc0000234", "account locked out", false},
    {"0xc00002ee", "logon error", false},
    {"0xc0000371", "local account store has no secret", false},
    {"0xc0000413", "authentication firewall", false},
};

// Kerberos result codes of 4771 (pre-authentication failed).
constexpr Code kKerberos[] = {
    {"0x6", "user name does not exist", false},
    {"0x12", "account disabled, expired or locked out", false},
    {"0x17", "password expired", false},
    {"0x18", "wrong password (pre-authentication failed)", false},
    {"0x25", "clock out of sync", false},
};

// 4625 FailureReason message tokens (msobjs.dll 2304-2313, the text Event Viewer shows for them).
constexpr Code kWindowsReasonTokens[] = {
    {"%%2304", "an error occurred during logon", false},
    {"%%2305", "account expired", false},
    {"%%2306", "netlogon service not active", false},
    {"%%2307", "account locked out", false},
    {"%%2308", "logon type not granted at this machine", false},
    {"%%2309", "password expired", false},
    {"%%2310", "account disabled", false},
    {"%%2311", "outside allowed logon hours", false},
    {"%%2312", "not allowed to log on at this computer", false},
    {"%%2313", "unknown user name or bad password", false},
};

template <size_t N>
const Code* find(const Code (&table)[N], std::string_view code) {
  for (const Code& c : table)
    if (c.code == code) return &c;
  return nullptr;
}

// "0xC000006A" -> "0xc000006a" in a fixed buffer; false when not a hex code.
bool lowerHex(std::string_view s, char (&buf)[16], std::string_view& out) {
  s = trimmed(s);
  if (s.size() < 3 || s.size() >= sizeof buf || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return false;
  buf[0] = '0';
  buf[1] = 'x';
  for (size_t i = 2; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'F') c = char(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    buf[i] = c;
  }
  out = std::string_view(buf, s.size());
  return true;
}

}  // namespace

SignInOutcome entraOutcome(std::string_view code) {
  code = trimmed(code);
  if (!digitsOnly(code)) return SignInOutcome::Unknown;
  size_t i = 0;
  while (i + 1 < code.size() && code[i] == '0') ++i;  // "00" is 0
  code.remove_prefix(i);
  if (code == "0") return SignInOutcome::Success;
  const Code* c = find(kEntra, code);
  return c && c->interrupted ? SignInOutcome::Interrupted : SignInOutcome::Failure;
}

std::string_view entraCodeWords(std::string_view code) {
  const Code* c = find(kEntra, trimmed(code));
  return c ? c->words : std::string_view();
}

std::string_view windowsStatusWords(std::string_view code) {
  char buf[16];
  std::string_view lower;
  if (!lowerHex(code, buf, lower)) return {};
  const Code* c = find(kWindows, lower);
  return c ? c->words : std::string_view();
}

std::string_view kerberosResultWords(std::string_view code) {
  char buf[16];
  std::string_view lower;
  if (!lowerHex(code, buf, lower)) return {};
  const Code* c = find(kKerberos, lower);
  return c ? c->words : std::string_view();
}

std::string_view windowsReasonTokenWords(std::string_view token) {
  const Code* c = find(kWindowsReasonTokens, trimmed(token));
  return c ? c->words : std::string_view();
}

std::string readableReason(std::string_view text) {
  std::string out;
  readableReason(text, out);
  return out;
}

void readableReason(std::string_view text, std::string& out) {
  out.clear();
  text = trimmed(text);
  bool identifier = !text.empty();
  bool upperSnake = true;
  for (char c : text) {
    if (c == ' ') identifier = false;
    if (c >= 'a' && c <= 'z') upperSnake = false;
  }
  if (!identifier) {
    out.assign(text.data(), text.size());
    return;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '_' || c == '-') {
      if (!out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    const bool upper = c >= 'A' && c <= 'Z';
    if (upper && !upperSnake && i > 0) {
      // A word starts at an upper-case letter after a lower-case one, or before one (the "N" of "IPName").
      const char prev = text[i - 1];
      const bool prevLower = prev >= 'a' && prev <= 'z';
      const bool nextLower = i + 1 < text.size() && text[i + 1] >= 'a' && text[i + 1] <= 'z';
      const bool prevUpper = prev >= 'A' && prev <= 'Z';
      if ((prevLower || (prevUpper && nextLower)) && !out.empty() && out.back() != ' ') out += ' ';
    }
    out += upper ? char(c - 'A' + 'a') : c;
  }
}

}  // namespace vpshunt::signin
