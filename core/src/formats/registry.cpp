#include "formats/registry.hpp"

namespace vpshunt {

// Each reader's source file defines its factory function; list it here to make it detectable.
const ReaderFactory& csvEventsFactory();
const ReaderFactory& csvIntelFactory();
const ReaderFactory& zeekTsvFactory();
const ReaderFactory& intelStixFactory();
const ReaderFactory& intelMispFactory();
const ReaderFactory& intelPlainListFactory();
const ReaderFactory& sysmonXmlFactory();
const ReaderFactory& intelIocCsvFactory();
const ReaderFactory& intelSentinelJsonFactory();
const ReaderFactory& defenderJsonFactory();
const ReaderFactory& logAnalyticsJsonFactory();
const ReaderFactory& zeekJsonFactory();
const ReaderFactory& sysmonJsonFactory();
const ReaderFactory& suricataEveFactory();
const ReaderFactory& windowsSecurityXmlFactory();
const ReaderFactory& windowsSecurityJsonFactory();
const ReaderFactory& entraSignInJsonFactory();
const ReaderFactory& oktaJsonFactory();
const ReaderFactory& cloudTrailJsonFactory();
const ReaderFactory& entraSignInCsvFactory();
const ReaderFactory& defenderSignInCsvFactory();
const ReaderFactory& windowsSecurityCsvFactory();
const ReaderFactory& cloudTrailCsvFactory();
const ReaderFactory& cefCsvFactory();
const ReaderFactory& firewallJsonFactory();
const ReaderFactory& iisW3cFactory();
const ReaderFactory& webAccessLogFactory();
const ReaderFactory& cloudRequestsCsvFactory();

const std::vector<ReaderFactory>& readerFactories() {
  static const std::vector<ReaderFactory> all = {
      csvEventsFactory(),
      csvIntelFactory(),
      zeekTsvFactory(),
      intelStixFactory(),
      intelMispFactory(),
      intelPlainListFactory(),
      sysmonXmlFactory(),
      intelIocCsvFactory(),
      intelSentinelJsonFactory(),
      defenderJsonFactory(),
      logAnalyticsJsonFactory(),
      zeekJsonFactory(),
      sysmonJsonFactory(),
      suricataEveFactory(),
      windowsSecurityXmlFactory(),
      windowsSecurityJsonFactory(),
      entraSignInJsonFactory(),
      oktaJsonFactory(),
      cloudTrailJsonFactory(),
      entraSignInCsvFactory(),
      defenderSignInCsvFactory(),
      windowsSecurityCsvFactory(),
      cloudTrailCsvFactory(),
      cefCsvFactory(),
      firewallJsonFactory(),
      iisW3cFactory(),
      webAccessLogFactory(),
      cloudRequestsCsvFactory(),
  };
  return all;
}

const ReaderFactory* findReader(std::string_view name) {
  for (const auto& f : readerFactories())
    if (f.name == name) return &f;
  return nullptr;
}

const ReaderFactory* detectReader(std::string_view head, std::string_view path, FileKind kind) {
  const ReaderFactory* best = nullptr;
  int bestScore = 0;
  for (const auto& f : readerFactories()) {
    if (kind != FileKind::Auto && f.kind != kind) continue;
    int s = f.sniff(head, path);
    if (s > bestScore) {
      best = &f;
      bestScore = s;
    }
  }
  return best;
}

}  // namespace vpshunt
