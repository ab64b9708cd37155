/** Protocol layer of the IB gateway simulator: TWS socket API at server version 193, no trading logic. */
export * from './framing';
export * from './ids';
export * from './requests';
export * from './responses';
