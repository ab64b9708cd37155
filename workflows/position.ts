import * as wf from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/common';
import type { AlertActivities } from '../alerts/activities';
import type { PositionActivities } from '../activities/positions';
import type { OrderState } from '../broker/broker';
import { TERMINAL_STATUSES } from '../broker/broker';
import { marketClosedUntil, nyseSession, type MarketHours } from '../trading/calendar';
import { assertTransition, maxHoldingDeadline, TERMINAL_POSITION_STATES, type PositionState } from '../trading/position-lifecycle';
import type { RiskOrder } from '../trading/risk';
import type { PositionRecord } from '../store/store';
import type { KnownOrder, PositionPlan, PositionSnapshot, PositionStatus, PositionWatch, WatchResult } from './position-types';
import { raiseAlert } from './alerting';
import { asCoreWorkflow } from './core-failure';
import { SUPERVISOR_WORKFLOW_ID } from './supervisor';
import { PositionState as PositionStateAttribute, RealizedPnl, Strategy, Symbols, TradingDate } from './search-attributes';

/**
 * One position from signal to close, as a durable state machine (trading/position-lifecycle.ts):
 * risk check → entry submitted → partially filled → open (bracket stop + target, or the pair's z-score stop)
 * → exiting → closed | rejected | cancelled. Driven by the broker's order events (the worker signals brokerUpdate,
 * workers/order-events.ts) and by exit-rule checks on live quotes at an interval; a periodic resync makes up for a
 * lost signal. Every order carries an orderRef derived from this workflow's id, so a retried or replayed placement
 * finds the order it already placed. Every transition is written to Postgres and to the search attributes.
 */
export interface PositionInput {
  plan: PositionPlan;
  hours: MarketHours;
  /** How alerts are sent (alerts/activity-options.ts, from config); default: five attempts. */
  alertActivity?: ActivityOptions;
  /** How the position follows its orders (workers/schedules.ts positionWatch, from config.positions). */
  watch?: PositionWatch;
  /** Who hears of an unhandled failure (workflows/core-failure.ts); default: the singleton Supervisor. */
  supervisorId?: string;
  /** Handed over by continue-as-new. */
  carried?: Carried;
}

interface Carried {
  state: PositionState;
  sequence: number;
  orderRefs: string[];
  known: KnownOrder[];
  exitAttempt: number;
  /** Entry orders the broker refused when placed (they may not be reported again, e.g. after a restart). */
  rejected: { orderRef: string; reason: string }[];
  entryPrice?: number;
  stopPrice?: number;
  stopVersion: number;
  exitReason?: string;
  openedAt?: string;
  snapshot?: PositionSnapshot;
  pending: Pending;
}

interface Pending {
  flatten?: { reason: string; source: string };
  stopPrice?: number;
}

export interface FlattenRequest {
  reason?: string;
  source?: string;
}

export const flattenPositionSignal = wf.defineSignal<[FlattenRequest]>('flattenPosition');
export const adjustStopSignal = wf.defineSignal<[{ stopPrice: number }]>('adjustStop');
/**
 * adjustStop with an answer (`trader stop`): a stop that cannot apply is refused with the reason before anything is
 * recorded; an accepted one answers once the new stop order is working, with the position's status.
 */
export const adjustStopUpdate = wf.defineUpdate<PositionStatus, [{ stopPrice: number }]>('moveStop');
export const positionStatusQuery = wf.defineQuery<PositionStatus>('positionStatus');
/** Something happened to one of the position's orders (no payload: the workflow reads the broker's state). */
export const brokerUpdateSignal = wf.defineSignal('brokerUpdate');

const acts = wf.proxyActivities<PositionActivities>({
  startToCloseTimeout: '30s', // a worker killed mid-call is retried elsewhere after this long
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});
const { watchPosition } = wf.proxyActivities<PositionActivities>({
  startToCloseTimeout: '15m',
  heartbeatTimeout: '5s', // a killed worker's watch moves to another worker within seconds
  retry: { initialInterval: '1s', maximumInterval: '10s' },
});

