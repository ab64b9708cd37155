// Every workflow type the worker registers. Only deterministic code is reachable from here.
export { supervisor } from './supervisor';
export { tradingDay } from './trading-day';
export { position } from './position';
export { universeRefresh } from './universe-refresh';
