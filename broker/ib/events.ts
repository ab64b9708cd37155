/**
 * Waiting on @stoqey/ib's event API (IBApi is an EventEmitter). Every wait ends: with its event, a timeout, the end
 * of the session it was made on (socket closed or torn down), or, for a request, an IB error carrying its reqId.
 */
import { EventName } from '@stoqey/ib';
import type { EventEmitter } from 'node:events';
import { BrokerRequestError, BrokerUnavailableError } from '../broker';

export interface WaitOptions {
  timeoutMs: number;
  /** Aborted when the session is torn down. */
  signal: AbortSignal;
  /** What is awaited, for the error message. */
  what: string;
  /** An error event with this id fails the wait (IB reports request errors under the reqId). */
  reqId?: number;
}

/** IB's codes that are notices, not failures of the request they name: 2100–2199 (data farm, delayed data), 399 (order warning). */
export function isWarning(code: number): boolean {
  return (code >= 2100 && code < 2200) || code === 399;
}

/** Subscribes a listener; returns the unsubscribe function. */
export function listen(emitter: EventEmitter, event: EventName, listener: (...args: never[]) => void): () => void {
  const l = listener as (...args: unknown[]) => void;
  emitter.on(event, l);
  return () => void emitter.off(event, l);
}

/** Waits until `done()` holds, re-checked whenever one of `events` fires. */
export function waitUntil(emitter: EventEmitter, events: readonly EventName[], done: () => boolean, o: WaitOptions): Promise<void> {
  if (done()) return Promise.resolve();
  return settle(emitter, o, (resolve, cleanups) => {
    const check = () => done() && resolve();
    for (const ev of events) cleanups.push(listen(emitter, ev, check));
  });
}

/** The next `event` whose arguments satisfy `match`. */
export function nextEvent<T extends unknown[]>(emitter: EventEmitter, event: EventName, o: WaitOptions, match: (...args: never[]) => boolean = () => true): Promise<T> {
  return settle<T>(emitter, o, (resolve, cleanups) => {
    cleanups.push(listen(emitter, event, (...args: never[]) => match(...args) && resolve(args as unknown as T)));
  });
}

function settle<T = void>(emitter: EventEmitter, o: WaitOptions, arm: (resolve: (v: T) => void, cleanups: (() => void)[]) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cleanups: (() => void)[] = [];
    const finish = (f: () => void) => {
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      cleanups.forEach((c) => c());
      f();
    };
    const fail = (e: Error) => finish(() => reject(e));
    const onAbort = () => fail(new BrokerUnavailableError(`the IB session ended while waiting for ${o.what}`));
    if (o.signal.aborted) return onAbort();
    const timer = setTimeout(() => fail(new BrokerUnavailableError(`no ${o.what} from IB within ${o.timeoutMs} ms`)), o.timeoutMs);
    o.signal.addEventListener('abort', onAbort);
    cleanups.push(listen(emitter, EventName.disconnected, () => fail(new BrokerUnavailableError(`disconnected from IB while waiting for ${o.what}`))));
    if (o.reqId !== undefined) {
      cleanups.push(listen(emitter, EventName.error, (err: Error, code: number, id: number) => {
        if (id === o.reqId && !isWarning(code)) fail(new BrokerRequestError(code, `${o.what}: ${err.message}`));
      }));
    }
    arm((v) => finish(() => resolve(v)), cleanups);
  });
}