// Reads and audit writes run as local activities: no task-queue round trip between a signal and its order.
const local = wf.proxyLocalActivities<PositionActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s' },
});

/** Real milliseconds a watch may last before the workflow looks again (and can continue-as-new). */
const WATCH_MAX_WAIT_MS = 60_000;
/** The shortest wait between two reads of the broker: a deadline just passed must not spin the workflow. */
const MIN_WAIT_MS = 100;
/** For inputs from before positions.* existed: exit rules every minute, resync every minute, real time. */
const LEGACY_WATCH: PositionWatch = { exitCheckMs: 60_000, resyncMs: 60_000, marketSpeed: 1 };

export async function position(input: PositionInput): Promise<PositionStatus> {
  return asCoreWorkflow(input.supervisorId ?? SUPERVISOR_WORKFLOW_ID, () => runPosition(input));
}

async function runPosition(input: PositionInput): Promise<PositionStatus> {
  const { plan, hours } = input;
  // Before this patch a heartbeating activity polled the broker (watchPosition); histories of that version replay on it.
  const eventDriven = wf.patched('position-event-driven');
  const audit = eventDriven ? local : acts;
  const watch = input.watch ?? LEGACY_WATCH;
  let brokerUpdates = 0;
  let syncedUpdates = 0;
  let exitCheckDueAt = 0;
  let stopUpdates = 0;
  const c: Carried = input.carried ?? { state: 'RISK_CHECK', sequence: 0, orderRefs: [], known: [], exitAttempt: 0, rejected: [], stopPrice: plan.stopPrice, stopVersion: 0, pending: {} };
  let marketNow = new Date().toISOString();

  const status = (): PositionStatus => ({
    workflowId: plan.workflowId, state: c.state, strategy: plan.strategy, symbols: plan.legs.map((l) => l.symbol), tradingDate: plan.tradingDate,
    orders: [...c.known], snapshot: c.snapshot, stopPrice: c.stopPrice, exitReason: c.exitReason, openedAt: c.openedAt,
    closedAt: TERMINAL_POSITION_STATES.has(c.state) ? marketNow : undefined,
  });
  wf.setHandler(positionStatusQuery, status);
  wf.setHandler(brokerUpdateSignal, () => void brokerUpdates++);
  wf.setHandler(flattenPositionSignal, (r) => void (c.pending.flatten ??= { reason: r?.reason?.trim() || 'manual flatten', source: r?.source?.trim() || 'signal' }));
  // A signal cannot answer: a bad one is logged and ignored (throwing here would fail the whole position).
  wf.setHandler(adjustStopSignal, (r) => {
    const refused = stopRefusal(plan, r?.stopPrice);
    if (refused) wf.log.warn(`adjustStop ignored: ${refused}`);
    else c.pending.stopPrice = r.stopPrice;
  });
  wf.setHandler(adjustStopUpdate, async ({ stopPrice }) => {
    c.pending.stopPrice = stopPrice;
    stopUpdates++;
    await wf.condition(() => c.pending.stopPrice === undefined || c.state !== 'OPEN');
    stopUpdates--;
    return status();
  }, {
    validator: (r) => {
      const refused = stopRefusal(plan, r?.stopPrice) ?? (c.state !== 'OPEN' ? `the stop moves only while the position is OPEN; it is ${c.state}` : undefined)
        ?? targetRefusal(plan, r.stopPrice);
      if (refused) throw new Error(refused);
    },
  });

  const move = async (to: PositionState, details: Record<string, unknown>) => {
    if (c.sequence > 0) assertTransition(c.state, to);
    const from = c.sequence > 0 ? c.state : null;
    c.state = to;
    c.sequence++;
    const pnl = c.snapshot?.realizedPnl ?? 0;
    wf.upsertSearchAttributes([
      { key: Strategy, value: plan.strategy }, { key: Symbols, value: plan.legs.map((l) => l.symbol) }, { key: TradingDate, value: plan.tradingDate },
      { key: PositionStateAttribute, value: to }, { key: RealizedPnl, value: pnl },
    ]);
    wf.log.info('position transition', { from, to, ...details });
    await audit.recordPositionTransition(record(plan, c, marketNow), { sequence: c.sequence, from, to, details, at: marketNow });
  };

  if (!input.carried) {
    await move('RISK_CHECK', { signal: plan.signal });
    const decision = await audit.checkPositionRisk(plan.workflowId, riskOrder(plan, c.stopPrice));
    if (!decision.approved) {
      c.exitReason = `risk: ${decision.code}`;
      await move('REJECTED', { code: decision.code, message: decision.message, values: decision.values });
      return status();
    }
    if (c.pending.flatten) {
      c.exitReason = c.pending.flatten.reason;
      await move('CANCELLED', { reason: c.exitReason, before: 'entry' });
      return status();
    }
    const entry = await acts.placeEntry(plan, decision.quantities);
    c.orderRefs = entry.orderRefs;
    c.rejected = entry.rejected;
    if (entry.rejected.length > 0 && wf.patched('position-rejection-alert')) await alertRejected(input, entry.rejected);
    if (entry.rejected.length === plan.legs.length) {
      c.exitReason = `entry rejected: ${entry.rejected.map((r) => r.reason).join('; ')}`;
      await move('REJECTED', { rejected: entry.rejected });
      return status();
    }
    await move('ENTRY_SUBMITTED', { quantities: decision.quantities, orderRefs: entry.orderRefs, risk: decision.values, rejected: entry.rejected });
  }

  const entryRefs = c.orderRefs.filter((r) => /:entry(-\d+)?$/.test(r));
  const protective = () => c.orderRefs.filter((r) => /:(target|stop(-\d+)?)$/.test(r));
  const stateOf = (ref: string) => c.known.find((k) => k.orderRef === ref);
  const held = () => (c.snapshot?.legs ?? []).some((l) => l.position !== 0);

  const exit = async (reason: string, details: Record<string, unknown> = {}) => {
    c.exitReason ??= reason;
    c.exitAttempt++;
    if (c.state !== 'EXITING') await move('EXITING', { reason, ...details });
    const refs = await acts.placeExit(plan, { cancel: c.orderRefs.filter((r) => !TERMINAL_STATUSES.has(stateOf(r)?.status ?? 'PendingSubmit')), attempt: c.exitAttempt });
    c.orderRefs.push(...refs);
  };

  let last: WatchResult | undefined;
  while (!TERMINAL_POSITION_STATES.has(c.state)) {
    // A moveStop update waits for this loop to place the new stop: continue-as-new only once it has answered.
    if (wf.workflowInfo().continueAsNewSuggested && stopUpdates === 0) {
      await wf.condition(wf.allHandlersFinished);
      await wf.continueAsNew<typeof position>({ ...input, carried: c });
    }
    if (c.pending.flatten && c.state !== 'EXITING') {
      const { reason, source } = c.pending.flatten;
      const nothingFilled = (c.snapshot?.legs ?? []).every((l) => l.entryQuantity === 0);
      if (c.state === 'ENTRY_SUBMITTED' && nothingFilled) {
        await acts.cancelOrders(c.orderRefs);
        const s = await acts.positionSnapshot(plan);
        c.snapshot = s;
        if (!held()) {
          c.exitReason = reason;
          await move('CANCELLED', { reason, source });
          break;
        }
      }
      await exit(reason, { source });
      continue;
    }
    if (c.pending.stopPrice !== undefined && c.state === 'OPEN') {
      await replaceStop(c.pending.stopPrice);
      c.pending.stopPrice = undefined;
    }

    // Decide on what is known first: one broker report can complete several steps (entry and target filled).
    if (last && (await act(last))) continue;
    last = eventDriven ? await nextReport() : await watchUnlessSignalled();
    if (!last) continue;
    marketNow = last.marketNow;
    c.known = last.orders.map((o) => ({ orderRef: o.orderRef, status: o.status, filled: o.filled }));
    c.snapshot = last.snapshot;
  }
  return status();

  /** Acts on one broker report; true when the position moved on (the same report may then allow the next step). */
  async function act(w: WatchResult): Promise<boolean> {
    const entries = entryRefs.map((r) => w.orders.find((o) => o.orderRef === r) ?? refused(r)).filter((o): o is Refused | OrderState => o !== undefined);
    const pastDeadline = (iso: string) => Date.parse(marketNow) >= Date.parse(iso);

    if (c.state === 'ENTRY_SUBMITTED' || c.state === 'PARTIALLY_FILLED') {
      const dead = entries.filter((o) => TERMINAL_STATUSES.has(o.status) && o.filled < o.quantity);
      const filled = entries.filter((o) => o.filled > 0);
      if (entries.length === entryRefs.length && entries.every((o) => o.status === 'Filled')) {
        c.entryPrice = w.snapshot.legs[0]?.entryPrice;
        c.openedAt = marketNow;
        await move('OPEN', { fills: w.snapshot.legs });
      } else if (dead.length > 0 && filled.length === 0 && entries.every((o) => TERMINAL_STATUSES.has(o.status))) {
        c.exitReason = dead.map((o) => `${o.orderRef} ${o.status}${o.rejectReason ? `: ${o.rejectReason}` : ''}`).join('; ');
        await acts.cancelOrders(c.orderRefs);
        await move(dead.some((o) => o.rejectReason) ? 'REJECTED' : 'CANCELLED', { reason: c.exitReason });
      } else if (dead.length > 0 && held()) {
        // A pair leg filled while the other was rejected (or a partial entry died): unwind what was bought or sold.
        await exit('LEG_FAILED', { dead: dead.map((o) => o.orderRef) });
      } else if (filled.length > 0 && c.state === 'ENTRY_SUBMITTED') {
        await move('PARTIALLY_FILLED', { filled: filled.map((o) => ({ orderRef: o.orderRef, filled: o.filled, avgFillPrice: o.avgFillPrice })) });
      } else if (pastDeadline(entryDeadline())) {
        if (held()) await exit('ENTRY_NOT_COMPLETED_BY_CLOSE');
        else {
          await acts.cancelOrders(c.orderRefs);
          c.exitReason = 'entry not filled by the close';
          await move('CANCELLED', { reason: c.exitReason });
        }
      } else return false;
      return true;
    }

    if (c.state === 'OPEN') {
      const hit = protective().map(stateOf).find((k) => k?.status === 'Filled');
      if (hit) {
        c.exitReason = hit.orderRef.endsWith(':target') ? 'TAKE_PROFIT' : 'STOP_LOSS';
        await move('EXITING', { reason: c.exitReason, orderRef: hit.orderRef });
      } else if (w.exit) {
        await exit(w.exit.code, { message: w.exit.message });
      } else if (pastDeadline(holdingDeadline())) {
        await exit('MAX_HOLDING_DAYS', { deadline: holdingDeadline() });
      } else return false;
      return true;
    }

    // EXITING: closed once nothing is held and no order of the position is still working.
    if (held()) return false;
    const working = c.known.filter((k) => !TERMINAL_STATUSES.has(k.status)).map((k) => k.orderRef);
    if (working.length > 0) {
      await acts.cancelOrders(working); // e.g. a bracket's sibling the OCA group has not cancelled yet
      return false; // the next watch confirms the cancellation
    }
    await move('CLOSED', { reason: c.exitReason, realizedPnl: w.snapshot.realizedPnl, commission: w.snapshot.commission, legs: w.snapshot.legs });
    return true;
  }

  function refused(orderRef: string): Refused | undefined {
    const r = c.rejected.find((x) => x.orderRef === orderRef);
    return r && { orderRef, status: 'Inactive', filled: 0, quantity: 1, avgFillPrice: 0, rejectReason: r.reason };
  }

  function entryDeadline(): string {
    return nyseSession(plan.tradingDate, hours).closeAt ?? marketNow;
  }

  function holdingDeadline(): string {
    return maxHoldingDeadline(plan.tradingDate, plan.maxHoldingDays, hours);
  }

  /**
   * Waits for a broker update, the next exit-rule check (while OPEN), a deadline or the resync interval, then reads
   * the position's orders and fills. Undefined when a flatten or adjustStop signal is to be handled first.
   */
  async function nextReport(): Promise<WatchResult | undefined> {
    // Exit rules need a trading market: overnight and on weekends the next check is at the open.
    const closedUntil = c.state === 'OPEN' ? marketClosedUntil(Date.parse(marketNow), hours) : undefined;
    const flattenDue = () => c.pending.flatten !== undefined && c.state !== 'EXITING';
    const stopDue = () => c.pending.stopPrice !== undefined && c.state === 'OPEN';
    if (last) {
      // The first report of a run (also after continue-as-new or a signal) is read at once.
      const deadline = c.state === 'OPEN' ? holdingDeadline() : c.state === 'EXITING' ? undefined : entryDeadline();
      const untilDeadline = deadline ? (Date.parse(deadline) - Date.parse(marketNow)) / watch.marketSpeed : Infinity;
      const untilExitCheck = c.state !== 'OPEN' ? Infinity : closedUntil !== undefined ? (closedUntil - Date.parse(marketNow)) / watch.marketSpeed : exitCheckDueAt - Date.now();
      const waitMs = Math.max(Math.min(watch.resyncMs, untilDeadline, untilExitCheck), MIN_WAIT_MS);
      await wf.condition(() => brokerUpdates !== syncedUpdates || flattenDue() || stopDue(), waitMs);
      if (flattenDue() || stopDue()) return undefined;
    }
    const evaluateExit = c.state === 'OPEN' && Date.now() >= exitCheckDueAt && closedUntil === undefined;
    if (evaluateExit) exitCheckDueAt = Date.now() + watch.exitCheckMs;
    syncedUpdates = brokerUpdates; // updates arriving while the read runs wake the next wait
    // The adapter's memory is complete (it resyncs itself after reconnects): a lost signal needs only a read of it. A
    // continued run asks the broker once anyway.
    const resync = !last && input.carried !== undefined;
    return local.syncPosition({ plan, orderRefs: c.orderRefs, known: last ? c.known : [], evaluateExit, entryPrice: c.entryPrice, resync });
  }

  /** (Before 'position-event-driven') Watches until the broker reports a change, an exit rule fires or a deadline passes; a signal cuts it short. */
  async function watchUnlessSignalled(): Promise<WatchResult | undefined> {
    // The first watch of a run (also after continue-as-new) returns at once: the run decides on fresh broker state.
    const deadline = c.state === 'OPEN' ? holdingDeadline() : c.state === 'EXITING' ? undefined : entryDeadline();
    const scope = new wf.CancellationScope();
    const watching = scope.run(() =>
      watchPosition({ plan, orderRefs: c.orderRefs, known: last ? c.known : [], held: (c.snapshot?.legs ?? []).map((l) => l.position), evaluateExit: c.state === 'OPEN', entryPrice: c.entryPrice, exitDeadline: deadline, maxWaitMs: WATCH_MAX_WAIT_MS }),
    );
    const signalled = scope.run(() => wf.condition(() => (c.pending.flatten !== undefined && c.state !== 'EXITING') || (c.pending.stopPrice !== undefined && c.state === 'OPEN')));
    const first = await Promise.race([watching, signalled.then(() => undefined)]).catch((e) => {
      if (!wf.isCancellation(e)) throw e;
      return undefined;
    });
    scope.cancel(); // ends whichever of the two is still waiting
    if (first) return first;
    await watching.catch((e) => {
      if (!wf.isCancellation(e)) throw e;
    });
    return undefined;
  }

  /** adjustStop: the new stop replaces the old one (cancel, then place `stop-N`), the target stays. */
  async function replaceStop(stopPrice: number): Promise<void> {
    const old = c.orderRefs.filter((r) => /:stop(-\d+)?$/.test(r));
    await acts.cancelOrders(old);
    c.stopVersion++;
    const ref = await acts.placeStop(plan, { stopPrice, version: c.stopVersion });
    c.orderRefs.push(ref);
    const previous = c.stopPrice;
    c.stopPrice = stopPrice;
    await move('OPEN', { adjustedStop: { from: previous, to: stopPrice, orderRef: ref } });
  }
}

