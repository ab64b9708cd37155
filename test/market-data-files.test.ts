// Readers of the market data files: real files from ../shared/data, and bad input named precisely.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../config';
import { DataFileError, loadIntradayBars, loadSectors, loadVix, parseLongBars } from '../market-data/files';

const dataDir = loadConfig({ env: {} }).config.data.dir;

test('long-format bars are grouped per symbol, filtered, and parsed exactly as Number() would', () => {
  const text = 'symbol,date,open,high,low,close,volume\nAAA,2020-01-02,10.5,11,10.25,10.75,1000\nAAA,2020-01-03,0.61518,0.7,0.6,0.65,5\nBBB,2020-01-02,-1.5,2,1,1.5,7\n';
  const all = parseLongBars(text, 'mem.csv');
  expect([...all.keys()]).toEqual(['AAA', 'BBB']);
  expect(all.get('AAA')!.dates).toEqual(['2020-01-02', '2020-01-03']);
  expect([...all.get('AAA')!.open]).toEqual([10.5, 0.61518]);
  expect(all.get('AAA')!.open[1]).toBe(Number('0.61518'));
  expect([...all.get('BBB')!.open]).toEqual([-1.5]);
  const some = parseLongBars(text, 'mem.csv', { symbols: new Set(['AAA']), from: '2020-01-03' });
  expect([...some.keys()]).toEqual(['AAA']);
  expect(some.get('AAA')!.dates).toEqual(['2020-01-03']);
});

test('bad input is named by file, line and column', () => {
  expect(() => parseLongBars('sym,date\n', 'a.csv')).toThrow(/a\.csv: expected the header "symbol,date,open,high,low,close,volume"/);
  expect(() => parseLongBars('symbol,date,open,high,low,close,volume\nAAA,2020-01-02,1,2,x,1,5\n', 'b.csv')).toThrow(/b\.csv: line 2: low is not a number: "x"/);
  expect(() => parseLongBars('symbol,date,open,high,low,close,volume\nAAA,2020-01-02,1,2\n', 'c.csv')).toThrow(/c\.csv: line 2: expected 7 columns/);
  expect(() => loadVix(path.join(os.tmpdir(), 'no-such-vix.csv'))).toThrow(DataFileError);
  expect(() => loadVix(path.join(os.tmpdir(), 'no-such-vix.csv'))).toThrow(/file not found/);
});

test('the shipped data: sectors with quoted names, VIX closes, intraday minute bars', () => {
  const sectors = loadSectors(path.join(dataDir, 'sectors.csv'));
  expect(sectors.size).toBe(504);
  expect(sectors.get('AAPL')).toEqual({ name: 'Apple Inc.', sector: 'Information Technology' });
  const vix = loadVix(path.join(dataDir, 'vix.csv'));
  expect(vix.size).toBe(9202); // SOURCES.md: 9,202 rows
  expect(vix.get('2020-03-16')).toBe(82.69); // the record close of March 2020
  const spy = loadIntradayBars(path.join(dataDir, 'intraday', 'SPY.csv'));
  expect(spy.dates.length).toBe(1950); // SOURCES.md: SPY has 5 x 390 bars
  expect(spy.dates[0]).toBe('2019-02-11 09:31:00');
});

test('a file with CRLF line ends reads the same', () => {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trader-md-')), 'bars.csv');
  fs.writeFileSync(f, 'symbol,date,open,high,low,close,volume\r\nAAA,2020-01-02,1,2,0.5,1.5,10\r\n');
  const { loadDailyBars } = require('../market-data/files');
  expect([...loadDailyBars(f).get('AAA').volume]).toEqual([10]);
});
