// A virtual table: only the rows in view are in the DOM, fetched a page at a time from the worker
// (the rows stay in the core's store; sorting and filtering happen there). Smooth at a million rows:
// the body is a spacer as tall as all rows, and the rows drawn are those under the viewport.
//
// Keyboard: the table body is one tab stop (role="grid", aria-activedescendant names the active
// row). Arrow Up/Down, Page Up/Down, Home/End move the active row; Enter (or Space) opens it. The
// column headers are buttons: click to sort by that column alone (again to reverse), Shift+click to
// add it as the next sort key.
import { el } from './dom.js';

const ROW_HEIGHT = 27;  // px; every row has exactly this height (cells do not wrap)
const PAGE = 200;       // rows fetched per request
const OVERSCAN = 20;    // rows drawn above and below the viewport

export class VirtualTable {
  // fetchPage(offset, limit, context) -> Promise<{rows, matched}>; renderCell(column, row) -> <td>;
  // onOpen(row, context); onSort(name, add); columns: [{name, header, type, numeric}]. The context is
  // the caller's name for the view (the page's: its detection and results), given to reset: the rows
  // drawn belong to it until the next reset, whatever the caller has moved on to meanwhile.
  constructor({ container, fetchPage, renderCell, onOpen, onSort, label }) {
    this.container = container;
    this.fetchPage = fetchPage;
    this.renderCell = renderCell;
    this.onOpen = onOpen;
    this.onSort = onSort;
    this.columns = [];
    this.sortKeys = [];
    this.total = 0;
    this.context = null;
    this.pages = new Map();     // page index -> rows (or a pending promise)
    this.generation = 0;        // bumps on every reset: late replies of an old view are dropped
    this.active = -1;
    this.selectedKey = null;
    container.replaceChildren();
    this.table = el('table', { class: 'results', role: 'grid', 'aria-label': label || 'Results', 'aria-rowcount': 0 });
    this.head = el('tr', {});
    this.body = el('tbody', { tabindex: '0', 'aria-label': 'Rows (arrow keys move, Enter opens)' });
    this.table.append(el('thead', {}, this.head), this.body);
    this.scroller = el('div', { class: 'table-wrap', tabindex: '-1' });
    this.scroller.append(this.table);
    container.append(this.scroller);
    this.scroller.addEventListener('scroll', () => this.draw());
    this.body.addEventListener('keydown', (e) => this.key(e));
    this.body.addEventListener('click', (e) => {
      const tr = e.target.closest('tr[data-index]');
      if (!tr) return;
      this.setActive(Number(tr.dataset.index), false);
      this.open();
    });
    this.body.addEventListener('focus', () => { if (this.active < 0 && this.total > 0) this.setActive(0, true); });
  }

  // A new view (columns, sort or filter changed): forget the cached pages, start at the top.
  reset({ columns, sortKeys, total, context = null }) {
    this.context = context;
    this.columns = columns;
    this.sortKeys = sortKeys;
    this.total = total;
    this.pages.clear();
    ++this.generation;
    this.active = total > 0 ? Math.min(Math.max(this.active, 0), total - 1) : -1;
    this.table.setAttribute('aria-rowcount', String(total + 1));
    this.renderHead();
    this.scroller.scrollTop = 0;
    this.draw();
  }

  renderHead() {
    this.head.replaceChildren();
    for (const col of this.columns) {
      const position = this.sortKeys.findIndex((k) => k.column === col.name);
      const key = position >= 0 ? this.sortKeys[position] : null;
      const th = el('th', {
        scope: 'col', class: col.numeric ? 'num' : undefined, 'data-column': col.name, title: col.description || undefined,
        'aria-sort': key && position === 0 ? (key.desc ? 'descending' : 'ascending') : undefined,
      });
      const button = el('button', { type: 'button', class: 'sort', 'data-column': col.name, title: `Sort by ${col.name} (Shift+click: add as next key)` },
        col.header,
        key ? el('span', { class: 'sort-mark', 'aria-hidden': 'true', text: (key.desc ? ' ▼' : ' ▲') + (this.sortKeys.length > 1 ? position + 1 : '') }) : null);
      button.addEventListener('click', (event) => this.onSort(col.name, event.shiftKey));
      th.append(button);
      this.head.append(th);
    }
  }

