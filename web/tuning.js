// Tuning from a row (issue 13, README "Tuning: suppressions"): the detail view's buttons make an
// entry of the rule's `suppressions`, with who decided and why (typed in a small form, never
// window.prompt); the entries in force are listed with an undo each. The rule goes to the worker
// whole (setRule): the core applies suppressions when it makes the results, without reading the
// files again. What an entry matches, and how, is the core's; this file only builds the entries
// from the row's own cells, as the README's table names them.
import { el } from './dom.js';

// The entries a row of `detection` offers: {kind, label, entry(row, detail) -> the entry's keys}.
const ACTIONS = {
  beacon: [
    { kind: 'flow', label: 'Suppress this flow', entry: (row) => ({
      device: row.DeviceName ?? '', account: row.AccountName ?? '', process: row.InitiatingProcessFileName ?? '',
      commandLine: row.InitiatingProcessCommandLine ?? '', remoteIp: row.RemoteIP,
    }) },
    { kind: 'process', label: '…this process on every device', entry: (row) => ({ process: row.InitiatingProcessFileName ?? '' }),
      warning: 'Every row of this process name, on every device: an implant can take the name. Prefer “Mark as known software”.' },
    { kind: 'destination', label: '…this destination', entry: (row) => ({ remoteIp: row.RemoteIP }) },
    { kind: 'knownSoftware', label: 'Mark as known software', product: true, entry: (row, detail) => ({
      process: row.InitiatingProcessFileName ?? '', folder: detail.processFolder ?? '', remoteIp: row.RemoteIP,
    }) },
  ],
  inbound: [
    { kind: 'destination', label: 'Suppress this source', entry: (row) => ({ remoteIp: row.RemoteIP }) },
  ],
};

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

// The detail view's tuning section for a row, or null when the detection has none.
// apply(entry) -> Promise<boolean> adds the entry to the rule and applies it.
export function tuningSection(detection, detail, apply) {
  const actions = ACTIONS[detection];
  if (!actions) return null;
  const row = detail.row;
  const box = el('div', { class: 'tuning', id: 'tuning' });
  const buttons = el('p', { class: 'actions' });
  const formSlot = el('div', {});
  for (const action of actions) {
    buttons.append(el('button', {
      type: 'button', class: 'secondary', 'data-kind': action.kind,
      onclick: () => formSlot.replaceChildren(entryForm(action, row, detail, apply, () => formSlot.replaceChildren())),
      text: action.label,
    }));
  }
  box.append(el('h3', { text: 'Tune the rule from this row' }), buttons, formSlot);
  if (detection === 'beacon' && detail.knownSoftware)
    box.append(el('p', { class: 'hint known-software', text: `Known software: ${detail.knownSoftware} — ${detail.knownSoftwareReason}` }));
  else if (detection === 'beacon' && detail.knownSoftwareReason)
    box.append(el('p', { class: 'hint', text: `Not known software: ${detail.knownSoftwareReason}` }));
  return box;
}

function entryForm(action, row, detail, apply, close) {
  const keys = action.entry(row, detail);
  const who = el('input', { type: 'text', id: 'tuning-who', required: true, spellcheck: 'false', autocomplete: 'off' });
  const why = el('input', { type: 'text', id: 'tuning-why', required: true, autocomplete: 'off' });
  const product = action.product ? el('input', { type: 'text', id: 'tuning-product', required: true, value: row.InitiatingProcessFileName || '' }) : null;
  const message = el('p', { class: 'hint', 'aria-live': 'polite' });
  const form = el('form', { class: 'tuning-form', 'data-kind': action.kind, novalidate: true },
    el('p', { class: 'tuning-what', text: `${action.label}: ` + Object.entries(keys).map(([k, v]) => `${k} = ${v === '' ? '""' : v}`).join(', ') }),
    action.warning ? el('p', { class: 'warning', text: action.warning }) : null,
    product ? el('label', {}, 'Product name ', product) : null,
    el('label', {}, 'Who ', who),
    el('label', {}, 'Why ', why),
    el('p', { class: 'actions' },
      el('button', { type: 'submit', id: 'tuning-save', text: 'Add to the rule' }),
      el('button', { type: 'button', class: 'secondary', onclick: close, text: 'Cancel' })),
    message);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const missing = [['who', who], ['why', why], ...(product ? [['product name', product]] : [])].filter(([, input]) => !input.value.trim());
    if (missing.length) {
      message.textContent = `Please fill in ${missing.map(([n]) => n).join(' and ')}.`;
      missing[0][1].focus();
      return;
    }
    const entry = { kind: action.kind, ...(product ? { product: product.value.trim() } : {}), ...keys,
      who: who.value.trim(), why: why.value.trim(), added: now() };
    if (await apply(entry)) close();
    else message.textContent = 'The rule was not changed (see the message above).';
  });
  setTimeout(() => (product || who).focus(), 0);
  return form;
}

function describe(entry) {
  const keys = Object.entries(entry).filter(([k]) => !['kind', 'who', 'why', 'added'].includes(k))
    .map(([k, v]) => `${k} = ${v === '' ? '""' : v}`).join(', ');
  return `${entry.kind}: ${keys}`;
}

// The list of entries in force, each with an undo; remove(index) -> Promise; download() saves the rule.
export function renderSuppressions(container, suppressions, remove, download) {
  container.replaceChildren();
  const list = suppressions || [];
  container.hidden = list.length === 0;
  if (!list.length) return;
  const ul = el('ul', { class: 'suppression-list' });
  list.forEach((entry, index) => {
    ul.append(el('li', { 'data-kind': entry.kind },
      el('span', { class: 'suppression-what', text: describe(entry) }),
      el('span', { class: 'suppression-who', text: ` — ${entry.who}: ${entry.why}${entry.added ? ` (${entry.added})` : ''}` }),
      el('button', { type: 'button', class: 'secondary small', 'data-index': index, onclick: () => remove(index), text: 'Undo' })));
  });
  container.append(el('h3', { text: `Tuning entries in force (${list.length})` }), ul,
    el('p', { class: 'actions' }, el('button', { type: 'button', class: 'secondary', id: 'suppressions-download', onclick: download,
      text: 'Download the rule (JSON, with these entries)' })));
}
