// Web server and cloud request logs: IIS W3C (iis-w3c), Apache / nginx / S3 access logs
// (web-access-log), and flattened CloudTrail request CSVs such as an S3 honey bucket's
// (cloud-requests-csv). One fixture per shape (tests/fixtures/weblog/, tests/fixtures/cloud/,
// written for the project), each checked for its detected format, the exact sink calls and every
// split; then the client rule (X-Forwarded-For), the status rule, the time rule, and scanners end to
// end.
#include "reader_harness.hpp"

#include "formats/web_request.hpp"
#include "support.hpp"

using namespace vpshunt;
using namespace vpshunt::test;

namespace {

struct FixtureCase {
  const char* quirk;
  const char* file;
  const char* format;
  std::vector<std::string> log;
};

}  // namespace

TEST_CASE("web logs: each shape reads with its detected format", "[weblog]") {
  std::vector<FixtureCase> cases = {
      {"IIS with #Fields directives (CRLF) - the default layout, a failed logon (401 with win32 1326), the NTLM challenge "
       "(401.2), IPv6 client, a 1500-byte URI and a control character, a forbidden request, too few fields, a bad date; "
       "a second header block mid-file with X-Forwarded-For - the rightmost external entry, a forged list, bracketed IPv6 "
       "with port, an 'unknown' entry, loopback with '-', a public c-ip whose X-Forwarded-For is not believed, only "
       "private entries; a third layout with time but no date (#Date's date)",
       "weblog/iis_fields_directives.log",
       "iis-w3c",
       {
           R"~(IIS W3C log: each request is an inbound connection from its client (c-ip, or X-Forwarded-For's rightmost external address when c-ip is internal); no process names)~",
           R"~(InitiatingProcessFileName)~",
           R"~(E L5 t=2026-04-02T00:00:01.0000000Z dir=in outcome=ok InitiatingProcessCommandLine=GET /owa/auth/logon.aspx replaceCurrent=1@30 RemoteIP=45.33.32.156@78 ActionType=InboundConnectionAccepted@0 LocalIP=10.0.0.4@21 LocalPort=443@72)~",
           R"~(E L6 t=2026-04-02T00:00:02.0000000Z dir=in outcome=fail AccountName=admin@corp.example@55 InitiatingProcessCommandLine=POST /owa/auth.owa@30 RemoteIP=45.33.32.156@74 ActionType=InboundConnectionFailed@0 LocalIP=10.0.0.4@21 LocalPort=443@51)~",
           R"~(E L7 t=2026-04-02T00:00:03.0000000Z dir=in outcome=ok InitiatingProcessCommandLine=GET /ecp/@30 RemoteIP=2001:db8:85a3::8a2e:370:7334@48 ActionType=InboundConnectionAccepted@0 LocalIP=10.0.0.4@21 LocalPort=443@42)~",
           std::string(R"~(E L8 t=2026-04-02T00:00:04.0000000Z dir=in outcome=ok InitiatingProcessCommandLine=GET /)~") + std::string(1500, 'A') + R"~(.php@30 RemoteIP=45.33.32.156@1548 ActionType=InboundConnectionAccepted@0 LocalIP=10.0.0.4@21 LocalPort=443@1542)~",
           R"~(E L9 t=2026-04-02T00:00:05.0000000Z dir=in outcome=fail InitiatingProcessCommandLine=GET /aspnet_client/@30 RemoteIP=45.33.32.156@58 ActionType=InboundConnectionFailed@0 LocalIP=10.0.0.4@21 LocalPort=443@52)~",
           R"~(wrong field count 10:49 expected 15 fields as in the #Fields directive of line 4, found 8)~",
           R"~(unparseable date/time 11:12 expected a UTC date and time such as 2026-11-24 10:00:00, found "2026-13-02 00:00:07")~",
           R"~(E L16 t=2026-04-02T01:00:01.0000000Z dir=in outcome=ok DeviceName=WEB-01@28 InitiatingProcessCommandLine=GET /favicon.ico@49 RemoteIP=203.0.113.50@148 ActionType=InboundConnectionAccepted@0 LocalIP=10.24.129.162@35 LocalPort=80@68)~",
           R"~(E L17 t=2026-04-02T01:00:02.0000000Z dir=in outcome=ok DeviceName=WEB-01@28 InitiatingProcessCommandLine=GET /wp-login.php@49 RemoteIP=203.0.113.51@149 ActionType=InboundConnectionAccepted@0 LocalIP=10.24.129.162@35 LocalPort=80@69)~",
           R"~(E L18 t=2026-04-02T01:00:03.0000000Z dir=in outcome=ok DeviceName=WEB-01@28 InitiatingProcessCommandLine=GET /.env@49 RemoteIP=2001:db8::5@141 ActionType=InboundConnectionAccepted@0 LocalIP=10.24.129.162@35 LocalPort=80@61)~",
           R"~(E L19 t=2026-04-02T01:00:04.0000000Z dir=in outcome=ok DeviceName=WEB-01@28 InitiatingProcessCommandLine=GET /@49 RemoteIP=10.24.136.240@62 ActionType=InboundConnectionAccepted@0 LocalIP=10.24.129.162@35 LocalPort=80@57)~",
           R"~(E L20 t=2026-04-02T01:00:05.0000000Z dir=in outcome=ok DeviceName=WEB-01@28 InitiatingProcessCommandLine=GET /@49 RemoteIP=127.0.0.1@62 ActionType=InboundConnectionAccepted@0 LocalIP=10.24.129.162@35 LocalPort=80@57)~",
           R"~(E L21 t=2026-04-02T01:00:06.0000000Z dir=in outcome=ok DeviceName=WEB-01@28 InitiatingProcessCommandLine=GET /@49 RemoteIP=198.51.100.200@62 ActionType=InboundConnectionAccepted@0 LocalIP=10.24.129.162@35 LocalPort=80@57)~",
           R"~(E L22 t=2026-04-02T01:00:07.0000000Z dir=in outcome=ok DeviceName=WEB-01@28 InitiatingProcessCommandLine=GET /@49 RemoteIP=10.24.136.240@62 ActionType=InboundConnectionAccepted@0 LocalIP=10.24.129.162@35 LocalPort=80@57)~",
           R"~(E L24 t=2026-04-02T01:30:00.2500000Z dir=in outcome=fail InitiatingProcessCommandLine=GET /remote/login@27 RemoteIP=45.33.32.156@14 ActionType=InboundConnectionFailed@0)~",
       }},
      {"IIS lines pasted without a #Fields directive in six layouts (the default; s-sitename without s-ip, with cookie, host "
       "and bytes; every field; OGNL injection in the query and the stem; s-sitename and s-ip with version and host; "
       "s-computername with an empty X-Forwarded-For; a load balancer with X-Forwarded-For), a line without a client, a "
       "line that is no W3C, IPv6 with a zone; CRLF, no final newline",
       "weblog/iis_headerless_pasted.log",
       "iis-w3c",
       {
           R"~(line 1 and others like it: no #Fields directive, fields assumed from the shapes of the values: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken)~",
           R"~(IIS W3C log: each request is an inbound connection from its client (c-ip, or X-Forwarded-For's rightmost external address when c-ip is internal); no process names)~",
           R"~(InitiatingProcessFileName)~",
           R"~(E L1 t=2026-04-03T08:09:10.0000000Z dir=in outcome=ok InitiatingProcessCommandLine=GET / q=100@30 RemoteIP=45.33.32.156@47 ActionType=InboundConnectionAccepted@0 LocalIP=10.0.0.4@21 LocalPort=80@42)~",
           R"~(line 2 and others like it: no #Fields directive, fields assumed from the shapes of the values: date time s-sitename cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken)~",
           R"~(E L2 t=2026-04-03T09:10:11.0000000Z dir=in outcome=ok DeviceName=W3SVC1@21 InitiatingProcessCommandLine=GET /login@28 RemoteIP=127.0.0.1@46 ActionType=InboundConnectionAccepted@0 LocalPort=80@41)~",
           R"~(line 3 and others like it: no #Fields directive, fields assumed from the shapes of the values: date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs-version cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken)~",
           R"~(E L3 t=2026-04-03T10:11:12.0000000Z dir=in outcome=ok DeviceName=WEB-02@28 InitiatingProcessCommandLine=GET /@44 RemoteIP=141.98.10.60@58 ActionType=InboundConnectionAccepted@0 LocalIP=10.0.0.5@35 LocalPort=443@52)~",
           R"~(E L4 t=2026-04-03T12:52:33.0000000Z dir=in outcome=ok InitiatingProcessCommandLine=GET / redirect:${%23req%3d%23context.get('com.opensymphony.xwork2.dispatcher.HttpServletRequest')}@30 RemoteIP=185.220.101.5@135 ActionType=InboundConnectionAccepted@0 LocalIP=10.0.0.4@21 LocalPort=443@129)~",
           R"~(E L5 t=2026-04-03T12:52:34.0000000Z dir=in outcome=ok InitiatingProcessCommandLine=GET /${#context['xwork.MethodAccessor.denyMethodExecution']=!(#_memberAccess['allowStaticMethodAccess']=true)}.action@30 RemoteIP=185.220.101.5@156 ActionType=InboundConnectionAccepted@0 LocalIP=10.0.0.4@21 LocalPort=443@150)~",
           R"~(line 6 and others like it: no #Fields directive, fields assumed from the shapes of the values: date time s-sitename s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs-version cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus sc-win32-status sc-bytes cs-bytes time-taken)~",
           R"~(E L6 t=2026-04-03T13:00:04.0000000Z dir=in outcome=ok InitiatingProcessCommandLine=GET /cdgo SERVER-STATUS=200@37 RemoteIP=45.33.32.156@71 ActionType=InboundConnectionAccepted@0 LocalIP=10.0.0.4@28 LocalPort=443@65)~",
           R"~(line 7 and others like it: no #Fields directive, fields assumed from the shapes of the values: date time s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken X-Forwarded-For)~",
           R"~(E L7 t=2026-04-03T14:15:15.0000000Z dir=in outcome=ok DeviceName=web-01@21 InitiatingProcessCommandLine=GET /index.aspx@41 RemoteIP=192.168.0.2@64 ActionType=InboundConnectionAccepted@0 LocalIP=192.168.0.20@28 LocalPort=80@59)~",
           R"~(line 8 and others like it: no #Fields directive, fields assumed from the shapes of the values: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken X-Forwarded-For)~",
           R"~(E L8 t=2026-04-03T14:15:16.0000000Z dir=in outcome=ok InitiatingProcessCommandLine=GET /index.aspx@30 RemoteIP=45.33.32.156@89 ActionType=InboundConnectionAccepted@0 LocalIP=10.0.0.4@21 LocalPort=80@48)~",
           R"~(not an IIS W3C line 9:1 no layout of IIS's W3C fields fits the line's 14 values (it needs a client address, c-ip, after the request fields), and the file has no #Fields directive)~",
           R"~(not an IIS W3C line 10:1 expected a #Fields directive or a line starting with the date and time (2026-11-24 10:00:00), found "<html><body>pasted")~",
           R"~(line 11 and others like it: no #Fields directive, fields assumed from the shapes of the values: date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) cs-host sc-status sc-substatus sc-win32-status time-taken)~",
           R"~(E L11 t=2026-04-03T16:38:48.0000000Z dir=in outcome=ok DeviceName=WILLOW@29 InitiatingProcessCommandLine=GET /Logon.aspx r=/Logon.aspx?r%3D/x@46 RemoteIP=2a01:4f8:c17:1::7@88 ActionType=InboundConnectionAccepted@0 LocalIP=fe80::1%4@36 LocalPort=80@83)~",
       }},
      {"Apache and nginx: combined, common with a user and an offset, a user with a space and escaped quotes, Apache's "
       "empty user \"\", vhost_combined with IPv6, SUSE's vhost, nginx main with X-Forwarded-For (forged left entry, "
       "bracketed IPv6, '-'), a public client's X-Forwarded-For ignored, raw TLS bytes, a host name for a client, a bad "
       "date, a bad status, an unclosed quote, a blank line, nginx 444",
       "weblog/apache_nginx_access.log",
       "web-access-log",
       {
           R"~(web access log: each request is an inbound connection from its client (X-Forwarded-For's rightmost external address when the client is an internal proxy); no process names)~",
           R"~(InitiatingProcessFileName)~",
           R"~(E L1 t=2026-04-02T08:00:00.0000000Z dir=in outcome=ok InitiatingProcessCommandLine=GET /wp-login.php HTTP/1.1@48 RemoteIP=45.33.32.156@1 ActionType=InboundConnectionAccepted@0)~",
           R"~(E L2 t=2026-04-02T08:00:01.0000000Z dir=in outcome=fail AccountName=alice@16 InitiatingProcessCommandLine=POST /admin/ HTTP/1.1@52 RemoteIP=45.33.32.156@1 ActionType=InboundConnectionFailed@0)~",
           R"~(E L3 t=2026-04-02T08:00:02.0000000Z dir=in outcome=ok AccountName=bob smith@17 InitiatingProcessCommandLine=GET /?q=\"x\" HTTP/1.1@57 RemoteIP=185.220.101.5@1 ActionType=InboundConnectionAccepted@0)~",
           R"~(E L4 t=2026-04-02T08:00:02.0000000Z dir=in outcome=ok InitiatingProcessCommandLine=GET / HTTP/1.0@50 RemoteIP=185.220.101.5@1 ActionType=InboundConnectionAccepted@0)~",
           R"~(E L5 t=2026-04-02T08:00:03.0000000Z dir=in outcome=ok DeviceName=www.corp.example@1 InitiatingProcessCommandLine=GET /.git/config HTTP/1.1@74 RemoteIP=2a01:4f8:c17:1::7@22 ActionType=InboundConnectionAccepted@0 LocalPort=443@18)~",
           R"~(E L6 t=2026-04-02T08:00:04.0000000Z dir=in outcome=ok DeviceName=shop.corp.example@1 InitiatingProcessCommandLine=GET /phpmyadmin/ HTTP/1.1@66 RemoteIP=141.98.10.60@19 ActionType=InboundConnectionAccepted@0)~",
           R"~(E L7 t=2026-04-02T08:00:05.0000000Z dir=in outcome=ok InitiatingProcessCommandLine=GET /login HTTP/1.1@46 RemoteIP=203.0.113.77@94 ActionType=InboundConnectionAccepted@0)~",
           R"~(E L8 t=2026-04-02T08:00:06.0000000Z dir=in outcome=fail InitiatingProcessCommandLine=GET /login HTTP/1.1@46 RemoteIP=2001:db8::77@92 ActionType=InboundConnectionFailed@0)~",
           R"~(E L9 t=2026-04-02T08:00:07.0000000Z dir=in outcome=ok InitiatingProcessCommandLine=GET /health HTTP/1.1@46 RemoteIP=10.0.0.250@1 ActionType=InboundConnectionAccepted@0)~",
           R"~(E L10 t=2026-04-02T08:00:08.0000000Z dir=in outcome=ok InitiatingProcessCommandLine=GET / HTTP/1.1@49 RemoteIP=198.51.100.44@1 ActionType=InboundConnectionAccepted@0)~",
           R"~(E L11 t=2026-04-02T08:00:09.0000000Z dir=in outcome=ok InitiatingProcessCommandLine=\x16\x03\x01\x00\xF4\x01\x00\x00@48 RemoteIP=45.33.32.156@1 ActionType=InboundConnectionAccepted@0)~",
           R"~(not an access-log line 12:1 expected the client's address first (or second, after a virtual host))~",
           R"~(unparseable time 13:18 expected a time such as [10/Oct/2026:13:55:36 +0200], found "31/Feb/2026:08:00:11 +0000")~",
           R"~(not an access-log line 14:64 expected a three-digit HTTP status after the request)~",
           R"~(malformed access-log line 15:47 a quoted field is not closed)~",
           R"~(E L17 t=2026-04-02T08:00:14.0000000Z dir=in outcome=fail InitiatingProcessCommandLine=GET /cgi-bin/luci HTTP/1.1@47 RemoteIP=91.92.93.94@1 ActionType=InboundConnectionFailed@0)~",
       }},
      {"S3 server access logs - an anonymous listing denied, a HEAD over plain HTTP, an older line without the TLS fields",
       "weblog/s3_server_access.log",
       "web-access-log",
       {
           R"~(S3 server access log: each request is an inbound connection from its remote IP to the bucket)~",
           R"~(InitiatingProcessFileName)~",
           R"~(E L1 t=2026-04-02T00:00:38.0000000Z dir=in outcome=fail DeviceName=corp-backups@66 InitiatingProcessCommandLine=GET /corp-backups?list-type=2 HTTP/1.1@159 RemoteIP=45.33.32.156@108 ActionType=InboundConnectionFailed@0 LocalPort=443@0)~",
           R"~(E L2 t=2026-04-02T00:00:39.0000000Z dir=in outcome=ok DeviceName=corp-backups@66 InitiatingProcessCommandLine=HEAD /corp-backups HTTP/1.1@160 RemoteIP=45.33.32.156@108 ActionType=InboundConnectionAccepted@0 LocalPort=80@0)~",
           R"~(E L3 t=2026-04-02T00:00:40.0000000Z dir=in outcome=ok DeviceName=corp-backups@66 AccountName=arn:aws:iam::123456789012:user/backup@117 InitiatingProcessCommandLine=PUT /corp-backups/db/dump.sql.gz HTTP/1.1@204 RemoteIP=10.0.5.5@108 ActionType=InboundConnectionAccepted@0)~",
       }},
      {"an S3 honey bucket's alerts (CloudTrail data events flattened; CRLF, Python-dict cells, a leading space, IPv6, a "
       "row without bucketName, a bad time, a short row)",
       "cloud/s3_honeybucket_alerts.csv",
       "cloud-requests-csv",
       {
           R"~(requests to a cloud resource: each row is an inbound request from Source IP to the bucket named in Request Parameters (port 443))~",
           R"~(no Error Code column: every request counts as answered)~",
           R"~(InitiatingProcessFileName)~",
           R"~(E L2 dir=in outcome=ok Timestamp=2026-04-02T17:34:57Z@269 DeviceName=corp-public-assets@121 AccountName=ANONYMOUS_PRINCIPAL@41 InitiatingProcessCommandLine=ListObjects@12 RemoteIP=45.33.32.156@323 ActionType=InboundConnectionAccepted@0 LocalPort=443@0)~",
           R"~(E L3 dir=in outcome=ok Timestamp=2026-04-02T14:54:56Z@286 DeviceName=corp-public-assets@120 AccountName=ANONYMOUS_PRINCIPAL@40 InitiatingProcessCommandLine=HeadBucket@12 RemoteIP=141.98.10.60@340 ActionType=InboundConnectionAccepted@0 LocalPort=443@0)~",
           R"~(E L4 dir=in outcome=ok Timestamp=2026-04-02T14:18:02Z@200 DeviceName=S3@0 AccountName=ANONYMOUS_PRINCIPAL@39 InitiatingProcessCommandLine=PutObject@12 RemoteIP=2a01:4f8:c17:1::7@254 ActionType=InboundConnectionAccepted@0 LocalPort=443@0)~",
           R"~(E L5 dir=in outcome=ok Timestamp=not a time@268 DeviceName=corp-public-assets@121 AccountName=ANONYMOUS_PRINCIPAL@41 InitiatingProcessCommandLine=ListObjects@12 RemoteIP=109.70.66.85@312 ActionType=InboundConnectionAccepted@0 LocalPort=443@0)~",
           R"~(wrong field count 6:24 expected 12 fields as in the header, found 3)~",
       }},
  };
  for (const auto& c : cases) {
    SECTION(c.quirk) {
      std::string bytes = fixture(c.file);
      CHECK(sniffBest(bytes, c.file) == c.format);
      auto sink = run(c.format, bytes);
      CHECK(sink.log == c.log);
      checkEverySplit(c.format, bytes);
    }
  }
}

