// KQL export: the rule in force as one query (Copy KQL, Download .kql) for the tab in view, and a
// row's investigation queries in its detail view. The text comes from the core (worker requests
// exportKql and pivotQueries); this only shows it and puts it on the clipboard.
import { $, copyText, download, el } from './dom.js';

let page = null;  // {run, client, state, applyRule}

async function ruleAsKql() {
  const target = $('kql-target').value;
  const { state, client } = page;
  if (state.rule && state.rule.kqlTiTable) $('kql-ti-table').value = state.rule.kqlTiTable;
  try {
    const result = await client.request('exportKql', { target, detection: state.detection });
    const text = $('kql-text');
    text.value = result.text;
    text.hidden = false;
    return { target, text: result.text };
  } catch (e) {
    $('kql-message').textContent = e.code === 'kql' ? `No KQL form for the ${state.detection} detection yet: ${e.message}` : e.message;
    return null;
  }
}

export function wireKqlExport(pageApi) {
  page = pageApi;
  // The TI table is a rule key (kqlTiTable): a change applies at once, without reading the files again.
  $('kql-ti-table').addEventListener('change', async (e) => {
    if (page.state.rule) await page.applyRule({ ...page.state.rule, kqlTiTable: e.target.value }, page.state.now);
  });
  $('kql-copy').addEventListener('click', async () => {
    const q = await ruleAsKql();
    if (!q) return;
    const copied = await copyText(q.text, $('kql-text'));
    $('kql-message').textContent = (copied ? 'Copied' : 'The clipboard is not available here: the query is selected below, copy it with Ctrl+C') +
      ` (${q.text.split('\n').length} lines for ${$('kql-target').selectedOptions[0].textContent}, the ${page.state.detection} detection, the rule in force). ` +
      'Its header says what differs from this page\'s results.';
  });
  $('kql-download').addEventListener('click', async () => {
    const q = await ruleAsKql();
    if (!q) return;
    download(`vpshunt-${page.state.detection}-${q.target}.kql`, q.text, 'text/plain');
    $('kql-message').textContent = `Downloaded vpshunt-${page.state.detection}-${q.target}.kql.`;
  });
}

// The row's pivots (beacon: process tree, binary, the address across the fleet, its network, the
// account's sign-ins; inbound, signin, infrastructure: the address or network across every table,
// what followed, the users, the AS) for the target chosen in the settings, each with its own Copy
// button. The core builds them (vpshunt::pivotQueries); a row without the fields they need has none.
export async function appendKqlPivots(body, detection, row, client) {
  const target = $('kql-target').value;
  const section = el('div', { class: 'kql-pivots', id: 'kql-pivots' });
  body.append(el('h3', { text: `Investigate where the data lives (KQL for ${$('kql-target').selectedOptions[0].textContent})` }), section);
  let result;
  try {
    result = await client.request('pivotQueries', { detection, row, target });
  } catch (e) {
    section.append(el('p', { class: 'hint', text: e.code === 'kql' ? `No investigation queries for ${detection} rows yet.` : e.message }));
    return;
  }
  if (!result.pivots.length) {
    section.append(el('p', { class: 'hint', text: `No investigation queries for this row (it lacks the fields they are built from): "Copy KQL" in the rule settings exports the ${detection} detection itself.` }));
    return;
  }
  for (const pivot of result.pivots) {
    const pre = el('pre', { class: 'kql-text', text: pivot.query });
    const status = el('span', { class: 'hint', 'aria-live': 'polite' });
    const copy = el('button', { type: 'button', class: 'secondary', text: 'Copy KQL', 'data-pivot': pivot.id });
    copy.addEventListener('click', async (e) => {
      e.preventDefault();  // a button in a <summary>: copy, do not fold
      const ok = await copyText(pivot.query, null);
      if (!ok) window.getSelection().selectAllChildren(pre);
      status.textContent = ok ? ' Copied.' : ' Selected: copy it with Ctrl+C.';
    });
    section.append(el('details', { class: 'kql-pivot', 'data-pivot': pivot.id },
      el('summary', {}, el('span', { text: pivot.title + ' ' }), copy, status), pre));
  }
}
