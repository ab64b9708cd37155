import type { Broker, LiveMarketData, Quote } from './broker';

/**
 * Live quotes for the symbols someone keeps asking about: the first ask subscribes to the symbol's stream (and is
 * answered by a snapshot); later asks read the streamed quote from memory, so a thousand positions checking their exit
 * rules cost no request to the broker. A symbol not asked about for `idleMs` is unsubscribed (IB limits market-data lines).
 */
export class QuoteBook {
  private readonly books = new Map<string, { last?: Quote; askedAt: number; stop: () => void }>();

  constructor(private readonly broker: Broker & LiveMarketData, private readonly idleMs: number) {}

  async latest(symbol: string): Promise<Quote> {
    const now = Date.now();
    this.dropIdle(now);
    let book = this.books.get(symbol);
    if (!book) {
      const created: { last?: Quote; askedAt: number; stop: () => void } = { askedAt: now, stop: () => undefined };
      created.stop = this.broker.subscribeQuotes(symbol, (q) => (created.last = q));
      this.books.set(symbol, created);
      book = created;
    }
    book.askedAt = now;
    return book.last ?? this.broker.quote(symbol);
  }

  close(): void {
    for (const b of this.books.values()) b.stop();
    this.books.clear();
  }

  private dropIdle(now: number): void {
    for (const [symbol, b] of this.books) {
      if (now - b.askedAt < this.idleMs) continue;
      b.stop();
      this.books.delete(symbol);
    }
  }
}
