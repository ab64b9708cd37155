/**
 * Inline-SVG time charts for self-contained HTML reports and e-mails: no dependency, no script, no network.
 * One function draws a dated chart — lines, an optional filled area down to zero (drawdowns), point markers
 * (trades) — with date ticks on x (years, months or days, whichever fits the span) and round-number ticks on y.
 * Series longer than the plot is wide are reduced to each pixel column's first, lowest, highest and last points,
 * which keeps every peak and trough of a 20-year daily series at a few thousand points.
 */

export interface DatedValue {
  /** YYYY-MM-DD. */
  date: string;
  value: number;
}

export interface LineSeries {
  name: string;
  points: readonly DatedValue[];
  color: string;
  /** Fill between the line and zero (e.g. a drawdown below zero). */
  area?: boolean;
}

export interface Marker {
  date: string;
  value: number;
  /** ▲ (a buy), ▼ (a sell) or ● (anything else). */
  shape: 'up' | 'down' | 'dot';
  color: string;
  /** Shown as the marker's tooltip. */
  title?: string;
}

export interface TimeChartOptions {
  title?: string;
  width: number;
  height: number;
  series: readonly LineSeries[];
  markers?: readonly Marker[];
  /** Labels of y ticks and tooltips, e.g. percentages. */
  format?: (value: number) => string;
  /** Always include this y value in the range (0 for returns and drawdowns). */
  includeZero?: boolean;
}

const MARGIN = { top: 28, right: 16, bottom: 26, left: 76 };
const DAY_MS = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function dayOf(date: string): number {
  return Date.parse(`${date.slice(0, 10)}T00:00:00Z`) / DAY_MS;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const plain = (v: number): string => (Math.abs(v) >= 1000 ? v.toLocaleString('en-US', { maximumFractionDigits: 0 }) : String(Number(v.toPrecision(4))));

/** A dated chart as an <svg> element (see the header). */
export function timeChart(o: TimeChartOptions): string {
  const format = o.format ?? plain;
  const plotW = o.width - MARGIN.left - MARGIN.right;
  const plotH = o.height - MARGIN.top - MARGIN.bottom;
  const all = o.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.value));
  const marks = (o.markers ?? []).filter((m) => Number.isFinite(m.value));
  const title = o.title ? `<text x="${MARGIN.left}" y="18" class="chart-title">${escapeXml(o.title)}</text>` : '';
  if (all.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${o.width}" height="${o.height}" viewBox="0 0 ${o.width} ${o.height}" role="img">${title}<text x="${o.width / 2}" y="${o.height / 2}" text-anchor="middle">no data</text></svg>`;
  }
  const days = all.map((p) => dayOf(p.date)).concat(marks.map((m) => dayOf(m.date)));
  const x0 = Math.min(...days);
  const x1 = Math.max(x0 + 1, Math.max(...days));
  const values = all.map((p) => p.value).concat(marks.map((m) => m.value), o.includeZero ? [0] : []);
  const yTicks = niceTicks(Math.min(...values), Math.max(...values));
  const y0 = yTicks[0]!;
  const y1 = yTicks[yTicks.length - 1]!;
  const sx = (day: number): number => MARGIN.left + ((day - x0) / (x1 - x0)) * plotW;
  const sy = (v: number): number => MARGIN.top + (1 - (v - y0) / (y1 - y0 || 1)) * plotH;
  const r = (v: number): string => v.toFixed(1);

  const parts: string[] = [title];
  for (const t of yTicks) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${r(sy(t))}" y2="${r(sy(t))}" class="grid"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${r(sy(t) + 4)}" text-anchor="end" class="tick">${escapeXml(format(t))}</text>`);
  }
  for (const t of dateTicks(x0, x1)) {
    parts.push(`<line x1="${r(sx(t.day))}" x2="${r(sx(t.day))}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" class="grid"/>`);
    parts.push(`<text x="${r(sx(t.day))}" y="${MARGIN.top + plotH + 16}" text-anchor="middle" class="tick">${t.label}</text>`);
  }
  for (const s of o.series) {
    const pts = reduceToColumns(s.points.filter((p) => Number.isFinite(p.value)), x0, x1, plotW);
    if (pts.length === 0) continue;
    const path = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${r(sx(dayOf(p.date)))},${r(sy(p.value))}`).join('');
    if (s.area) {
      const base = r(sy(Math.min(Math.max(0, y0), y1)));
      parts.push(`<path d="${path}L${r(sx(dayOf(pts[pts.length - 1]!.date)))},${base}L${r(sx(dayOf(pts[0]!.date)))},${base}Z" fill="${s.color}" fill-opacity="0.25" stroke="none"/>`);
    }
    parts.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="1.2"><title>${escapeXml(s.name)}</title></path>`);
  }
  for (const m of marks) parts.push(marker(m, sx(dayOf(m.date)), sy(m.value), format));
  if (o.series.length > 1) {
    o.series.forEach((s, i) => {
      const x = MARGIN.left + plotW - (o.series.length - i) * 120;
      parts.push(`<rect x="${x}" y="8" width="10" height="10" fill="${s.color}"/><text x="${x + 14}" y="17" class="tick">${escapeXml(s.name)}</text>`);
    });
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${o.width}" height="${o.height}" viewBox="0 0 ${o.width} ${o.height}" role="img" class="chart">` +
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" class="plot"/>${parts.join('')}</svg>`
  );
}

