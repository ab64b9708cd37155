/**
 * Building blocks of self-contained HTML reports (backtest, daily and weekly summaries): one page with its
 * stylesheet inline, key-figure and data tables, and the monthly returns heat table. No script, no network.
 */
import type { MonthlyReturnsRow } from '../trading/metrics';
import { CHART_CSS, escapeXml } from './svg-chart';

export { escapeXml as escapeHtml };

const PAGE_CSS = `
body { font: 14px/1.4 system-ui, -apple-system, Segoe UI, sans-serif; color: #1d2330; margin: 24px auto; max-width: 1100px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #e3e6ea; padding-bottom: 4px; }
.subtitle { color: #5b6472; margin-bottom: 16px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eceef1; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { background: #f4f5f7; font-weight: 600; }
table.figures td:first-child { color: #5b6472; }
table.data { font-size: 12px; }
.pos { color: #137333; } .neg { color: #b3261e; }
.note { color: #5b6472; font-size: 12px; }
${CHART_CSS}`;

export function htmlPage(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title><style>${PAGE_CSS}</style></head>\n<body>\n${body}\n</body></html>\n`;
}

/** A two-column table of labelled figures. */
export function figuresTable(rows: readonly (readonly [label: string, value: string])[]): string {
  return `<table class="figures">${rows.map(([k, v]) => `<tr><td>${escapeXml(k)}</td><td>${escapeXml(v)}</td></tr>`).join('')}</table>`;
}

/** A data table; cells are escaped, and a cell given as { text, sign } is coloured by the sign of a number. */
export function dataTable(header: readonly string[], rows: readonly (readonly (string | { text: string; sign: number })[])[]): string {
  const cell = (c: string | { text: string; sign: number }): string =>
    typeof c === 'string' ? `<td>${escapeXml(c)}</td>` : `<td class="${c.sign > 0 ? 'pos' : c.sign < 0 ? 'neg' : ''}">${escapeXml(c.text)}</td>`;
  return `<table class="data"><thead><tr>${header.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map(cell).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function percent(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return '–';
  const text = (x * 100).toFixed(digits);
  return `${Number(text) === 0 ? (0).toFixed(digits) : text}%`; // no "-0.0%" for a tiny loss
}

export function money(x: number): string {
  return Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : '–';
}

const MONTH_HEADERS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Year × month returns (trading/metrics monthlyReturnsTable) as a table shaded green/red by size. */
export function monthlyReturnsHtml(rows: readonly MonthlyReturnsRow[]): string {
  // Full colour at a 10 % month: beyond that every cell looks the same anyway.
  const shade = (r: number): string => {
    const a = Math.min(1, Math.abs(r) / 0.1) * 0.55;
    return r >= 0 ? `rgba(19,115,51,${a.toFixed(2)})` : `rgba(179,38,30,${a.toFixed(2)})`;
  };
  const cell = (r: number | null): string => (r === null ? '<td></td>' : `<td style="background:${shade(r)}">${percent(r, 1)}</td>`);
  const body = rows.map((row) => `<tr><td>${row.year}</td>${row.months.map(cell).join('')}<td><b>${percent(row.total, 1)}</b></td></tr>`).join('');
  return `<table class="data monthly"><thead><tr><th>Year</th>${MONTH_HEADERS.map((m) => `<th>${m}</th>`).join('')}<th>Year</th></tr></thead><tbody>${body}</tbody></table>`;
}