TEST_CASE("web logs: the client is the direct peer, or X-Forwarded-For's rightmost external entry behind a proxy", "[weblog]") {
  struct Case {
    const char *direct, *forwarded, *client;
    bool fromForwarded;
  };
  const Case cases[] = {
      {"203.0.113.7", "", "203.0.113.7", false},
      {"203.0.113.7", "198.51.100.1", "203.0.113.7", false},  // a public peer's header could say anything
      {"10.0.0.250", "", "10.0.0.250", false},
      {"10.0.0.250", "-", "10.0.0.250", false},
      {"10.0.0.250", "198.51.100.1", "198.51.100.1", true},
      {"10.0.0.250", "8.8.8.8, 198.51.100.1", "198.51.100.1", true},         // the left entry is the client's claim
      {"10.0.0.250", "8.8.8.8,+198.51.100.1,+10.0.0.9", "198.51.100.1", true},  // IIS's '+', an inner proxy
      {"127.0.0.1", "198.51.100.1:51234", "198.51.100.1", true},
      {"10.0.0.250", "[2001:db8::1]:443", "2001:db8::1", true},
      {"10.0.0.250", "2001:db8::1", "2001:db8::1", true},
      {"10.0.0.250", "\"198.51.100.1\"", "198.51.100.1", true},
      {"10.0.0.250", "for=198.51.100.1", "198.51.100.1", true},
      {"10.0.0.250", "198.51.100.1, unknown", "10.0.0.250", false},  // nothing left of a non-address is vouched for
      {"10.0.0.250", "198.51.100.1, garbage!", "10.0.0.250", false},
      {"10.0.0.250", "10.1.1.1, 10.1.1.2", "10.0.0.250", false},
      {"10.0.0.250", ",,198.51.100.1,,", "198.51.100.1", true},
      {"fd00::250", "2a01:4f8::1", "2a01:4f8::1", true},
      {"not-an-address", "198.51.100.1", "not-an-address", false},
  };
  for (const auto& c : cases) {
    INFO(c.direct << " / " << c.forwarded);
    const web::Client got = web::clientAddress(c.direct, c.forwarded);
    CHECK(got.address == c.client);
    CHECK(got.forwarded == c.fromForwarded);
  }
  CHECK(web::looksLikeForwardedFor("198.51.100.1, [2001:db8::1]:443,+10.0.0.1"));
  CHECK(web::looksLikeForwardedFor("unknown"));
  CHECK_FALSE(web::looksLikeForwardedFor("-"));
  CHECK_FALSE(web::looksLikeForwardedFor("Mozilla/5.0"));
  CHECK_FALSE(web::looksLikeForwardedFor("198.51.100.1, x"));
}

