// DOM and formatting helpers shared by the page's modules.
//
// Security: every piece of log text reaches the DOM through textContent / createTextNode /
// setAttribute on plain attributes — never innerHTML — so a command line holding
// `<img src=x onerror=alert(1)>` shows as those characters.

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    // The page's CSP (style-src 'self') refuses style attributes; the CSSOM is allowed.
    else if (k === 'style') node.style.cssText = String(v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

export function formatBytes(n) {
  if (n === undefined || n === null) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024, u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; ++u; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
export function formatSeconds(s) {
  if (s < 1) return `${(s * 1000).toFixed(0)} ms`;
  if (s < 120) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
// Beacon intervals read best in seconds ("every 290 s"), up to two hours.
export function formatInterval(s) {
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${Math.round(s)} s`;
  return `${(s / 3600).toFixed(1)} h`;
}
export function formatMinutes(m) {
  return m % 1440 === 0 ? `${m / 1440} day(s)` : m % 60 === 0 ? `${m / 60} hour(s)` : `${m} minutes`;
}
export const formatCount = (n) => Number(n).toLocaleString('en-US');

export function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// Copies text to the clipboard; where the clipboard is not available (a page from file://, a
// browser policy), selects `fallback` (a textarea) so that Ctrl+C copies it. Returns true when copied.
export async function copyText(text, fallback) {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch { /* fall back to the selection */ }
  if (fallback) {
    fallback.hidden = false;
    fallback.value = text;
    fallback.focus();
    fallback.select();
  }
  return false;
}
