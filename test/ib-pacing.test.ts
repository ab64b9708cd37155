// IB's historical data pacing rules (its published limits are the defaults) as the adapter schedules requests: pure, times given.
import { HistoricalPacing } from '../broker/ib/pacing';

const S = 1000;
const daily = (symbol: string, end = '') => ({ identity: `${symbol}|${end}|1 Y|1 day|TRADES`, contract: symbol, smallBars: false });
const fiveSec = (symbol: string, end: string) => ({ identity: `${symbol}|${end}|1800 S|5 secs|TRADES`, contract: symbol, smallBars: true });

test('an identical request waits 15 s after the previous one; a different one does not', () => {
  const p = new HistoricalPacing();
  expect(p.reserve(daily('AAPL'), 0)).toBe(0);
  expect(p.reserve(daily('MSFT'), 1 * S)).toBe(1 * S);
  expect(p.reserve(daily('AAPL'), 2 * S)).toBe(15 * S);
  expect(p.reserve(daily('AAPL'), 40 * S)).toBe(40 * S);
});

test('a sixth request for the same contract within 2 s waits until the first leaves the window; requests keep their order', () => {
  const p = new HistoricalPacing();
  const sent = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((end, i) => p.reserve(daily('AAPL', end), i * 100));
  expect(sent).toEqual([0, 100, 200, 300, 400, 2000, 2100]);
  expect(p.reserve(daily('MSFT'), 500)).toBe(2100); // after the one asked before it
  for (let i = 0; i + 5 < sent.length; i++) expect(sent[i + 5] - sent[i]).toBeGreaterThanOrEqual(2 * S); // never six in 2 s
});

test('bars of 30 seconds or less: at most 60 requests in any 10 minutes; daily bars are not capped', () => {
  const p = new HistoricalPacing();
  const small = Array.from({ length: 61 }, (_, i) => p.reserve(fiveSec(`S${i}`, 'x'), i * S));
  expect(small[59]).toBe(59 * S);
  expect(small[60]).toBe(600 * S); // the 61st waits for the first to be 10 minutes old
  const q = new HistoricalPacing();
  expect(Array.from({ length: 100 }, (_, i) => q.reserve(daily(`D${i}`), i * S)).at(-1)).toBe(99 * S);
});

test('after IB reports a violation, every request waits the pause', () => {
  const p = new HistoricalPacing({ pauseAfterViolationMs: 10 * S });
  p.reserve(daily('AAPL'), 0);
  p.violated(1 * S);
  expect(p.reserve(daily('MSFT'), 2 * S)).toBe(11 * S);
  expect(p.reserve(daily('AAPL'), 3 * S)).toBe(15 * S); // the identical rule is the longer wait here
});