TEST_CASE("web logs: an answered request is an accepted connection unless the answer refused the client", "[weblog]") {
  CHECK(web::statusOutcome("200") == Outcome::Success);
  CHECK(web::statusOutcome("404") == Outcome::Success);
  CHECK(web::statusOutcome("500") == Outcome::Success);
  CHECK(web::statusOutcome("400") == Outcome::Success);
  CHECK(web::statusOutcome("401") == Outcome::Success);          // the authentication challenge
  CHECK(web::statusOutcome("401", "5") == Outcome::Success);     // IIS 401.2, NTLM's first leg
  CHECK(web::statusOutcome("401", "1326") == Outcome::Failure);  // bad user name or password
  CHECK(web::statusOutcome("403") == Outcome::Failure);
  CHECK(web::statusOutcome("429") == Outcome::Failure);
  CHECK(web::statusOutcome("444") == Outcome::Failure);
  CHECK(web::statusOutcome("-") == Outcome::Success);
  CHECK(web::statusOutcome("") == Outcome::Success);
}

TEST_CASE("web logs: common log format times", "[weblog]") {
  Ticks t;
  REQUIRE(web::parseClfTime("10/Oct/2000:13:55:36 -0700", t));
  CHECK(formatIsoTime(t) == "2000-10-10T20:55:36Z");
  REQUIRE(web::parseClfTime("02/Apr/2026:10:00:00 +0530", t));
  CHECK(formatIsoTime(t) == "2026-04-02T04:30:00Z");
  REQUIRE(web::parseClfTime("1/jan/2026:00:00:00 +0000", t));
  CHECK(formatIsoTime(t) == "2026-01-01T00:00:00Z");
  REQUIRE(web::parseClfTime("29/Feb/2024:23:59:59.250 +0000", t));
  CHECK(formatIsoTime(t) == "2024-02-29T23:59:59.2500000Z");
  for (const char* bad : {"", "10/Oct/2000:13:55:36", "10/Oct/2000:13:55:36 0700", "29/Feb/2025:00:00:00 +0000",
                          "32/Jan/2026:00:00:00 +0000", "10/Foo/2000:13:55:36 +0000", "10/Oct/2000 13:55:36 +0000",
                          "10/Oct/2000:25:00:00 +0000", "10/Oct/2000:13:55:36 +2400", "10/Oct/2000:13:55:36 +0000x"})
    CHECK_FALSE(web::parseClfTime(bad, t));
}

