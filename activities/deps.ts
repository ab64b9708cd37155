import type { TraderConfig } from '../config';
import type { Broker } from '../broker/broker';
import type { TraderMetrics } from '../observability/metrics';
import type { Store } from '../store/store';

/** The market's clock: the broker's (the simulator may run faster than real time). */
export interface MarketClock {
  now(): number;
}

/** The ports the trading activities are built from; each factory takes the part it uses. */
export interface TradingDeps {
  /** The worker's one broker connection (fixed client id): every order of every workflow goes through it. */
  broker: Broker;
  store: Store;
  config: TraderConfig;
  /** Wall time with IB, the simulator's (possibly fast) clock in the demo and tests. */
  clock: MarketClock;
  metrics?: TraderMetrics;
}
