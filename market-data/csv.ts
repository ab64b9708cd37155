import { DAILY_COLUMNS, DataFileError, parseLongBars, readText, type BarSeries } from './files';

/**
 * Series files for research (trader stats): a wide CSV (a header row naming the columns, one numeric column per
 * series, one row per observation) or a long-format daily bar file (symbol,date,open,high,low,close,volume, as
 * daily.csv.gz), plain or gzipped. A series is named COLUMN in a wide file and SYMBOL:COLUMN in a long one. Every
 * problem is a one-line DataFileError naming the file and the flag, line, column or symbol at fault.
 */
export type SeriesFile = WideFile | LongFile;

export interface WideFile {
  format: 'wide';
  file: string;
  columns: string[];
  /** Cells per data row (as many as columns); lines[i] is row i's 1-based line number in the file. */
  rows: string[][];
  lines: number[];
}

export interface LongFile {
  format: 'long';
  file: string;
  text: string;
}

/** One numeric series: `label` as the user named it; dates where the file has them. */
export interface Series {
  label: string;
  values: Float64Array;
  dates?: string[];
}

export function readSeriesFile(file: string): SeriesFile {
  const text = readText(file);
  const headerEnd = text.indexOf('\n');
  const header = (headerEnd < 0 ? text : text.slice(0, headerEnd)).trim();
  if (header === DAILY_COLUMNS.join(',')) return { format: 'long', file, text };
  if (!header) throw new DataFileError(file, 'empty file: expected a header row naming the columns');
  return parseWide(text, file);
}

function parseWide(text: string, file: string): WideFile {
  const lines = text.split('\n');
  const columns = splitCells(lines[0]!, file, 1).map((c) => c.trim());
  const seen = new Set<string>();
  for (const c of columns) {
    if (!c) throw new DataFileError(file, `line 1: a column has no name (header "${lines[0]!.trim().slice(0, 80)}")`);
    if (seen.has(c)) throw new DataFileError(file, `line 1: column "${c}" appears twice`);
    seen.add(c);
  }
  const out: WideFile = { format: 'wide', file, columns, rows: [], lines: [] };
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i]!.trim()) continue;
    const cells = splitCells(lines[i]!, file, i + 1);
    if (cells.length !== columns.length) throw new DataFileError(file, `line ${i + 1}: ${cells.length} cells where the header names ${columns.length} columns`);
    out.rows.push(cells);
    out.lines.push(i + 1);
  }
  return out;
}

/** RFC 4180 cells: commas inside double quotes, "" for a quote; a trailing CR is dropped. */
function splitCells(line: string, file: string, lineNo: number): string[] {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (!text.includes('"')) return text.split(',');
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (ch === ',' && !quoted) {
      cells.push(cell);
      cell = '';
    } else {
      cell += ch;
    }
  }
  if (quoted) throw new DataFileError(file, `line ${lineNo}: unclosed double quote`);
  cells.push(cell);
  return cells;
}

/**
 * The series `spec` names (COLUMN in a wide file, SYMBOL:COLUMN in a long one); `flag` is the option that named it,
 * for the error messages.
 */
export function selectSeries(src: SeriesFile, spec: string, flag: string): Series {
  if (src.format === 'wide') {
    const c = columnIndex(src, spec, flag);
    const values = new Float64Array(src.rows.length);
    for (let r = 0; r < src.rows.length; r++) values[r] = numberCell(src, r, c);
    return src.columns.includes('date') ? { label: spec, values, dates: selectDates(src) } : { label: spec, values };
  }
  const sep = spec.lastIndexOf(':');
  const symbol = spec.slice(0, sep).trim();
  const column = spec.slice(sep + 1).trim() as (typeof VALUE_COLUMNS)[number];
  if (sep < 0 || !symbol || !VALUE_COLUMNS.includes(column)) {
    throw new DataFileError(src.file, `${flag} "${spec}": this is a long-format bar file, so name a series as SYMBOL:COLUMN with COLUMN one of ${VALUE_COLUMNS.join(', ')} (e.g. ${flag} AAPL:close)`);
  }
  const bars = selectBars(src, symbol, flag);
  return { label: spec, values: bars[column], dates: bars.dates };
}

const VALUE_COLUMNS = ['open', 'high', 'low', 'close', 'volume'] as const;
const BAR_COLUMNS = ['high', 'low', 'close', 'volume'] as const;

