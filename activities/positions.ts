import * as path from 'node:path';
import { Context } from '@temporalio/activity';
import type { TradingDeps } from './deps';
import { accountDayPnl, liveDrawdowns } from './live-pnl';
import { hasLiveMarketData, hasOrderEvents, TERMINAL_STATUSES, type Broker, type Fill, type OrderRequest, type OrderState } from '../broker/broker';
import type { PositionRecord, PositionTransition } from '../store/store';
import { localDate, previousTradingDay } from '../trading/calendar';
import { loadVix } from '../market-data/files';
import type { Bar } from '../trading/indicators';
import { meanReversionExit } from '../trading/mean-reversion';
import { QuoteBook } from '../broker/quote-book';
import { PositionLedger } from '../trading/metrics';
import { pairPricesWithLive, pairsExit } from '../trading/pairs';
import { checkRisk, type RiskDecision, type RiskOrder, type RiskPosition } from '../trading/risk';
import type { TradingState } from '../trading/trading-state';
import { SUPERVISOR_WORKFLOW_ID } from '../workflows/supervisor';
import type { EntryResult, ExitPlan, LegFill, PositionPlan, PositionSnapshot, SyncRequest, WatchRequest, WatchResult } from '../workflows/position-types';

// watchPosition serves Position workflows from before 'position-event-driven' (they poll; newer ones are signalled).
/** Real milliseconds between two looks at the adapter's order states inside watchPosition. */
const WATCH_POLL_MS = 200;
/** Real milliseconds between two full syncs of fills while nothing seems to move, and between two exit-rule evaluations. */
const RESYNC_MS = 2_000;
const EXIT_CHECK_MS = 2_000;

