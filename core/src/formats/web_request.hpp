// What the web server log readers share (IIS W3C: iis_w3c.cpp; Apache / nginx / S3 access logs:
// web_access_log.cpp): who the client was, what the answer says of the connection, and how one
// request becomes a network event.
//
// Each logged request is an inbound connection from the client to the server:
//   RemoteIP     the client (see clientAddress);
//   LocalIP/Port the server's address and port when the log has them (IIS s-ip, s-port; the port of
//                Apache's `%v:%p` virtual host);
//   DeviceName   the server's name when the log has one (IIS s-computername, else s-sitename; the
//                virtual host; the S3 bucket), else empty: the inbound detection then names the
//                target by LocalIP;
//   AccountName  the authenticated (or attempted) user, when not "-";
//   InitiatingProcessCommandLine  the request ("GET /path query" for IIS, the quoted request line
//                for Apache / nginx): kept for a later look at exploit paths, not read by any detection;
//   ActionType   InboundConnectionAccepted / InboundConnectionFailed, with direction and outcome set.
#pragma once
#include <string_view>

#include "formats/record.hpp"

namespace vpshunt::web {

// The client of a request. `direct` is the address that connected (IIS c-ip, Apache %h / %a, nginx
// $remote_addr); `forwarded` the X-Forwarded-For value the log kept ("" or "-" when none).
//
// The direct peer is the client unless it is internal (private, loopback, link-local): then it is a
// load balancer or reverse proxy of the site, and X-Forwarded-For is read from the right, where each
// proxy appended the address it was connected from. Internal entries are the site's own proxies and
// are passed over; the first external entry is the client. The entries further left were written by
// the client or by proxies nobody vouches for, so they are never believed (a forged
// "X-Forwarded-For: 8.8.8.8" stays at the left). Reading stops at an entry that is no address
// ("unknown", garbage): what lies left of it cannot be trusted. When no external entry is found the
// direct peer is kept. A public direct peer's X-Forwarded-For is ignored: it could say anything.
// Entries may be "1.2.3.4", "1.2.3.4:5678", "[2001:db8::1]:443", "2001:db8::1", with spaces (or
// IIS's '+' for a space) and quotes around them. The answer is a view into `direct` or `forwarded`.
struct Client {
  std::string_view address;
  bool forwarded = false;  // taken from X-Forwarded-For
};
Client clientAddress(std::string_view direct, std::string_view forwarded);

// The connection's outcome from the HTTP status. A request the server answered came over an accepted
// connection: success, whatever the status (a 404 for a probed exploit path is still a reached
// service; the inbound detection counts breadth and persistence, not HTTP semantics), with these
// exceptions, which say the server refused this client:
//   403 (forbidden: IIS IP restrictions 403.6 / 403.502 / 403.503, WAF blocks), 429 (rate limited),
//   444 (nginx closed the connection without an answer), and 401 when IIS's sc-win32-status is 1326
//   (a logon with a bad user name or password). Other 401s are not refusals: every Windows / Basic
//   authentication starts with a 401 challenge.
// A missing or unreadable status is a success too: the log line says a request was received.
Outcome statusOutcome(std::string_view status, std::string_view win32Status = {});

// `[10/Oct/2000:13:55:36 -0700]`'s inside (the brackets removed): the common log format's time, with
// its offset applied (UTC). False when it is not such a time.
bool parseClfTime(std::string_view text, Ticks& out);

// True when every comma-separated entry of `text` is an address (as clientAddress reads them) or
// "unknown", and there is at least one: the shape of an X-Forwarded-For value.
bool looksLikeForwardedFor(std::string_view text);

// Sets the fields every request event has: direction Inbound, outcome, ActionType, RemoteIP.
void setRequest(RawEvent& e, std::string_view client, uint32_t clientColumn, Outcome outcome);

}  // namespace vpshunt::web
