import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * Readers for the market data files in data.dir (../shared/data): daily bars, sectors, VIX and
 * intraday minute bars. Daily bars are held column-wise in typed arrays, one series per symbol:
 * 2.4 million rows load in a couple of seconds and stay compact for screening and backtests.
 */
export interface BarSeries {
  symbol: string;
  /** YYYY-MM-DD for daily bars, "YYYY-MM-DD HH:MM:SS" (US/Eastern, bar end) for intraday bars. */
  dates: string[];
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

export interface BarFilter {
  symbols?: ReadonlySet<string>;
  /** Inclusive bounds on the date column (compared as strings, so YYYY-MM-DD prefixes work). */
  from?: string;
  to?: string;
}

export class DataFileError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'DataFileError';
  }
}

export const DAILY_COLUMNS = ['symbol', 'date', 'open', 'high', 'low', 'close', 'volume'] as const;

/** Reads a file, gunzipping *.gz; a missing file is reported with the folder it was looked for in. */
export function readText(file: string): string {
  if (!fs.existsSync(file)) throw new DataFileError(file, `file not found (looked in ${path.dirname(path.resolve(file))}; set data.dir or TRADER_DATA_DIR)`);
  const raw = fs.readFileSync(file);
  return (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
}

/** Long-format daily bars (symbol,date,open,high,low,close,volume), grouped per symbol in file order. */
export function loadDailyBars(file: string, filter: BarFilter = {}): Map<string, BarSeries> {
  return parseLongBars(readText(file), file, filter);
}

export function parseLongBars(text: string, file: string, filter: BarFilter = {}): Map<string, BarSeries> {
  // A hand-rolled scanner: splitting 2.4 million lines into field strings took three times longer.
  const headerEnd = text.indexOf('\n');
  expectHeader(text.slice(0, headerEnd < 0 ? text.length : headerEnd), DAILY_COLUMNS, file);
  const rows = new Map<string, { dates: string[]; values: number[] }>();
  let current: { dates: string[]; values: number[] } | undefined;
  let currentSymbol = '';
  let line = 1;
  for (let pos = headerEnd + 1; pos > 0 && pos < text.length; ) {
    line++;
    let end = text.indexOf('\n', pos);
    if (end < 0) end = text.length;
    const lineEnd = text.charCodeAt(end - 1) === 13 ? end - 1 : end; // tolerate CRLF
    if (lineEnd > pos) {
      const c1 = text.indexOf(',', pos);
      const c2 = c1 < 0 ? -1 : text.indexOf(',', c1 + 1);
      if (c2 < 0 || c2 > lineEnd) throw new DataFileError(file, `line ${line}: expected 7 columns`);
      if (c1 - pos !== currentSymbol.length || !text.startsWith(currentSymbol, pos)) currentSymbol = text.slice(pos, c1);
      const date = text.slice(c1 + 1, c2);
      const wanted = (!filter.symbols || filter.symbols.has(currentSymbol)) && !(filter.from && date < filter.from) && !(filter.to && date > filter.to);
      if (wanted) {
        current = rows.get(currentSymbol);
        if (!current) rows.set(currentSymbol, (current = { dates: [], values: [] }));
        current.dates.push(date);
        let start = c2 + 1;
        for (let c = 2; c < 7; c++) {
          let stop = c < 6 ? text.indexOf(',', start) : lineEnd;
          if (stop < 0 || stop > lineEnd) throw new DataFileError(file, `line ${line}: expected 7 columns`);
          if (c === 6 && text.indexOf(',', start) >= 0 && text.indexOf(',', start) < lineEnd) throw new DataFileError(file, `line ${line}: expected 7 columns, found more`);
          current.values.push(decimal(text, start, stop, file, line, DAILY_COLUMNS[c]));
          start = stop + 1;
        }
      }
    }
    pos = end + 1;
  }
  const out = new Map<string, BarSeries>();
  for (const [symbol, r] of rows) out.set(symbol, toSeries(symbol, r.dates, r.values));
  return out;
}

/**
 * Parses a plain decimal (optionally signed, with a fraction) without allocating: mantissa and
 * power of ten are exact doubles up to 15 digits, so the one division rounds exactly as Number()
 * would. Anything else (exponents, longer mantissas) falls back to Number().
 */
function decimal(text: string, start: number, stop: number, file: string, line: number, column: string): number {
  let i = start;
  const negative = text.charCodeAt(i) === 45;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let dot = false;
  for (; i < stop; i++) {
    const ch = text.charCodeAt(i);
    if (ch >= 48 && ch <= 57) {
      mantissa = mantissa * 10 + (ch - 48);
      digits++;
      if (dot) scale++;
    } else if (ch === 46 && !dot) dot = true;
    else return number(text.slice(start, stop), file, line, column);
  }
  if (digits === 0 || digits > 15) return number(text.slice(start, stop), file, line, column);
  const v = scale === 0 ? mantissa : mantissa / POW10[scale];
  return negative ? -v : v;
}

const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

/** One symbol's minute bars from intraday/<SYM>.csv (datetime,open,high,low,close,volume). */
export function loadIntradayBars(file: string, symbol = path.basename(file, '.csv')): BarSeries {
  const lines = readText(file).split('\n');
  const columns = ['datetime', 'open', 'high', 'low', 'close', 'volume'] as const;
  expectHeader(lines[0], columns, file);
  const dates: string[] = [];
  const values: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const f = lines[i].split(',');
    if (f.length !== 6) throw new DataFileError(file, `line ${i + 1}: expected 6 columns, found ${f.length}`);
    dates.push(f[0]);
    for (let c = 1; c < 6; c++) values.push(number(f[c], file, i + 1, columns[c]));
  }
  return toSeries(symbol, dates, values);
}