export function createPositionActivities({ broker, store, config, clock, metrics }: TradingDeps) {
  const dailyBars = new DailyBarCache(broker);
  // Exit rules read streamed quotes: many positions checking often cost no requests (IB allows 50 messages a second).
  const book = hasLiveMarketData(broker) ? new QuoteBook(broker, config.positions.quoteStreamIdleSeconds * 1000) : undefined;
  const liveQuote = (symbol: string) => book?.latest(symbol) ?? broker.quote(symbol);
  let vixCloses: Map<string, number> | undefined;
  /** The VIX close of the session before the market's date (risk.vixReduceThreshold scales new positions); undefined when unknown. */
  const vixAsOf = (marketDate: string): number | undefined => {
    try {
      vixCloses ??= loadVix(path.join(config.data.dir, 'vix.csv'));
    } catch {
      vixCloses = new Map(); // no VIX file: the gate reports vixKnown: false and applies no reduction
    }
    return vixCloses.get(previousTradingDay(marketDate));
  };

  /**
   * Stores the orders' latest states and the position's new fills (each once, by execution id); returns the position.
   * `fromMemory`: the fills the adapter was pushed, without asking the broker for its executions again.
   */
  async function syncOrders(plan: PositionPlan, orders: readonly OrderState[], fromMemory = false): Promise<PositionSnapshot> {
    for (const o of orders) await store.recordOrder({ request: requestOf(o), positionWorkflowId: plan.workflowId, leg: legOf(o.orderRef), state: o });
    const prefix = `${plan.workflowId}:`;
    await store.recordFills(fromMemory && hasOrderEvents(broker) ? broker.knownExecutions(prefix) : (await broker.executions()).filter((f) => f.orderRef.startsWith(prefix)));
    return snapshot(plan);
  }

  /** The entry orders: a bracket for a single stock, one market order per leg for a pair. Idempotent by orderRef. */
  async function placeEntryOrders(plan: PositionPlan, quantities: number[]): Promise<EntryResult> {
    if (plan.strategy === 'mean_reversion') {
      const leg = plan.legs[0]!;
      const bracket = {
        orderRef: plan.workflowId, symbol: leg.symbol, action: leg.action, quantity: quantities[0]!, entry: { type: 'MKT' as const },
        takeProfitPrice: roundToTick(plan.targetPrice!), stopLossPrice: roundToTick(plan.stopPrice!),
      };
      const orderRefs = ['entry', 'target', 'stop'].map((l) => `${plan.workflowId}:${l}`);
      try {
        for (const s of await broker.placeBracket(bracket)) await store.recordOrder({ request: requestOf(s), positionWorkflowId: plan.workflowId, leg: legOf(s.orderRef), state: s });
        return { orderRefs, rejected: [] };
      } catch (e) {
        // A rejection is a market outcome for the workflow to handle, not a failure to retry.
        if ((e as Error).name !== 'OrderRejectedError') throw e;
        const entry: OrderRequest = { orderRef: orderRefs[0]!, symbol: leg.symbol, action: leg.action, quantity: quantities[0]!, type: 'MKT' };
        await store.recordOrder({ request: entry, positionWorkflowId: plan.workflowId, leg: 'entry', state: rejected(entry, e as Error) });
        return { orderRefs, rejected: [{ orderRef: entry.orderRef, reason: (e as Error).message }] };
      }
    }
    const result: EntryResult = { orderRefs: [], rejected: [] };
    for (const [i, leg] of plan.legs.entries()) {
      const request: OrderRequest = { orderRef: `${plan.workflowId}:entry-${i}`, symbol: leg.symbol, action: leg.action, quantity: quantities[i]!, type: 'MKT' };
      const s = await broker.placeOrder(request).catch((e: Error) => rejected(request, e));
      await store.recordOrder({ request, positionWorkflowId: plan.workflowId, leg: legOf(request.orderRef), state: s });
      result.orderRefs.push(request.orderRef);
      if (s.rejectReason) result.rejected.push({ orderRef: request.orderRef, reason: s.rejectReason });
    }
    return result;
  }

  return {
    /** The pre-trade gate of trading/risk.ts over the live account, the Supervisor's state and the open positions. */
    async checkPositionRisk(workflowId: string, order: RiskOrder): Promise<RiskDecision> {
      const [account, open, [lastChange]] = await Promise.all([
        broker.accountSummary(),
        store.listPositions({ open: true }),
        store.listTradingStateChanges(SUPERVISOR_WORKFLOW_ID, 1),
      ]);
      const state: TradingState = lastChange?.to ?? 'ACTIVE';
      const { dailyPnl } = accountDayPnl(account);
      const date = localDate(new Date(clock.now()), config.schedule.timezone);
      const drawdowns = await liveDrawdowns(store, account, date);
      const positions: RiskPosition[] = open
        .filter((p) => p.workflowId !== workflowId)
        .map((p) => ({
          status: p.state === 'EXITING' ? 'CLOSING' : p.state === 'OPEN' || p.state === 'PARTIALLY_FILLED' ? 'OPEN' : 'PENDING',
          legs: p.legs.map((l) => ({ symbol: l.symbol, marketValue: Math.abs(l.quantity * (l.entryPrice ?? 0)) })),
        }));
      const decision = checkRisk(order, { equity: account.netLiquidation, state, dailyPnl, drawdowns, positions }, { vix: vixAsOf(date) }, config.risk);
      if (!decision.approved) metrics?.orderRejected(strategyOf(workflowId), 'risk');
      return decision;
    },

    /** Places the entry and counts it in the metrics. */
    async placeEntry(plan: PositionPlan, quantities: number[]): Promise<EntryResult> {
      const result = await placeEntryOrders(plan, quantities);
      metrics?.orderPlaced(plan.strategy);
      for (let i = 0; i < result.rejected.length; i++) metrics?.orderRejected(plan.strategy, 'broker');
      return result;
    },

    /**
     * Reads the position's orders from the adapter (IB pushes them), stores the changed ones and the new fills, and,
     * when asked, evaluates the strategy's exit rules on live quotes. Short: the workflow calls it on a broker event,
     * at its exit-check interval or when resyncing.
     */
    async syncPosition(req: SyncRequest): Promise<WatchResult> {
      const orders = (await Promise.all(req.orderRefs.map((r) => broker.order(r)))).filter((o): o is OrderState => o !== undefined);
      const known = new Map(req.known.map((k) => [k.orderRef, `${k.status}:${k.filled}`]));
      const snapshot = await syncOrders(req.plan, orders.filter((o) => known.get(o.orderRef) !== `${o.status}:${o.filled}`), !req.resync);
      const marketNow = clock.now();
      const exit = req.evaluateExit ? await evaluateExit(req, marketNow) : undefined;
      return { orders, marketNow: new Date(marketNow).toISOString(), exit, snapshot };
    },

    /**
     * Watches the position's orders and, while it is open, its exit rules, until something the workflow must act on
     * happens or `maxWaitMs` passes. Heartbeats, so a worker killed mid-watch is noticed within the heartbeat timeout
     * and the watch resumes on another worker; the workflow cancels it when a signal arrives.
     */
    async watchPosition(req: WatchRequest): Promise<WatchResult> {
      const ctx = Context.current();
      const deadline = Date.now() + req.maxWaitMs;
      const before = new Map(req.known.map((k) => [k.orderRef, `${k.status}:${k.filled}`]));
      let seen: string | undefined;
      let syncedAt = 0;
      let exitCheckedAt = 0;
      for (;;) {
        // Order states are in the adapter's memory (IB pushes them): cheap to read every poll. Fills are stored and the
        // position re-read only when they moved, or every RESYNC_MS in case an execution report trails its status.
        const orders = (await Promise.all(req.orderRefs.map((r) => broker.order(r)))).filter((o): o is OrderState => o !== undefined);
        const signature = orders.map((o) => `${o.orderRef}:${o.status}:${o.filled}`).join('|');
        if (signature !== seen || Date.now() - syncedAt >= RESYNC_MS) {
          const now = await syncOrders(req.plan, orders);
          seen = signature;
          syncedAt = Date.now();
          const changed = orders.some((o) => before.get(o.orderRef) !== `${o.status}:${o.filled}`) || now.legs.some((l, i) => l.position !== (req.held[i] ?? 0));
          if (changed) return { orders, marketNow: new Date(clock.now()).toISOString(), snapshot: now };
        }
        const marketNow = clock.now();
        let exit: WatchResult['exit'];
        if (req.evaluateExit && Date.now() - exitCheckedAt >= EXIT_CHECK_MS) {
          exitCheckedAt = Date.now();
          exit = await evaluateExit(req, marketNow);
        }
        if (exit || (req.exitDeadline && marketNow >= Date.parse(req.exitDeadline)) || Date.now() >= deadline) {
          return { orders, marketNow: new Date(marketNow).toISOString(), exit, snapshot: await snapshot(req.plan) };
        }
        ctx.heartbeat();
        await ctx.sleep(WATCH_POLL_MS);
      }
    },

    /** Cancels the position's working orders, then closes what it holds with market orders `${id}:exit-N-leg`. */
    async placeExit(plan: PositionPlan, exit: ExitPlan): Promise<string[]> {
      for (const ref of exit.cancel) await broker.cancelOrder(ref).catch(() => undefined); // already done or gone
      await waitUntilDone(broker, exit.cancel);
      const held = await snapshot(plan);
      const refs: string[] = [];
      for (const leg of held.legs) {
        if (leg.position === 0) continue;
        const request: OrderRequest = {
          orderRef: `${plan.workflowId}:exit-${exit.attempt}-${leg.symbol}`, symbol: leg.symbol, action: leg.position > 0 ? 'SELL' : 'BUY', quantity: Math.abs(leg.position), type: 'MKT',
        };
        await store.recordOrder({ request, positionWorkflowId: plan.workflowId, leg: legOf(request.orderRef) });
        const s = await broker.placeOrder(request);
        await store.recordOrder({ request, positionWorkflowId: plan.workflowId, leg: legOf(request.orderRef), state: s });
        refs.push(request.orderRef);
      }
      return refs;
    },

    /** adjustStop: a replacement stop `${id}:stop-N` for everything held (the old stop is cancelled first). */
    async placeStop(plan: PositionPlan, { stopPrice, version }: { stopPrice: number; version: number }): Promise<string> {
      const leg = (await snapshot(plan)).legs[0]!;
      const request: OrderRequest = {
        orderRef: `${plan.workflowId}:stop-${version}`, symbol: leg.symbol, action: leg.position > 0 ? 'SELL' : 'BUY', quantity: Math.abs(leg.position),
        type: 'STP', stopPrice: roundToTick(stopPrice), tif: 'GTC',
      };
      const s = await broker.placeOrder(request);
      await store.recordOrder({ request, positionWorkflowId: plan.workflowId, leg: legOf(request.orderRef), state: s });
      return request.orderRef;
    },

    async cancelOrders(refs: string[]): Promise<void> {
      for (const ref of refs) await broker.cancelOrder(ref).catch(() => undefined);
      await waitUntilDone(broker, refs);
    },

    /** Shares held per leg and the realised P&L, from the fills stored for the position. */
    positionSnapshot: (plan: PositionPlan) => snapshot(plan),

    async recordPositionTransition(record: PositionRecord, transition: PositionTransition): Promise<void> {
      await store.recordPositionTransition(record, transition);
    },
  };

  async function snapshot(plan: PositionPlan): Promise<PositionSnapshot> {
    const fills = await store.fillsForOrders(`${plan.workflowId}:`);
    return summarize(plan, fills);
  }

  async function evaluateExit(req: Pick<SyncRequest, 'plan' | 'entryPrice'>, marketNow: number): Promise<WatchResult['exit']> {
    const date = localDate(new Date(marketNow), config.schedule.timezone);
    const { plan } = req;
    if (plan.strategy === 'mean_reversion') {
      const symbol = plan.legs[0]!.symbol;
      const [bars, quote] = await Promise.all([dailyBars.before(symbol, date), liveQuote(symbol)]);
      const d = meanReversionExit({ entryPrice: req.entryPrice!, entryDate: plan.tradingDate }, bars, { price: quote.last, date }, config.strategies.meanReversion);
      // The bracket's stop order handles STOP_LOSS at the broker; the workflow acts on the other triggers.
      return d.action === 'EXIT' && d.code !== 'STOP_LOSS' ? { code: d.code, message: reasonText(d.reasons) } : undefined;
    }
    const [a, b] = plan.legs;
    const [barsA, barsB, qa, qb] = await Promise.all([dailyBars.before(a!.symbol, date), dailyBars.before(b!.symbol, date), liveQuote(a!.symbol), liveQuote(b!.symbol)]);
    const series = (bars: readonly Bar[]) => ({ dates: bars.map((x) => x.date), close: bars.map((x) => x.close) });
    const prices = pairPricesWithLive(series(barsA), series(barsB), date, qa.last, qb.last);
    const d = pairsExit({ side: plan.pair!.side, hedgeRatio: plan.pair!.hedgeRatio, entryDate: plan.tradingDate }, prices, config.strategies.pairs);
    return d.action === 'EXIT' ? { code: d.code, message: `${reasonText(d.reasons)} (z ${d.z.toFixed(2)})` } : undefined;
  }
}