/** The broker refused an entry order: the owner hears of it once per order (a market event worth a look, not a failure). */
async function alertRejected(input: PositionInput, rejected: { orderRef: string; reason: string }[]): Promise<void> {
  const alerts = wf.proxyActivities<AlertActivities>(input.alertActivity ?? { startToCloseTimeout: '1m', retry: { maximumAttempts: 5 } });
  for (const r of rejected) {
    await raiseAlert(alerts, {
      key: `order.rejected:${r.orderRef}`, severity: 'warning', at: new Date().toISOString(),
      title: `Order rejected: ${r.orderRef}`, body: `The broker rejected ${r.orderRef} of ${input.plan.workflowId}: ${r.reason}`,
      data: { position: input.plan.workflowId, strategy: input.plan.strategy, reason: r.reason },
    });
  }
}

/** Why a stop price cannot apply to this position at all, or undefined. */
function stopRefusal(plan: PositionPlan, stopPrice: unknown): string | undefined {
  if (plan.strategy !== 'mean_reversion') return 'it applies to single-stock positions; a pair stops on its z-score';
  if (typeof stopPrice !== 'number' || !(stopPrice > 0)) return `stopPrice must be a positive price, got ${JSON.stringify(stopPrice)}`;
  return undefined;
}

/** A stop beyond the take-profit target would turn the bracket inside out. */
function targetRefusal(plan: PositionPlan, stopPrice: number): string | undefined {
  const target = plan.targetPrice;
  if (target === undefined) return undefined;
  const long = plan.legs[0]!.action === 'BUY';
  if (long ? stopPrice < target : stopPrice > target) return undefined;
  return `a ${long ? 'long' : 'short'} position's stop must be ${long ? 'below' : 'above'} its target of ${+target.toFixed(4)}; got ${stopPrice}`;
}