namespace {

const vpshunt::InboundRow* inboundFor(const vpshunt::Results& r, const std::string& ip) {
  for (const auto& row : r.inbound)
    if (row.remoteIp == ip) return &row;
  return nullptr;
}

}  // namespace

TEST_CASE("web logs end to end: a scanner behind a load balancer is attributed by X-Forwarded-For", "[weblog][inbound]") {
  // 45.33.32.156 (Linode) probes 40 exploit paths through the site's load balancer (10.0.0.250); a
  // home visitor browses; every scanner request carries a forged leftmost entry.
  std::string log = "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n"
                    "#Fields: date time s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
                    "cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken X-Forwarded-For\r\n";
  for (int i = 0; i < 40; ++i)
    log += "2026-11-24 10:" + std::string(i < 10 ? "0" : "") + std::to_string(i) + ":00 WEB-01 10.0.0.4 GET /probe" +
           std::to_string(i) + ".php - 443 - 10.0.0.250 zgrab/0.x " + (i % 4 ? "404" : "403") + " 0 0 1 8.8.8.8,+45.33.32.156\r\n";
  for (int i = 0; i < 5; ++i)
    log += "2026-11-24 10:4" + std::to_string(i) + ":00 WEB-01 10.0.0.4 GET /index.html - 443 - 10.0.0.250 Mozilla/5.0 200 0 0 1 "
           "86.1.2.3\r\n";
  REQUIRE(sniffBest(log) == "iis-w3c");
  for (const char* mode : {"seed", "beyond"}) {
    SECTION(mode) {
      vpshunt::Rule rule;
      rule.mode = mode;
      auto r = ::test::runWithAsn(log, "", "", rule);
      CHECK(r.rows.empty());
      CHECK(inboundFor(r, "8.8.8.8") == nullptr);
      CHECK(inboundFor(r, "10.0.0.250") == nullptr);
      const auto* scanner = inboundFor(r, "45.33.32.156");
      REQUIRE(scanner != nullptr);
      CHECK(scanner->connectionCount == 40);
      CHECK(scanner->refusedCount == 10);
      CHECK(scanner->targets == std::vector<std::string>{"WEB-01"});
      CHECK(scanner->targetPorts == std::vector<int64_t>{443});
      CHECK(scanner->isHosting);
      const auto* visitor = inboundFor(r, "86.1.2.3");
      REQUIRE(visitor != nullptr);
      CHECK(visitor->connectionCount == 5);
      CHECK(scanner->score > visitor->score);
      CHECK(r.inbound[0].remoteIp == "45.33.32.156");
    }
  }
}

