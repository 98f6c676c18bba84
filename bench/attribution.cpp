// Hosting attribution of a batch of addresses, before and after the imported lists and the
// inference: the engine half of scripts/measure-attribution.mjs (which extracts the addresses from
// sample exports and prints the summary). A measurement tool, not a reader.
//
//   build/bench/attribution [asn.bin [before-list]] < addresses   addresses: `sample<TAB>role<TAB>ip` lines
//   build/bench/attribution --names < names            names: `asn<TAB>anything<TAB>organisation`
//
// Addresses: role is `attack` (the sample's addresses attacked: they are AttackEvidence for the
// other addresses of the same sample, as an inbound or sign-in detection would record them) or
// `control` (no evidence). Non-public addresses are skipped; each public address is attributed once
// per sample. Output: one JSON object a line,
//   {"sample","role","ip","asn","org","before":{"hosting","category","provider"},
//    "after":{"hosting","category","confidence","source","reason"}}
// where `before` is HostingList::curatedOnly() (the curated list alone, no inference), or the list
// file given as before-list (e.g. the curated list of an older commit), and `after`
// HostingList::builtin() with the evidence.
//
// Names: prints each input line with four more columns, what orgNameSignal() says of the name:
// kind (hosting, sole-proprietor, none), category, word, veto. For reviewing the inference against
// every organisation of the IP data.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "vpshunt/asn.hpp"
#include "vpshunt/ip.hpp"

#ifndef VPSHUNT_ASN_DB
#define VPSHUNT_ASN_DB "asn.bin"
#endif

namespace {

std::string json(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  size_t pos = 0;
  for (;;) {
    size_t tab = line.find('\t', pos);
    out.push_back(line.substr(pos, tab == std::string::npos ? std::string::npos : tab - pos));
    if (tab == std::string::npos) return out;
    pos = tab + 1;
  }
}

int names() {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::vector<std::string> f = split(line);
    if (f.size() < 3) continue;
    vpshunt::OrgNameSignal s = vpshunt::orgNameSignal(f[2]);
    const char* kind = s.kind == vpshunt::OrgNameSignal::Kind::Hosting          ? "hosting"
                       : s.kind == vpshunt::OrgNameSignal::Kind::SoleProprietor ? "sole-proprietor"
                                                                                : "none";
    std::cout << line << '\t' << kind << '\t'
              << (s.kind == vpshunt::OrgNameSignal::Kind::None ? "" : std::string(vpshunt::hostingCategoryName(s.category)))
              << '\t' << s.word << '\t' << s.veto << '\n';
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  if (argc > 1 && std::string(argv[1]) == "--names") return names();
  const char* path = argc > 1 ? argv[1] : VPSHUNT_ASN_DB;
  std::ifstream f(path, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  vpshunt::AsnDatabase db;
  std::string error;
  if (!f || !db.load(bytes, error)) {
    std::fprintf(stderr, "attribution: cannot load %s: %s\n", path, error.empty() ? "cannot read the file" : error.c_str());
    return 2;
  }

  struct Sample {
    std::string role;
    std::vector<vpshunt::IpAddress> ips;
    std::set<vpshunt::IpAddress> seen;
  };
  std::map<std::string, Sample> samples;
  std::vector<std::string> order;
  std::string line;
  size_t lineNo = 0;
  while (std::getline(std::cin, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> fields = split(line);
    if (fields.size() != 3 || (fields[1] != "attack" && fields[1] != "control")) {
      std::fprintf(stderr, "attribution: stdin line %zu: expected sample<TAB>attack|control<TAB>ip\n", lineNo);
      continue;
    }
    vpshunt::IpAddress ip;
    if (!vpshunt::parseIp(fields[2], ip) || vpshunt::classifyIp(ip) != vpshunt::IpType::Public) continue;
    auto [it, fresh] = samples.try_emplace(fields[0]);
    if (fresh) {
      it->second.role = fields[1];
      order.push_back(fields[0]);
    }
    if (it->second.seen.insert(ip).second) it->second.ips.push_back(ip);
  }

  vpshunt::HostingList beforeFromFile;
  if (argc > 2) {
    std::ifstream lf(argv[2], std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(lf)), std::istreambuf_iterator<char>());
    std::vector<vpshunt::Problem> problems;
    if (!lf || beforeFromFile.load(text, &problems) == 0) {
      std::fprintf(stderr, "attribution: cannot read a hosting list from %s\n", argv[2]);
      return 2;
    }
    for (const vpshunt::Problem& p : problems)
      std::fprintf(stderr, "%s:%llu: %s\n", argv[2], (unsigned long long)p.line, p.message.c_str());
    beforeFromFile.setInference(false);
  }
  const vpshunt::HostingList& before = argc > 2 ? beforeFromFile : vpshunt::HostingList::curatedOnly();
  const vpshunt::HostingList& after = vpshunt::HostingList::builtin();
  for (const std::string& name : order) {
    const Sample& s = samples[name];
    vpshunt::AttackEvidence evidence;
    if (s.role == "attack")
      for (const vpshunt::IpAddress& ip : s.ips) evidence.add(db, ip);
    for (const vpshunt::IpAddress& ip : s.ips) {
      vpshunt::HostingAttribution b = vpshunt::attribute(db, before, ip);
      vpshunt::HostingAttribution a = vpshunt::attribute(db, after, ip, s.role == "attack" ? &evidence : nullptr);
      std::cout << "{\"sample\":" << json(name) << ",\"role\":" << json(s.role) << ",\"ip\":" << json(vpshunt::formatIp(ip))
                << ",\"asn\":" << a.asn << ",\"org\":" << json(a.org) << ",\"before\":{\"hosting\":"
                << (b.isHosting ? "true" : "false") << ",\"category\":"
                << (b.isHosting ? json(vpshunt::hostingCategoryName(b.category)) : "null")
                << ",\"provider\":" << json(b.provider) << "},\"after\":{\"hosting\":" << (a.isHosting ? "true" : "false")
                << ",\"category\":" << (a.isHosting ? json(vpshunt::hostingCategoryName(a.category)) : "null")
                << ",\"confidence\":" << json(vpshunt::hostingConfidenceName(a.confidence))
                << ",\"source\":" << json(a.source) << ",\"reason\":" << json(a.reason) << "}}\n";
    }
  }
  return 0;
}
