// Static checks of the production docker-compose.yml and Dockerfile: no Docker
// engine, Temporal or Postgres needed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../config';
import { projectRoot } from '../config/paths';
import { TraderMetrics } from '../observability/metrics';

type Service = Record<string, any>;

const root = projectRoot();
const raw = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const compose = parse(raw) as { services: Record<string, Service> };
const services = compose.services;

const svc = (name: string): Service => services[name] ?? {};

function env(s: Service): Record<string, string> {
  const e = s.environment ?? {};
  if (!Array.isArray(e)) return Object.fromEntries(Object.entries(e).map(([k, v]) => [k, String(v)]));
  return Object.fromEntries((e as string[]).map((kv) => [kv.split('=')[0], kv.slice(kv.indexOf('=') + 1)]));
}

function condition(s: Service, dep: string): string | undefined {
  const d = s.depends_on;
  if (Array.isArray(d)) return d.includes(dep) ? 'service_started' : undefined;
  return d?.[dep] ? (d[dep].condition ?? 'service_started') : undefined;
}

/** The shell script a one-shot job runs: entrypoint and command, as text. */
const script = (s: Service): string => [s.entrypoint, s.command].flat().filter(Boolean).join('\n');
const ports = (s: Service): string[] => (s.ports ?? []).map(String);

describe('docker-compose.yml', () => {
  test('defines every service of the deployment', () => {
    for (const name of ['postgres', 'temporal-admin-tools', 'temporal', 'temporal-create-namespace', 'temporal-ui', 'ib-gateway', 'trader-worker', 'prometheus', 'grafana']) {
      expect(services[name]).toBeDefined();
    }
  });

  test('uses the current, non-deprecated images', () => {
    expect(raw).not.toMatch(/temporalio\/auto-setup/);
    expect(svc('postgres').image).toMatch(/^postgres:16/);
    expect(svc('temporal-admin-tools').image).toMatch(/^temporalio\/admin-tools:/);
    expect(svc('temporal-create-namespace').image).toMatch(/^temporalio\/admin-tools:/);
    expect(svc('temporal').image).toMatch(/^temporalio\/server:\$\{TEMPORAL_VERSION:-1\.\d+\.\d+\}$/);
    expect(svc('temporal-ui').image).toMatch(/^temporalio\/ui:/);
    expect(svc('ib-gateway').image).toMatch(/^ghcr\.io\/gnzsnz\/ib-gateway:/);
    expect(svc('trader-worker').build).toBeDefined();
  });

  test('publishes Temporal 7233, the UI on 8080 and the IB API on 127.0.0.1 only', () => {
    expect(ports(svc('temporal')).some((p) => /(^|:)7233:7233$/.test(p))).toBe(true);
    expect(ports(svc('temporal-ui')).some((p) => /(^|:)8080:8080$/.test(p))).toBe(true);
    const ib = ports(svc('ib-gateway'));
    expect(ib.some((p) => p.endsWith(':4004'))).toBe(true); // paper API through socat
    expect(ib.some((p) => p.endsWith(':4003'))).toBe(true); // live API through socat
    for (const p of ib) expect(p).toMatch(/^127\.0\.0\.1:/);
    expect(ports(svc('trader-worker'))).toEqual([]);
  });

  test('orders start-up with the right depends_on conditions', () => {
    expect(svc('postgres').healthcheck?.test.join(' ')).toMatch(/pg_isready/);
    expect(condition(svc('temporal-admin-tools'), 'postgres')).toBe('service_healthy');
    expect(condition(svc('temporal'), 'temporal-admin-tools')).toBe('service_completed_successfully');
    expect(condition(svc('temporal-create-namespace'), 'temporal')).toMatch(/^service_(started|healthy)$/);
    const worker = svc('trader-worker');
    expect(condition(worker, 'postgres')).toBe('service_healthy');
    expect(condition(worker, 'temporal')).toMatch(/^service_(started|healthy)$/);
    expect(condition(worker, 'temporal-create-namespace')).toBe('service_completed_successfully');
    expect(condition(worker, 'ib-gateway')).toMatch(/^service_(started|healthy)$/);
  });

  test('every ${VAR} is defaulted or required with a message; required secrets use :?', () => {
    const text = raw.replace(/\$\$/g, ''); // $$ is an escaped, literal $ for the container's shell
    expect(text).not.toMatch(/\$(?!\{)/); // no bare $VAR
    const refs = [...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(5);
    for (const ref of refs) expect(ref).toMatch(/^[A-Z_][A-Z0-9_]*(:-[^}]*|:\?[^}]+)$/);
    for (const name of ['POSTGRES_PASSWORD', 'TWS_USERID', 'TWS_PASSWORD', 'GRAFANA_ADMIN_PASSWORD']) {
      expect(refs.some((r) => r.startsWith(`${name}:?`))).toBe(true);
      expect(refs.filter((r) => r.startsWith(`${name}:`)).every((r) => r.startsWith(`${name}:?`))).toBe(true);
    }
  });

  test('holds no literal secret values', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries(env(s))) {
        if (!/PASSWORD|PWD|TOKEN|SECRET|API_KEY/.test(key)) continue;
        // a required variable, or an optional one whose default is empty
        expect(`${name}.${key}=${value}`).toMatch(/=\$\{[A-Z0-9_]+(:\?[^}]+|:-)\}$/);
      }
    }
    expect(env(svc('trader-worker')).DATABASE_URL).toMatch(/^postgres:\/\/trader:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432\/trader$/);
  });

  test('configures the worker for the compose network, paper trading by default', () => {
    const worker = svc('trader-worker');
    const e = env(worker);
    expect(e.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(e.TEMPORAL_NAMESPACE).toBe('default');
    expect(e.IB_HOST).toBe('ib-gateway');
    expect(e.IB_PORT).toMatch(/^(4004|\$\{IB_PORT:-4004\})$/);
    expect(e.TRADING_MODE).toBe('${TRADING_MODE:-paper}');
    expect(env(svc('ib-gateway')).TRADING_MODE).toBe('${TRADING_MODE:-paper}');
    expect([worker.command].flat().join(' ')).toBe('node dist/workers/main.js');
    expect(worker.restart).toBe('unless-stopped');
  });

  test('sets up both Temporal schemas with temporal-sql-tool', () => {
    const sh = script(svc('temporal-admin-tools'));
    for (const db of ['temporal', 'temporal_visibility']) {
      for (const step of ['create', 'setup-schema', 'update-schema']) {
        expect(sh).toMatch(new RegExp(`temporal-sql-tool .*--db ${db} ${step}\\b`));
      }
    }
    expect(env(svc('temporal-admin-tools')).SQL_PLUGIN ?? sh).toMatch(/postgres12/);
  });

  test('registers the namespace and every search attribute idempotently', () => {
    const sh = script(svc('temporal-create-namespace'));
    expect(sh).toMatch(/temporal operator namespace create/);
    expect(sh).toMatch(/temporal operator search-attribute create/);
    expect(sh).toMatch(/already exists/);
    const attributes: [string, string][] = [
      ['Strategy', 'Keyword'], ['Symbols', 'KeywordList'], ['PositionState', 'Keyword'],
      ['TradingDate', 'Keyword'], ['RealizedPnl', 'Double'], ['TradingState', 'Keyword'],
    ];
    for (const [name, type] of attributes) {
      expect(sh).toMatch(new RegExp(`(search_attribute|--name)\\s+${name}\\s+(--type\\s+)?${type}\\s*$`, 'm'));
    }
  });
});