TEST_CASE("web logs end to end: pasted IIS lines, an nginx log and a honey bucket give inbound rows", "[weblog][inbound]") {
  SECTION("IIS lines without a #Fields directive") {
    std::string log;
    for (int i = 0; i < 12; ++i)
      log += "2026-11-24 10:" + std::to_string(10 + i) + ":00 10.0.0.4 POST /owa/auth.owa - 443 user" + std::to_string(i) +
             " 185.220.101.5 python-requests/2.31 - 401 1 1326 15\n";
    REQUIRE(sniffBest(log) == "iis-w3c");
    auto r = ::test::runWithAsn(log);
    CHECK(r.rows.empty());
    REQUIRE(r.inbound.size() == 1);
    CHECK(r.inbound[0].remoteIp == "185.220.101.5");
    CHECK(r.inbound[0].refusedCount == 12);
    CHECK(r.inbound[0].targets == std::vector<std::string>{"10.0.0.4"});
    CHECK(r.inbound[0].targetPorts == std::vector<int64_t>{443});
  }
  SECTION("nginx main format behind a proxy") {
    std::string log;
    for (int i = 0; i < 15; ++i)
      log += "10.0.0.250 - - [24/Nov/2026:11:" + std::to_string(10 + i) + ":00 +0100] \"GET /.env?" + std::to_string(i) +
             " HTTP/1.1\" 404 153 \"-\" \"Mozilla/5.0\" \"45.33.32.156\"\n";
    REQUIRE(sniffBest(log) == "web-access-log");
    auto r = ::test::runWithAsn(log);
    CHECK(r.rows.empty());
    REQUIRE(r.inbound.size() == 1);
    CHECK(r.inbound[0].remoteIp == "45.33.32.156");
    CHECK(r.inbound[0].connectionCount == 15);
    CHECK(vpshunt::formatIsoTime(r.inbound[0].firstSeen) == "2026-11-24T10:10:00Z");
  }
  SECTION("an S3 honey bucket's alerts") {
    std::string csv = "Event Type,Event Name,Request ID,User ID,Request Parameters,Alert,Event ID,Event DateTime,Alarm DateTime,"
                      "Source IP,Request User Agent,Repeated Attempts\r\n";
    for (int i = 0; i < 6; ++i)
      csv += std::string("AwsApiCall,") + (i % 2 ? "HeadBucket" : "ListObjects") +
             ",R,\"{'type': 'AWSAccount', 'accountId': 'ANONYMOUS_PRINCIPAL'}\",\"{'bucketName': 'corp-public-assets'}\", 1,e,"
             "2026-11-24T10:0" + std::to_string(i) + ":00Z,2026-11-24T10:30:00+00:00,212.83.184.12,Go-http-client/1.1,1\r\n";
    REQUIRE(sniffBest(csv) == "cloud-requests-csv");
    auto r = ::test::runWithAsn(csv);
    CHECK(r.rows.empty());
    REQUIRE(r.inbound.size() == 1);
    CHECK(r.inbound[0].remoteIp == "212.83.184.12");
    CHECK(r.inbound[0].targets == std::vector<std::string>{"corp-public-assets"});
    CHECK(r.inbound[0].targetPorts == std::vector<int64_t>{443});
    CHECK(r.inbound[0].isHosting);
    CHECK(r.inbound[0].reasons[1] == "reached 1 device on 443 within 5 min");
  }
}
