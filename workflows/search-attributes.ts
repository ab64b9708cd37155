import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes that turn the Temporal Web UI into a trade blotter, e.g.
 * `PositionState = "OPEN" AND Strategy = "pairs"` or `TradingDate = "2026-11-20"`.
 */
export const Strategy = defineSearchAttributeKey('Strategy', SearchAttributeType.KEYWORD);
export const Symbols = defineSearchAttributeKey('Symbols', SearchAttributeType.KEYWORD_LIST);
export const PositionState = defineSearchAttributeKey('PositionState', SearchAttributeType.KEYWORD);
export const TradingDate = defineSearchAttributeKey('TradingDate', SearchAttributeType.KEYWORD);
export const RealizedPnl = defineSearchAttributeKey('RealizedPnl', SearchAttributeType.DOUBLE);
export const TradingState = defineSearchAttributeKey('TradingState', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [Strategy, Symbols, PositionState, TradingDate, RealizedPnl, TradingState];