export interface SectorInfo {
  name: string;
  sector: string;
}

/** sectors.csv: symbol,name,sector (names may hold quoted commas). */
export function loadSectors(file: string): Map<string, SectorInfo> {
  const out = new Map<string, SectorInfo>();
  const lines = readText(file).split('\n');
  expectHeader(lines[0], ['symbol', 'name', 'sector'], file);
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const f = splitQuoted(lines[i]);
    if (f.length !== 3) throw new DataFileError(file, `line ${i + 1}: expected 3 columns, found ${f.length}`);
    out.set(f[0], { name: f[1], sector: f[2] });
  }
  return out;
}

/** vix.csv: date,open,high,low,close → close by date. */
export function loadVix(file: string): Map<string, number> {
  const out = new Map<string, number>();
  const lines = readText(file).split('\n');
  expectHeader(lines[0], ['date', 'open', 'high', 'low', 'close'], file);
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]) continue;
    const f = lines[i].split(',');
    out.set(f[0], number(f[4], file, i + 1, 'close'));
  }
  return out;
}

function toSeries(symbol: string, dates: string[], values: number[]): BarSeries {
  const n = dates.length;
  const s: BarSeries = { symbol, dates, open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    s.open[i] = values[i * 5];
    s.high[i] = values[i * 5 + 1];
    s.low[i] = values[i * 5 + 2];
    s.close[i] = values[i * 5 + 3];
    s.volume[i] = values[i * 5 + 4];
  }
  return s;
}

function expectHeader(line: string | undefined, columns: readonly string[], file: string): void {
  const got = (line ?? '').trim();
  if (got !== columns.join(',')) throw new DataFileError(file, `expected the header "${columns.join(',')}", found "${got.slice(0, 80)}"`);
}

function number(text: string, file: string, line: number, column: string): number {
  const v = Number(text);
  if (text === '' || !Number.isFinite(v)) throw new DataFileError(file, `line ${line}: ${column} is not a number: "${text}"`);
  return v;
}

function splitQuoted(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of line.replace(/\r$/, '')) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) (out.push(cur), (cur = ''));
    else cur += ch;
  }
  out.push(cur);
  return out;
}