  // The rows of page p: cached, or fetched (once) and drawn when they arrive.
  page(p) {
    const have = this.pages.get(p);
    if (have) return Array.isArray(have) ? have : null;
    const generation = this.generation;
    this.pages.set(p, this.fetchPage(p * PAGE, PAGE, this.context).then((r) => {
      if (generation !== this.generation) return;
      this.pages.set(p, r.rows);
      this.draw();
    }, () => { if (generation === this.generation) this.pages.delete(p); }));
    return null;
  }

  row(i) {
    const rows = this.page(Math.floor(i / PAGE));
    return rows ? rows[i % PAGE] : null;
  }

  draw() {
    const viewport = this.scroller.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.total, Math.ceil((this.scroller.scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);
    const fragment = document.createDocumentFragment();
    // The height through the CSSOM: the page's CSP (style-src 'self') refuses style="" attributes.
    const spacer = (n) => {
      const tr = el('tr', { class: 'spacer', 'aria-hidden': 'true' }, el('td', { colspan: this.columns.length || 1 }));
      tr.style.height = `${n * ROW_HEIGHT}px`;
      return tr;
    };
    if (first > 0) fragment.append(spacer(first));
    for (let i = first; i < last; ++i) {
      const row = this.row(i);
      const tr = el('tr', { 'data-index': i, id: `row-${i}`, 'aria-rowindex': i + 2, class: 'data' });
      tr.style.height = `${ROW_HEIGHT}px`;
      if (row) {
        tr.dataset.key = row._key;
        if (row._key === this.selectedKey) tr.classList.add('selected');
        for (const col of this.columns) tr.append(this.renderCell(col, row));
      } else {
        tr.classList.add('loading');
        tr.append(el('td', { colspan: this.columns.length, text: '…' }));
      }
      if (i === this.active) tr.classList.add('active');
      fragment.append(tr);
    }
    if (last < this.total) fragment.append(spacer(this.total - last));
    this.body.replaceChildren(fragment);
    if (this.active >= 0) this.body.setAttribute('aria-activedescendant', `row-${this.active}`);
    else this.body.removeAttribute('aria-activedescendant');
  }

  setActive(i, scroll) {
    if (this.total === 0) return;
    this.active = Math.max(0, Math.min(this.total - 1, i));
    if (scroll) {
      const top = this.active * ROW_HEIGHT;
      const headHeight = this.head.getBoundingClientRect().height || ROW_HEIGHT;
      if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
      else if (top + ROW_HEIGHT > this.scroller.scrollTop + this.scroller.clientHeight - headHeight)
        this.scroller.scrollTop = top + ROW_HEIGHT - this.scroller.clientHeight + headHeight;
    }
    this.draw();
  }

  key(e) {
    const visible = Math.max(1, Math.floor(this.scroller.clientHeight / ROW_HEIGHT) - 2);
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: visible, PageUp: -visible };
    if (e.key in moves) this.setActive(this.active + moves[e.key], true);
    else if (e.key === 'Home') this.setActive(0, true);
    else if (e.key === 'End') this.setActive(this.total - 1, true);
    else if (e.key === 'Enter' || e.key === ' ') this.open();
    else return;
    e.preventDefault();
  }

  open() {
    const row = this.active >= 0 ? this.row(this.active) : null;
    if (row) this.onOpen(row, this.context);
  }

  select(key) {
    this.selectedKey = key;
    for (const tr of this.body.querySelectorAll('tr.data')) tr.classList.toggle('selected', tr.dataset.key !== undefined && Number(tr.dataset.key) === key);
  }
}