/** The strategy part of a position workflow id (position-<strategy>-...). */
function strategyOf(workflowId: string): string {
  return workflowId.split('-')[1] ?? 'unknown';
}

export type PositionActivities = ReturnType<typeof createPositionActivities>;

/** The position from its fills: shares held per leg, average entry/exit prices and the realised P&L net of commissions. */
export function summarize(plan: PositionPlan, fills: readonly Fill[]): PositionSnapshot {
  let realizedPnl = 0;
  let commission = 0;
  const legs: LegFill[] = plan.legs.map((leg) => {
    const ledger = new PositionLedger();
    let entryQty = 0, entryValue = 0, exitQty = 0, exitValue = 0;
    for (const f of fills.filter((x) => x.symbol === leg.symbol)) {
      const opening = (f.side === 'BOT') === (leg.action === 'BUY');
      if (opening) { entryQty += f.quantity; entryValue += f.quantity * f.price; } else { exitQty += f.quantity; exitValue += f.quantity * f.price; }
      ledger.apply({ side: f.side, quantity: f.quantity, price: f.price, commission: f.commission ?? 0 });
    }
    realizedPnl += ledger.realizedPnl;
    commission += ledger.commissions;
    return {
      symbol: leg.symbol, position: ledger.state.position, entryQuantity: entryQty,
      entryPrice: entryQty ? entryValue / entryQty : undefined, exitPrice: exitQty ? exitValue / exitQty : undefined,
    };
  });
  return { legs, realizedPnl: round(realizedPnl, 4), commission: round(commission, 6) };
}

