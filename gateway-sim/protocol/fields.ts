/** Value conventions and the contract block shared by the server → client encoders. */
import type { FieldValue } from './framing';

export type ResponseFields = FieldValue[];

/** Java's Double.MAX_VALUE text: how IB marks an unset double; the decoder maps it to undefined. */
export const UNSET_DOUBLE = '1.7976931348623157E308';
/** Java's Integer.MAX_VALUE: IB's unset int; readIntOrUndefined maps it to undefined. */
export const UNSET_INTEGER = 2147483647;

export interface SimContract {
  conId: number;
  symbol: string;
  secType: string;
  /** Routing exchange (SMART) in orders, venue in executions, primary exchange in positions, as IB sends them. */
  exchange: string;
  currency: string;
  primaryExch?: string;
  /** Defaults to the symbol, as for US stocks. */
  localSymbol?: string;
  /** Defaults to the symbol; IB sends e.g. "NMS" for Nasdaq-listed stocks. */
  tradingClass?: string;
  lastTradeDateOrContractMonth?: string;
  strike?: number;
  right?: string;
  multiplier?: number;
}

/** conId … tradingClass as read by OPEN_ORDER, EXECUTION_DATA and POSITION (decoder.js:2137, 887, 1445). */
export function contractFields(c: SimContract, unsetRight: string): ResponseFields {
  return [
    c.conId,
    c.symbol,
    c.secType,
    c.lastTradeDateOrContractMonth ?? '',
    c.strike ?? 0,
    c.right ?? unsetRight,
    c.multiplier,
    c.exchange,
    c.currency,
    c.localSymbol ?? c.symbol,
    c.tradingClass ?? c.symbol,
  ];
}