function selectDates(src: WideFile): string[] {
  const c = src.columns.indexOf('date');
  return src.rows.map((row) => row[c]!.trim());
}

/** Two series on the same observations: the same rows of a wide file, or the dates both symbols have in a long one. */
export function selectPair(src: SeriesFile, ySpec: string, yFlag: string, xSpec: string, xFlag: string): { y: Series; x: Series } {
  const y = selectSeries(src, ySpec, yFlag);
  const x = selectSeries(src, xSpec, xFlag);
  if (src.format === 'wide') return { y, x };
  const common = new Set(x.dates);
  const dates = y.dates!.filter((d) => common.has(d));
  return { y: onDates(y, dates), x: onDates(x, dates) };
}

function onDates(s: Series, dates: string[]): Series {
  const index = new Map(s.dates!.map((d, i) => [d, i]));
  return { label: s.label, dates, values: Float64Array.from(dates, (d) => s.values[index.get(d)!]!) };
}

/**
 * Daily bars: one symbol of a long file, or the whole of a wide file with columns high, low, close and volume (open
 * and date optional). Dates must ascend.
 */
export function selectBars(src: SeriesFile, symbol: string | undefined, flag = '--symbol'): BarSeries {
  if (src.format === 'wide') {
    if (symbol !== undefined) throw new DataFileError(src.file, `${flag} ${symbol}: ${flag} picks a symbol of a long-format bar file (${DAILY_COLUMNS.join(',')}); this file is a wide CSV with columns ${src.columns.join(', ')}`);
    const missing = BAR_COLUMNS.filter((c) => !src.columns.includes(c));
    if (missing.length) throw new DataFileError(src.file, `bars need the columns ${BAR_COLUMNS.join(', ')}; missing ${missing.join(', ')} (the columns are ${src.columns.join(', ')})`);
    const [high, low, close, volume] = BAR_COLUMNS.map((c) => selectSeries(src, c, '').values) as [Float64Array, Float64Array, Float64Array, Float64Array];
    const dates = src.columns.includes('date') ? ascending(src, '', selectDates(src)) : src.lines.map((n) => `line ${n}`);
    const open = src.columns.includes('open') ? selectSeries(src, 'open', '').values : close;
    return { symbol: '', dates, open, high, low, close, volume };
  }
  if (symbol === undefined) throw new DataFileError(src.file, `this is a long-format bar file with one series per symbol: pick one with ${flag} SYMBOL`);
  const series = parseLongBars(src.text, src.file, { symbols: new Set([symbol]) }).get(symbol);
  if (!series) throw new DataFileError(src.file, `${flag} ${symbol}: no rows for symbol "${symbol}" (the file has ${describeSymbols(src.text)})`);
  ascending(src, symbol, series.dates);
  return series;
}

function ascending(src: SeriesFile, symbol: string, dates: string[]): string[] {
  for (let i = 1; i < dates.length; i++) {
    if (!(dates[i]! > dates[i - 1]!)) {
      throw new DataFileError(src.file, `${symbol ? `rows of ${symbol}` : 'rows'} are not in ascending date order: ${dates[i]} comes after ${dates[i - 1]}`);
    }
  }
  return dates;
}

function columnIndex(src: WideFile, name: string, flag: string): number {
  const c = src.columns.indexOf(name);
  if (c < 0) throw new DataFileError(src.file, `${flag} ${name}: no column "${name}" (the columns are ${src.columns.join(', ')})`);
  return c;
}

function numberCell(src: WideFile, r: number, c: number): number {
  const text = src.rows[r]![c]!.trim();
  const v = text ? Number(text) : NaN;
  if (Number.isFinite(v)) return v;
  const where = `line ${src.lines[r]}, column "${src.columns[c]}"`;
  throw new DataFileError(src.file, text ? `${where}: "${text}" is not a finite number` : `${where}: empty cell where a number is expected`);
}

/** "504 symbols: A, AAL, AAP, …" from the first field of each row (only on the error path: it scans the file). */
function describeSymbols(text: string): string {
  const symbols = new Set<string>();
  for (let pos = text.indexOf('\n') + 1; pos > 0 && pos < text.length; pos = text.indexOf('\n', pos) + 1) {
    const comma = text.indexOf(',', pos);
    if (comma > pos) symbols.add(text.slice(pos, comma));
  }
  const list = [...symbols].sort();
  return `${list.length} symbols: ${list.slice(0, 8).join(', ')}${list.length > 8 ? ', …' : ''}`;
}