describe('monitoring: Prometheus and Grafana', () => {
  /** host path -> container path of a service's bind mounts */
  const mounts = (s: Service): Map<string, string> =>
    new Map((s.volumes ?? []).map(String).filter((v: string) => v.startsWith('./')).map((v: string) => v.split(':').slice(0, 2) as [string, string]));
  const hostFile = (s: Service, containerPath: string): string => {
    const host = [...mounts(s)].find(([, c]) => c === containerPath)?.[0];
    expect(host).toBeDefined();
    return path.join(root, host!);
  };
  const yamlFile = (file: string) => parse(fs.readFileSync(file, 'utf8'));

  const promConfig = yamlFile(hostFile(svc('prometheus'), '/etc/prometheus/prometheus.yml'));
  const worker = svc('trader-worker');
  const workerConfig = loadConfig({ env: {}, configFile: hostFile(worker, env(worker).TRADER_CONFIG!) }).config;
  const provisioning = hostFile(svc('grafana'), '/etc/grafana/provisioning');
  const dashboardsDir = hostFile(svc('grafana'), '/etc/grafana/dashboards');
  const dashboardFiles = fs.readdirSync(dashboardsDir).filter((f) => f.endsWith('.json'));
  const dashboards = dashboardFiles.map((f) => JSON.parse(fs.readFileSync(path.join(dashboardsDir, f), 'utf8')));
  const panels = dashboards.flatMap((d) => d.panels).filter((p: { type: string }) => p.type !== 'row');
  const exprs: string[] = panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr));
  const metricNames = (prefix: string) => [...new Set(exprs.flatMap((e) => [...e.matchAll(new RegExp(`\\b${prefix}_[a-z_]+\\b`, 'g'))].map((m) => m[0])))];

  test('pinned images, UIs on 127.0.0.1 only, data in volumes', () => {
    expect(svc('prometheus').image).toMatch(/^prom\/prometheus:\$\{PROMETHEUS_VERSION:-v3\.\d+\.\d+\}$/);
    expect(svc('grafana').image).toMatch(/^grafana\/grafana:\$\{GRAFANA_VERSION:-\d+\.\d+\.\d+\}$/);
    expect(ports(svc('prometheus'))).toEqual(['127.0.0.1:9090:9090']);
    expect(ports(svc('grafana'))).toEqual(['127.0.0.1:3000:3000']);
    expect(svc('prometheus').volumes).toContain('prometheus-data:/prometheus');
    expect(svc('grafana').volumes).toContain('grafana-data:/var/lib/grafana');
    expect(condition(svc('grafana'), 'prometheus')).toMatch(/^service_(started|healthy)$/);
  });

  test('Prometheus scrapes the worker where its configuration serves /metrics', () => {
    const { metricsHost, metricsPort } = workerConfig.observability;
    expect(metricsHost).toBe('0.0.0.0'); // reachable from the prometheus container
    const job = promConfig.scrape_configs.find((j: { job_name: string }) => j.job_name === 'trader-worker');
    expect(job.metrics_path ?? '/metrics').toBe('/metrics');
    expect(job.static_configs.flatMap((c: { targets: string[] }) => c.targets)).toEqual([`trader-worker:${metricsPort}`]);
    expect(env(worker).TRADER_CONFIG).toBe('/app/deploy/trader.yaml');
  });

  test('the worker gets the alert secrets from the environment only', () => {
    for (const name of ['SMTP_USER', 'SMTP_PASSWORD', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']) expect(env(worker)[name]).toBe(`\${${name}:-}`);
  });

  test('Grafana is provisioned with the Prometheus data source and the dashboards folder', () => {
    const ds = fs.readdirSync(path.join(provisioning, 'datasources')).flatMap((f) => yamlFile(path.join(provisioning, 'datasources', f)).datasources);
    expect(ds).toEqual([expect.objectContaining({ type: 'prometheus', uid: 'prometheus', url: 'http://prometheus:9090', access: 'proxy' })]);
    const providers = fs.readdirSync(path.join(provisioning, 'dashboards')).flatMap((f) => yamlFile(path.join(provisioning, 'dashboards', f)).providers);
    expect(providers.map((p: { options: { path: string } }) => p.options.path)).toEqual(['/etc/grafana/dashboards']);
    expect(dashboardFiles.length).toBeGreaterThan(0);
  });

  test('the dashboard parses, every panel queries the provisioned data source, and no two panels overlap', () => {
    for (const d of dashboards) expect(d).toMatchObject({ uid: expect.any(String), title: expect.any(String), panels: expect.any(Array) });
    expect(new Set(panels.map((p: { id: number }) => p.id)).size).toBe(panels.length);
    const cells = new Set<string>();
    for (const p of panels) {
      expect(p.datasource).toEqual({ type: 'prometheus', uid: 'prometheus' });
      expect(p.targets.length).toBeGreaterThan(0);
      const g = p.gridPos;
      expect(g.x + g.w).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++) for (let y = g.y; y < g.y + g.h; y++) {
        expect(cells.has(`${x},${y}`)).toBe(false);
        cells.add(`${x},${y}`);
      }
    }
  });

  test('shows every system metric, and only metrics observability/metrics.ts defines', async () => {
    const defined = (await new TraderMetrics().registry.getMetricsAsJSON()).map((m) => m.name).filter((n) => n.startsWith('trader_'));
    expect(metricNames('trader').sort()).toEqual(defined.sort());
  });

  test('its Temporal metrics are ones the installed SDK core emits', () => {
    // The metric names are defined in the Rust core that ships inside @temporalio/core-bridge.
    const crates = path.join(path.dirname(require.resolve('@temporalio/core-bridge/package.json')), 'sdk-core', 'crates');
    const source = ['common/src/telemetry/metrics.rs', 'sdk-core/src/telemetry/metrics.rs', 'client/src/metrics.rs'].map((f) => fs.readFileSync(path.join(crates, f), 'utf8')).join('\n');
    const emitted = new Set([...source.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]));
    const used = metricNames('temporal');
    for (const name of ['temporal_workflow_completed', 'temporal_workflow_failed', 'temporal_activity_execution_failed', 'temporal_activity_execution_latency_bucket']) {
      expect(used).toContain(name);
    }
    for (const name of used) expect(emitted).toContain(name.replace(/^temporal_/, '').replace(/_(bucket|sum|count)$/, ''));
  });
});

