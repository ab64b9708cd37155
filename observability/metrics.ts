import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { ChannelName } from '../alerts/alerts';
import { TRADING_STATES, type TradingState } from '../trading/trading-state';

/**
 * The system's own Prometheus metrics, in a registry of their own (not prom-client's global one),
 * so that each worker process and each test has its own. Activities set them as they learn the
 * figures; the metrics server (observability/metrics-server.ts) serves them with Temporal's.
 */
export class TraderMetrics {
  readonly registry = new Registry();
  private readonly equity = this.gauge('trader_equity', 'Account equity (net liquidation value), account currency');
  private readonly dailyPnl = this.gauge('trader_daily_pnl', 'Profit and loss of the current trading day, realized plus unrealized, account currency');
  private readonly openPositions = this.gauge('trader_open_positions', 'Open positions (a pair counts once)');
  private readonly brokerConnected = this.gauge('trader_broker_connected', '1 while the broker API connection is up, 0 while it is down');
  private readonly tradingState = this.gauge('trader_trading_state', '1 for the current trading state (ACTIVE, REDUCING, HALTED), 0 for the others', ['state']);
  private readonly ordersPlaced = this.counter('trader_orders_placed_total', 'Orders sent to the broker', ['strategy']);
  private readonly orderRejections = this.counter('trader_order_rejections_total', 'Orders rejected by the broker or the pre-trade risk gate', ['strategy', 'source']);
  private readonly alerts = this.counter('trader_alerts_total', 'Alerts raised, by the policy decision', ['decision']);
  private readonly alertDeliveries = this.counter('trader_alert_deliveries_total', 'Alert messages handed to a channel, by outcome', ['channel', 'status']);
  /** Set by the metrics server on each scrape. */
  readonly temporalMetricsUp = this.gauge('trader_temporal_metrics_up', '1 when the last scrape included the Temporal runtime metrics');

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  setEquity(value: number): void {
    this.equity.set(value);
  }
  setDailyPnl(value: number): void {
    this.dailyPnl.set(value);
  }
  setOpenPositions(count: number): void {
    this.openPositions.set(count);
  }
  setBrokerConnected(connected: boolean): void {
    this.brokerConnected.set(connected ? 1 : 0);
  }
  setTradingState(state: TradingState): void {
    for (const s of TRADING_STATES) this.tradingState.set({ state: s }, s === state ? 1 : 0);
  }
  orderPlaced(strategy: string): void {
    this.ordersPlaced.inc({ strategy });
  }
  orderRejected(strategy: string, source: 'broker' | 'risk'): void {
    this.orderRejections.inc({ strategy, source });
  }
  alertDecided(send: boolean): void {
    this.alerts.inc({ decision: send ? 'sent' : 'suppressed' });
  }
  alertDelivered(channel: ChannelName, status: 'sent' | 'failed'): void {
    this.alertDeliveries.inc({ channel, status });
  }

  private gauge(name: string, help: string, labelNames: string[] = []): Gauge {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
  private counter(name: string, help: string, labelNames: string[]): Counter {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
}
