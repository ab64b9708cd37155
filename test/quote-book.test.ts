// QuoteBook: exit rules read streamed quotes from memory instead of asking the broker each time.
import type { Broker, LiveMarketData, Quote } from '../broker/broker';
import { QuoteBook } from '../broker/quote-book';

function fakeBroker() {
  const streams = new Map<string, (q: Quote) => void>();
  const calls = { snapshots: 0, subscribed: [] as string[], unsubscribed: [] as string[] };
  const quoteOf = (symbol: string, last: number): Quote => ({ symbol, bid: last - 0.01, ask: last + 0.01, last, bidSize: 1, askSize: 1, time: '2021-03-05T15:00:00Z' });
  const broker = {
    async quote(symbol: string) {
      calls.snapshots++;
      return quoteOf(symbol, 100);
    },
    subscribeQuotes(symbol: string, onQuote: (q: Quote) => void) {
      calls.subscribed.push(symbol);
      streams.set(symbol, onQuote);
      return () => {
        calls.unsubscribed.push(symbol);
        streams.delete(symbol);
      };
    },
  } as unknown as Broker & LiveMarketData;
  return { broker, calls, tick: (symbol: string, last: number) => streams.get(symbol)!(quoteOf(symbol, last)) };
}

test('the first ask subscribes and is answered by a snapshot; later asks read the stream without a request', async () => {
  const { broker, calls, tick } = fakeBroker();
  const book = new QuoteBook(broker, 60_000);
  expect((await book.latest('XOM')).last).toBe(100);
  expect(calls).toMatchObject({ snapshots: 1, subscribed: ['XOM'] });
  tick('XOM', 101.5);
  for (let i = 0; i < 5; i++) expect((await book.latest('XOM')).last).toBe(101.5);
  expect(calls).toMatchObject({ snapshots: 1, subscribed: ['XOM'] });
  book.close();
  expect(calls.unsubscribed).toEqual(['XOM']);
});

test('a symbol nobody asked about for idleMs is unsubscribed; asking again subscribes again', async () => {
  const { broker, calls } = fakeBroker();
  const book = new QuoteBook(broker, 1_000);
  const t0 = Date.now();
  const now = jest.spyOn(Date, 'now').mockReturnValue(t0);
  try {
    await book.latest('XOM');
    await book.latest('CVX');
    now.mockReturnValue(t0 + 800);
    await book.latest('CVX'); // CVX stays wanted
    now.mockReturnValue(t0 + 1_500);
    await book.latest('KO');
    expect(calls.unsubscribed).toEqual(['XOM']);
    await book.latest('XOM');
    expect(calls.subscribed).toEqual(['XOM', 'CVX', 'KO', 'XOM']);
  } finally {
    now.mockRestore();
    book.close();
  }
});
