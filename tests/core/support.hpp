// Shared helpers for the core tests: build small Defender / Sentinel CSV exports in memory and run
// an Analysis over them.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "vpshunt/analysis.hpp"

namespace test {

// One DeviceNetworkEvents row with the columns most tests need; unset fields take defaults.
struct Ev {
  std::string time;
  std::string ip = "203.0.113.10";
  std::string process = "beacon.exe";
  std::string device = "ws-1";
  std::string account = "alice";
  std::string cmdline = "beacon.exe -x";
  std::string port = "443";
  std::string action = "ConnectionSuccess";
  std::string ipType = "Public";
  std::string sent, received;  // only written when the export has byte columns
  std::string localIp = "10.0.0.5", localPort = "50000";  // only written by eventsCsvWithLocal
};

std::string csvQuote(const std::string& s);
// header: Timestamp,DeviceName,ActionType,RemoteIP,RemotePort,RemoteIPType,InitiatingProcessFileName,
// InitiatingProcessCommandLine,InitiatingProcessAccountName[,SentBytes,ReceivedBytes]
std::string eventsCsv(const std::vector<Ev>& rows, bool byteColumns = false);

// The same with LocalIP and LocalPort columns (inbound connections name the service reached there).
std::string eventsCsvWithLocal(const std::vector<Ev>& rows);

// asn.bin as the build makes it (always: the tests require it, never skip it).
std::shared_ptr<const vpshunt::AsnDatabase> builtAsnDatabase();

struct Ti {
  std::string time;
  std::string ip;
  std::string active = "True";
  std::string type = "C2";
  std::string confidence = "90";
  std::string description = "test";
};
std::string intelCsv(const std::vector<Ti>& rows);

// "2026-11-24T10:00:00Z" plus `seconds`.
std::string at(const std::string& base, double seconds);
// n events every `step` seconds from `start`.
std::vector<Ev> series(const std::string& start, int n, double step, Ev proto = {});

vpshunt::Results run(const std::string& events, const std::string& intel = "", const std::string& now = "",
                     vpshunt::Rule rule = vpshunt::Rule{}, size_t chunk = 0);
// The same with the built ASN database loaded (hosting attribution).
vpshunt::Results runWithAsn(const std::string& events, const std::string& intel = "", const std::string& now = "",
                            vpshunt::Rule rule = vpshunt::Rule{}, size_t chunk = 0);

}  // namespace test