/** Daily bars up to the session before `date`, fetched once per symbol and session. */
class DailyBarCache {
  private readonly cache = new Map<string, Promise<Bar[]>>();
  constructor(private readonly broker: Broker) {}

  before(symbol: string, date: string): Promise<Bar[]> {
    const key = `${symbol}:${date}`;
    let bars = this.cache.get(key);
    if (!bars) {
      bars = this.broker.historicalBars({ symbol, duration: '1 Y', barSize: '1 day' }).then((all) => all.filter((b) => b.date < date));
      bars.catch(() => this.cache.delete(key));
      this.cache.set(key, bars);
    }
    return bars;
  }
}

async function waitUntilDone(broker: Broker, refs: readonly string[]): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const states = await Promise.all(refs.map((r) => broker.order(r)));
    if (states.every((s) => !s || TERMINAL_STATUSES.has(s.status))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`orders not cancelled yet: ${refs.join(', ')}`); // retried by the activity policy
}

function rejected(request: OrderRequest, e: Error): OrderState {
  if (e.name !== 'OrderRejectedError') throw e;
  return { orderRef: request.orderRef, brokerOrderId: 0, permId: 0, symbol: request.symbol, action: request.action, type: request.type, quantity: request.quantity,
    status: 'Inactive', filled: 0, remaining: request.quantity, avgFillPrice: 0, rejectReason: e.message };
}

function requestOf(s: OrderState): OrderRequest {
  return { orderRef: s.orderRef, symbol: s.symbol, action: s.action, quantity: s.quantity, type: s.type };
}

/** The leg name after the workflow id: entry, target, stop, entry-0, exit-1-XOM. */
function legOf(orderRef: string): string {
  return orderRef.slice(orderRef.lastIndexOf(':') + 1);
}

function reasonText(reasons: readonly { code: string; outcome: string }[]): string {
  return reasons.filter((r) => r.outcome === 'pass').map((r) => r.code).join(', ');
}

function roundToTick(price: number): number {
  return Math.round(price * 100) / 100;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
