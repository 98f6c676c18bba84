// Microsoft's KQL analyser (Kusto.Language, npm @kusto/language-service-next) over the tables'
// documented schemas (tests/kql/schemas/), for the tests of vpshunt's KQL export.
//
//   const kql = loadKusto({ watchlistColumns });  // ~1 s: once per test file
//   const { errors, columns } = kql.analyse(text, 'sentinel');
//
// The package ships as two plain scripts (Bridge.NET runtime, then the language library) that
// define globals; they are run in this context with node:vm, as a page would load them.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

import { ROOT } from './support.mjs';

const require = createRequire(import.meta.url);
const SCHEMAS = path.join(ROOT, 'tests/kql/schemas');

// Sentinel's _GetWatchlist(alias) returns the watchlist's items with each CSV column as a string
// column (bag_unpack of WatchlistItem) plus SearchKey and the item's bookkeeping columns (Microsoft
// Sentinel docs, watchlists-queries.md). `watchlistColumns`: the CSV header of the watchlist.
const watchlistSchema = (columns) =>
  '(' + ['SearchKey', ...columns].map((c) => `['${c}']:string`).join(', ') + ', _DTItemId:string, LastUpdatedTimeUTC:datetime)';

let loaded = null;

export function loadKusto({ watchlistColumns }) {
  if (loaded) return loaded;
  const dir = path.dirname(require.resolve('@kusto/language-service-next/package.json'));
  vm.runInThisContext(fs.readFileSync(path.join(dir, 'bridge.min.js'), 'utf8'), { filename: 'bridge.min.js' });
  vm.runInThisContext(fs.readFileSync(path.join(dir, 'Kusto.Language.Bridge.min.js'), 'utf8'),
    { filename: 'Kusto.Language.Bridge.min.js' });
  const K = globalThis.Kusto.Language;
  const S = K.Symbols;

  const schemaFile = { sentinel: 'sentinel.json', adx: 'sentinel.json', defender: 'defender.json' };
  const schemas = {};
  const globalsByTarget = {};
  for (const target of Object.keys(schemaFile)) {
    const schema = JSON.parse(fs.readFileSync(path.join(SCHEMAS, schemaFile[target]), 'utf8'));
    schemas[target] = schema;
    const members = Object.entries(schema.tables).map(([name, cols]) =>
      new S.TableSymbol.$ctor7(name, '(' + Object.entries(cols).map(([c, t]) => `['${c}']:${t}`).join(', ') + ')', ''));
    if (target === 'sentinel') {
      const alias = new S.Parameter.$ctor2('watchlistAlias', S.ScalarTypes.String);
      members.push(new S.FunctionSymbol.$ctor5('_GetWatchlist', S.TableSymbol.From(watchlistSchema(watchlistColumns)), [alias]));
    }
    globalsByTarget[target] = K.GlobalState.Default.WithDatabase(new S.DatabaseSymbol.ctor(schema.database, members));
  }

  const list = (l) => Array.from({ length: l ? l.Count : 0 }, (_, i) => l.getItem(i));
  loaded = {
    schemas,
    // Every diagnostic of severity Error (with line:column), and the result's columns.
    analyse(text, target) {
      const code = K.KustoCode.ParseAndAnalyze(text, globalsByTarget[target]);
      const errors = list(code.GetDiagnostics()).filter((d) => d.Severity === 'Error').map((d) => {
        const before = text.slice(0, d.Start);
        const line = before.split('\n').length;
        return `${d.Code} ${line}:${d.Start - before.lastIndexOf('\n')} ${d.Message}`;
      });
      const result = code.ResultType;
      const columns = result && result.Columns ? list(result.Columns).map((c) => ({ name: c.Name, type: c.Type.Name })) : [];
      return { errors, columns };
    },
    // Kusto.Language's own lexing of `text`: for each token, whether it is a string literal, its
    // text, and the trivia (whitespace, comments) before it.
    tokens(text) {
      const stringKind = K.Syntax.SyntaxKind.StringLiteralToken;
      return Array.from(K.Parsing.TokenParser.ParseTokens(text), (t) => ({ string: t.Kind === stringKind, text: t.Text, trivia: t.Trivia }));
    },
  };
  return loaded;
}