type Refused = Pick<OrderState, 'orderRef' | 'status' | 'filled' | 'quantity' | 'avgFillPrice' | 'rejectReason'>;

function riskOrder(plan: PositionPlan, stopPrice: number | undefined): RiskOrder {
  const legs = plan.legs.map((l) => ({ symbol: l.symbol, sector: l.sector, side: l.action === 'BUY' ? 'LONG' as const : 'SHORT' as const, quantity: l.quantity, price: l.price }));
  return plan.strategy === 'pairs'
    ? { kind: 'pair', legs: [legs[0]!, legs[1]!], stop: plan.pair?.stop, riskBudgetPct: plan.riskBudgetPct }
    : { kind: 'single', leg: legs[0]!, stopPrice, riskBudgetPct: plan.riskBudgetPct };
}

function record(plan: PositionPlan, c: Carried, at: string): PositionRecord {
  const closed = TERMINAL_POSITION_STATES.has(c.state);
  return {
    workflowId: plan.workflowId,
    strategy: plan.strategy,
    symbols: plan.legs.map((l) => l.symbol),
    side: plan.legs[0]!.action === 'BUY' ? 'LONG' : 'SHORT',
    state: c.state,
    tradingDate: plan.tradingDate,
    legs: plan.legs.map((l, i) => {
      const f = c.snapshot?.legs[i];
      return { symbol: l.symbol, side: l.action === 'BUY' ? 'LONG' : 'SHORT', quantity: f?.position ?? 0, entryPrice: f?.entryPrice, exitPrice: f?.exitPrice };
    }),
    stopPrice: c.stopPrice,
    targetPrice: plan.targetPrice,
    realizedPnl: c.snapshot?.realizedPnl ?? 0,
    commission: c.snapshot?.commission ?? 0,
    exitReason: c.exitReason,
    openedAt: c.openedAt,
    closedAt: closed ? at : undefined,
  };
}
