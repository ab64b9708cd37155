import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Broker, OrderEvents } from '../broker/broker';
import { brokerUpdateSignal } from '../workflows/position';

export interface OrderEventRouting {
  /** Events of one workflow within this many milliseconds become one signal (a fill brings a status, an execution and a commission). */
  debounceMs: number;
  log?: (line: string) => void;
}

/**
 * Broker news to the Position workflows: an event of order `<workflow id>:<leg>` becomes a `brokerUpdate` signal to
 * that workflow, so positions wait for their broker instead of polling it. Best effort by design: a signal lost with
 * a killed worker is made up by the workflow's periodic resync (positions.resyncSeconds), and a reconnecting adapter
 * replays its open orders and executions, which signals their positions again.
 */
export function routeOrderEvents(broker: Broker & OrderEvents, client: Client, o: OrderEventRouting): () => void {
  const due = new Map<string, NodeJS.Timeout>();
  const send = (workflowId: string) => {
    due.delete(workflowId);
    client.workflow.getHandle(workflowId).signal(brokerUpdateSignal).catch((e: Error) => {
      // Not a workflow (a kill switch's own orders) or one already closed: nobody to tell.
      if (!(e instanceof WorkflowNotFoundError)) o.log?.(`broker update not signalled to ${workflowId}: ${e.message}`);
    });
  };
  const route = (orderRef: string) => {
    const workflowId = orderRef.slice(0, orderRef.lastIndexOf(':'));
    if (workflowId && !due.has(workflowId)) due.set(workflowId, setTimeout(send, o.debounceMs, workflowId));
  };
  const off = broker.onOrderEvent(route);
  // The adapter may have resynced before the worker started (after a crash, fills arrive while nobody listened):
  // every position it already knows of looks once. Not connected yet: its events come through the listener.
  void Promise.all([broker.openOrders(), broker.executions()])
    .then(([orders, fills]) => [...orders, ...fills].forEach((x) => route(x.orderRef)))
    .catch(() => undefined);
  return () => {
    off();
    for (const t of due.values()) clearTimeout(t);
    due.clear();
  };
}
