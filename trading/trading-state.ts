/**
 * The system-wide trading state kept by the Supervisor. Pure: shared by the workflow, the CLI
 * and the tests.
 * - ACTIVE: new entries allowed.
 * - REDUCING: degraded (e.g. broker connection flapping): no new entries, open positions managed.
 * - HALTED: kill switch engaged; nothing trades until a human resumes.
 */
export const TRADING_STATES = ['ACTIVE', 'REDUCING', 'HALTED'] as const;
export type TradingState = (typeof TRADING_STATES)[number];

export type TradingStateCommand =
  | { kind: 'halt'; reason: string; source: string }
  | { kind: 'resume'; reason: string; source: string }
  | { kind: 'reduce'; reason: string; source: string }
  | { kind: 'restore'; reason: string; source: string };

export interface TradingStateChange {
  sequence: number;
  from: TradingState | null;
  to: TradingState;
  reason: string;
  source: string;
  at: string;
}

/** The state a command leads to, or undefined when it changes nothing. */
export function nextTradingState(current: TradingState, command: TradingStateCommand): TradingState | undefined {
  switch (command.kind) {
    case 'halt':
      return current === 'HALTED' ? undefined : 'HALTED';
    case 'resume':
      return current === 'ACTIVE' ? undefined : 'ACTIVE';
    case 'reduce':
      // A halt is never softened by the watchdog: only a human resumes.
      return current === 'ACTIVE' ? 'REDUCING' : undefined;
    case 'restore':
      return current === 'REDUCING' ? 'ACTIVE' : undefined;
  }
}

export function allowsNewEntries(state: TradingState): boolean {
  return state === 'ACTIVE';
}