function marker(m: Marker, x: number, y: number, format: (v: number) => string): string {
  const s = 5;
  const title = `<title>${escapeXml(m.title ?? `${m.date} ${format(m.value)}`)}</title>`;
  const f = (v: number): string => v.toFixed(1);
  if (m.shape === 'dot') return `<circle cx="${f(x)}" cy="${f(y)}" r="${s - 1}" fill="${m.color}">${title}</circle>`;
  const d = m.shape === 'up' ? `M${f(x)},${f(y - s)}L${f(x + s)},${f(y + s)}L${f(x - s)},${f(y + s)}Z` : `M${f(x)},${f(y + s)}L${f(x + s)},${f(y - s)}L${f(x - s)},${f(y - s)}Z`;
  return `<path d="${d}" fill="${m.color}" stroke="#fff" stroke-width="0.5">${title}</path>`;
}

/** Keeps, per pixel column, the first, lowest, highest and last point in date order. */
export function reduceToColumns(points: readonly DatedValue[], x0: number, x1: number, columns: number): DatedValue[] {
  if (points.length <= 4 * columns) return [...points];
  const out: DatedValue[] = [];
  let column = -1;
  let group: DatedValue[] = [];
  const flush = (): void => {
    if (group.length === 0) return;
    let lo = group[0]!;
    let hi = group[0]!;
    for (const p of group) {
      if (p.value < lo.value) lo = p;
      if (p.value > hi.value) hi = p;
    }
    const keep = new Set([group[0]!, lo, hi, group[group.length - 1]!]);
    out.push(...group.filter((p) => keep.has(p)));
    group = [];
  };
  for (const p of points) {
    const c = Math.floor(((dayOf(p.date) - x0) / (x1 - x0 || 1)) * columns);
    if (c !== column) flush();
    column = c;
    group.push(p);
  }
  flush();
  return out;
}

/** About five round-number ticks (1, 2 or 5 × 10^k apart) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number): number[] {
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.01 || 1;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const raw = (hi - lo) / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * magnitude).find((s) => s >= raw)!;
  // Integer multiples of the step, rounded to its decimals: no 3.5e-18 where 0 is meant.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const ticks: number[] = [];
  for (let k = Math.floor(lo / step); (k - 0.5) * step < hi; k++) ticks.push(Number((k * step).toFixed(decimals)));
  return ticks;
}

/** Date ticks for a span of days: whole years (every 1, 2, 5… years), months, or days, at most about ten. */
function dateTicks(x0: number, x1: number): { day: number; label: string }[] {
  const start = new Date(x0 * DAY_MS);
  const end = new Date(x1 * DAY_MS);
  const years = (x1 - x0) / 365.25;
  const out: { day: number; label: string }[] = [];
  if (years > 3) {
    const every = [1, 2, 5, 10].find((k) => years / k <= 10) ?? 20;
    for (let y = Math.ceil(start.getUTCFullYear() / every) * every; y <= end.getUTCFullYear(); y += every) {
      const day = Date.UTC(y, 0, 1) / DAY_MS;
      if (day >= x0) out.push({ day, label: String(y) });
    }
    return out;
  }
  const months = years * 12;
  if (months > 2) {
    const every = [1, 2, 3, 6].find((k) => months / k <= 10) ?? 12;
    for (let m = start.getUTCFullYear() * 12 + start.getUTCMonth() + 1; m <= end.getUTCFullYear() * 12 + end.getUTCMonth(); m++) {
      if (m % every !== 0) continue;
      const y = Math.floor(m / 12);
      const day = Date.UTC(y, m % 12, 1) / DAY_MS;
      out.push({ day, label: m % 12 === 0 ? String(y) : `${MONTHS[m % 12]} ${String(y).slice(2)}` });
    }
    return out;
  }
  const every = Math.max(1, Math.ceil((x1 - x0) / 10));
  for (let day = Math.ceil(x0); day <= x1; day += every) {
    const d = new Date(day * DAY_MS);
    out.push({ day, label: `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}` });
  }
  return out;
}

/** The stylesheet the charts' classes refer to, for the page that holds them. */
export const CHART_CSS = `
svg.chart { display: block; margin: 8px 0 20px; font: 11px system-ui, sans-serif; }
svg.chart .plot { fill: #fcfcfd; stroke: #d0d4da; }
svg.chart .grid { stroke: #e6e8eb; stroke-width: 1; }
svg.chart .tick { fill: #555; }
svg.chart .chart-title { font-weight: 600; font-size: 13px; fill: #222; }
`;