describe('Dockerfile of the worker', () => {
  const build = svc('trader-worker').build;
  const context = typeof build === 'string' ? build : build.context;
  const file = path.resolve(root, context, (typeof build === 'object' && build.dockerfile) || 'Dockerfile');
  const lines = fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const finalStage = lines.slice(lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true));

  test('is multi-stage on Node 20 and installs only production dependencies at runtime', () => {
    expect(lines.filter((l) => /^FROM\s/i.test(l)).length).toBeGreaterThanOrEqual(2);
    expect(lines.join('\n')).toMatch(/node:20-bookworm-slim/);
    expect(lines.join('\n')).toMatch(/npm run build/);
    expect(finalStage.join('\n')).toMatch(/npm ci --omit=dev/);
  });

  test('runs dist/workers/main.js as a non-root user', () => {
    const cmd = finalStage.filter((l) => /^CMD\s/i.test(l)).pop();
    expect(cmd).toMatch(/dist\/workers\/main\.js/);
    expect(fs.existsSync(path.join(root, 'workers', 'main.ts'))).toBe(true); // what tsc builds into dist/workers/main.js
    const user = finalStage.filter((l) => /^USER\s/i.test(l)).pop();
    expect(user).toBeDefined();
    expect(user!.split(/\s+/)[1]).not.toMatch(/^(root|0)(:|$)/);
  });
});
