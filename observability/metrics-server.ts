import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TraderConfig } from '../config';
import type { Logger } from './logger';
import type { TraderMetrics } from './metrics';
import { temporalMetricsUrl } from './telemetry';

export interface MetricsServer {
  /** http://host:port/metrics */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves GET /metrics: the system's own metrics followed by the Temporal runtime's, fetched from
 * the core's exporter on each scrape, so Prometheus scrapes one target per worker. When the
 * runtime's exporter does not answer, the own metrics are still served and
 * trader_temporal_metrics_up says 0. Returns undefined when observability.metricsPort is 0.
 */
export async function startMetricsServer(config: TraderConfig['observability'], metrics: TraderMetrics, logger: Logger): Promise<MetricsServer | undefined> {
  if (config.metricsPort === 0) return undefined;
  const runtimeUrl = temporalMetricsUrl(config);
  const runtimeMetrics = async (): Promise<string> => {
    if (!runtimeUrl) return '';
    try {
      const res = await fetch(runtimeUrl, { signal: AbortSignal.timeout(config.temporalMetricsTimeoutMs) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      metrics.temporalMetricsUp.set(1);
      return await res.text();
    } catch (e) {
      metrics.temporalMetricsUp.set(0);
      logger.warn({ err: e, url: runtimeUrl }, 'Temporal runtime metrics unavailable');
      return '';
    }
  };
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    void (async () => {
      const temporal = await runtimeMetrics();
      const own = await metrics.registry.metrics();
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(`${own}\n${temporal}`);
    })().catch((e) => {
      logger.error({ err: e }, 'metrics scrape failed');
      res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.metricsPort, config.metricsHost, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  logger.info({ port, host: address }, 'metrics endpoint listening');
  return {
    url: `http://${host}:${port}/metrics`,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
