// Static checks of the production docker-compose.yml and Dockerfile: no Docker
// engine, Temporal or Postgres needed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../config/paths';

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
    for (const name of ['postgres', 'temporal-admin-tools', 'temporal', 'temporal-create-namespace', 'temporal-ui', 'ib-gateway', 'trader-worker']) {
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
    for (const name of ['POSTGRES_PASSWORD', 'TWS_USERID', 'TWS_PASSWORD']) {
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
