// A generated fleet for the known-software tests (issue 13, part 2): every catalogued agent calling
// its vendor on a schedule from its real install folder on many devices, and masquerading implants
// beaconing to rented servers (VPS providers of the hosting list) under the same file names, from
// wrong folders, or from the genuine folders. Deterministic for a given seed.
//
// The agents' paths, company strings and destinations are written here by hand, as Defender writes
// them (lowercase folder paths with the file name, the file name in its own case), not derived from
// the catalogue: the fleet is an independent check of core/src/enrich/known-software.json. Every
// address belongs to the network its comment names in @ip-location-db/asn (the tests check that
// against asn.bin, so a change in the data fails them instead of passing them silently).
//
// Every flow makes at least 12 connections in the span (agents every 10 s to 20 min, implants every
// 45-180 s), so that each is a row of the seed rule and of beyond mode.
//
// Use: makeFleet() for the flows and what each one is; fleetCsv() for the DeviceNetworkEvents export
// (Defender advanced-hunting CSV with InitiatingProcessFolderPath and the version-info columns,
// newest row first as the portal writes it). A ranking test runs the export through the engine and
// holds the rows against the flows: every implant must outrank every agent.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace test::fleet {

enum class Kind {
  Agent,             // genuine: catalogued name, real folder, vendor network
  WrongFolder,       // implant: a catalogued name from a folder the vendor never installs to
  GenuineFolderVps,  // implant: the genuine folder (e.g. a replaced binary), calling a rented server
  ForgedCompany,     // implant: a per-user genuine folder with a contradicting company, to a VPS
};
const char* kindName(Kind k);

struct Flow {
  Kind kind;
  std::string expectedProduct;  // the catalogue's product name for agents; empty for implants
  std::string device;
  std::string account;
  std::string fileName;    // InitiatingProcessFileName
  std::string folderPath;  // InitiatingProcessFolderPath (full path with the file name)
  std::string company;     // InitiatingProcessVersionInfoCompanyName; may be empty
  std::string product;     // InitiatingProcessVersionInfoProductName; may be empty
  std::string commandLine;
  std::string remoteIp;
  int remotePort = 443;
  std::string network;     // what the address is, e.g. "AS15169 Google" or "DigitalOcean (vps)"
  double intervalSeconds = 300;
  double jitter = 0.03;    // each interval varies by up to ± this share
  double missRate = 0;     // share of beats not made
};

struct Fleet {
  std::string now;               // ISO time of the export's last moment (rule "now")
  double hours = 4;              // every flow runs over the last `hours` before `now`
  std::vector<Flow> flows;
  size_t agentFlows() const;
  size_t implantFlows() const;
};

// `devicesPerAgent` devices run each agent variant; one implant per masquerade. The same seed gives
// the same fleet, byte for byte.
Fleet makeFleet(uint64_t seed = 13, int devicesPerAgent = 6, double hours = 4);

// The export: Timestamp (7 fractional digits, Z), DeviceId, DeviceName, ActionType, RemoteIP, RemotePort,
// RemoteUrl, LocalIP, LocalPort, Protocol, LocalIPType, RemoteIPType, InitiatingProcessFileName,
// InitiatingProcessFolderPath, InitiatingProcessCommandLine, InitiatingProcessAccountName,
// InitiatingProcessVersionInfoCompanyName, InitiatingProcessVersionInfoProductName. `rows` (when not
// null) receives the number of rows.
std::string fleetCsv(const Fleet& fleet, uint64_t seed = 13, size_t* rows = nullptr);

}  // namespace test::fleet
