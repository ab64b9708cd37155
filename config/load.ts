import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { configSchema, LIVE_TRADING_CONFIRMATION, type TraderConfig } from './schema';
import { projectRoot } from './paths';

/** Secrets never live in a config file or in code: only the environment or TRADER_SECRETS_FILE. */
export interface Secrets {
  databaseUrl?: string;
  temporalApiKey?: string;
  smtpUser?: string;
  smtpPassword?: string;
  twilioAccountSid?: string;
  twilioAuthToken?: string;
}

const SECRET_ENV: Record<keyof Secrets, string> = {
  databaseUrl: 'DATABASE_URL',
  temporalApiKey: 'TEMPORAL_API_KEY',
  smtpUser: 'SMTP_USER',
  smtpPassword: 'SMTP_PASSWORD',
  twilioAccountSid: 'TWILIO_ACCOUNT_SID',
  twilioAuthToken: 'TWILIO_AUTH_TOKEN',
};

/** Non-secret settings that deployments commonly set through the environment. */
const ENV_OVERRIDES: { env: string; path: string[]; type: 'string' | 'number' | 'boolean' }[] = [
  { env: 'IB_HOST', path: ['broker', 'host'], type: 'string' },
  { env: 'IB_PORT', path: ['broker', 'port'], type: 'number' },
  { env: 'IB_CLIENT_ID', path: ['broker', 'clientId'], type: 'number' },
  { env: 'IB_ACCOUNT', path: ['broker', 'account'], type: 'string' },
  { env: 'TRADING_MODE', path: ['broker', 'mode'], type: 'string' },
  { env: 'TRADER_CONFIRM_LIVE_TRADING', path: ['broker', 'confirmLiveTrading'], type: 'string' },
  { env: 'TEMPORAL_ADDRESS', path: ['temporal', 'address'], type: 'string' },
  { env: 'TEMPORAL_NAMESPACE', path: ['temporal', 'namespace'], type: 'string' },
  { env: 'TEMPORAL_TASK_QUEUE', path: ['temporal', 'taskQueue'], type: 'string' },
  { env: 'TEMPORAL_TLS', path: ['temporal', 'tls', 'enabled'], type: 'boolean' },
  { env: 'TRADER_DATA_DIR', path: ['data', 'dir'], type: 'string' },
];

/** Keys people are tempted to put in a config file, mapped to where the secret belongs. */
const SECRET_KEYS: Record<string, string> = {
  'database.url': 'DATABASE_URL',
  'temporal.apiKey': 'TEMPORAL_API_KEY',
  'alerts.email.user': 'SMTP_USER',
  'alerts.email.password': 'SMTP_PASSWORD',
  'alerts.sms.accountSid': 'TWILIO_ACCOUNT_SID',
  'alerts.sms.authToken': 'TWILIO_AUTH_TOKEN',
  'alerts.whatsapp.accountSid': 'TWILIO_ACCOUNT_SID',
  'alerts.whatsapp.authToken': 'TWILIO_AUTH_TOKEN',
};

export interface ConfigIssue {
  field: string;
  value: string;
  source: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(
      'Invalid configuration:\n' +
        issues.map((i) => `  - ${i.field} = ${i.value} (from ${i.source}): ${i.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Overrides file; defaults to TRADER_CONFIG, then config/local.yaml when it exists. */
  configFile?: string;
  /** Extra in-memory overrides applied after files and environment (used by tests and the CLI). */
  overrides?: Record<string, unknown>;
}

export interface LoadedConfig {
  config: TraderConfig;
  secrets: Secrets;
}

type Tree = Record<string, unknown>;

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const root = projectRoot();
  const sources = new Map<string, string>();

  const defaultsFile = path.join(root, 'config', 'default.yaml');
  let merged = readYaml(defaultsFile);
  recordSources(merged, [], 'config/default.yaml', sources);

  const userFile = options.configFile ?? env.TRADER_CONFIG ?? defaultUserFile(root);
  if (userFile) {
    const resolved = path.resolve(root, userFile);
    if (!fs.existsSync(resolved)) {
      throw new ConfigError([{ field: 'TRADER_CONFIG', value: JSON.stringify(userFile), source: 'environment', message: 'file not found: point it at an existing YAML file or unset it' }]);
    }
    const user = readYaml(resolved);
    const label = path.relative(root, resolved) || resolved;
    rejectSecretsInFile(user, label);
    recordSources(user, [], label, sources);
    merged = deepMerge(merged, user);
  }

  for (const o of ENV_OVERRIDES) {
    const raw = env[o.env];
    if (raw === undefined || raw === '') continue;
    setPath(merged, o.path, coerce(raw, o.type));
    sources.set(o.path.join('.'), `env ${o.env}`);
  }
  if (options.overrides) {
    recordSources(options.overrides, [], 'overrides', sources);
    merged = deepMerge(merged, options.overrides);
  }

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const p = issue.path.map(String);
        const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : [];
        const field = [...p, ...unknownKeys.slice(0, 1)].join('.') || '(root)';
        const message =
          issue.code === 'unrecognized_keys'
            ? `unknown setting${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys.map((k) => `"${k}"`).join(', ')}: check the spelling against config/default.yaml`
            : issue.message;
        return { field, value: describe(getPath(merged, [...p, ...unknownKeys.slice(0, 1)])), source: sourceOf(sources, [...p, ...unknownKeys.slice(0, 1)]), message };
      }),
    );
  }
  const config = parsed.data;

  if (config.broker.mode === 'live' && config.broker.confirmLiveTrading !== LIVE_TRADING_CONFIRMATION) {
    throw new ConfigError([
      {
        field: 'broker.mode',
        value: '"live"',
        source: sourceOf(sources, ['broker', 'mode']),
        message:
          `live trading is refused without an explicit confirmation. To trade real money, also set ` +
          `TRADER_CONFIRM_LIVE_TRADING="${LIVE_TRADING_CONFIRMATION}" in the environment (or broker.confirmLiveTrading ` +
          `in your config file) to exactly that phrase. Otherwise set broker.mode: paper.`,
      },
    ]);
  }

  const secrets = loadSecrets(env, root);
  resolvePaths(config, root);
  return { config, secrets };
}

function loadSecrets(env: NodeJS.ProcessEnv, root: string): Secrets {
  const fromFile: Record<string, string> = {};
  const file = env.TRADER_SECRETS_FILE;
  if (file) {
    const resolved = path.resolve(root, file);
    if (!fs.existsSync(resolved)) {
      throw new ConfigError([{ field: 'TRADER_SECRETS_FILE', value: JSON.stringify(file), source: 'environment', message: 'file not found' }]);
    }
    fs.readFileSync(resolved, 'utf8')
      .split(/\r?\n/)
      .forEach((line, i) => {
        const t = line.trim();
        if (!t || t.startsWith('#')) return;
        const m = /^([A-Z0-9_]+)\s*=\s*(.*)$/.exec(t);
        if (!m) {
          throw new ConfigError([{ field: `TRADER_SECRETS_FILE line ${i + 1}`, value: '(hidden)', source: file, message: 'expected KEY=VALUE' }]);
        }
        fromFile[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
      });
  }
  const secrets: Secrets = {};
  for (const [key, name] of Object.entries(SECRET_ENV) as [keyof Secrets, string][]) {
    const value = env[name] || fromFile[name];
    if (value) secrets[key] = value;
  }
  if (secrets.databaseUrl && !/^postgres(ql)?:\/\//.test(secrets.databaseUrl)) {
    throw new ConfigError([{ field: 'DATABASE_URL', value: '(hidden)', source: env.DATABASE_URL ? 'environment' : String(file), message: 'expected a postgres:// or postgresql:// URL' }]);
  }
  return secrets;
}

function resolvePaths(config: TraderConfig, root: string): void {
  const abs = (p: string) => (p ? path.resolve(root, p) : p);
  config.database.embedded.dataDir = abs(config.database.embedded.dataDir);
  config.temporal.devServer.dbFile = abs(config.temporal.devServer.dbFile);
  config.data.dir = abs(config.data.dir);
  const tls = config.temporal.tls;
  tls.caCertPath = abs(tls.caCertPath);
  tls.clientCertPath = abs(tls.clientCertPath);
  tls.clientKeyPath = abs(tls.clientKeyPath);
}

function defaultUserFile(root: string): string | undefined {
  const local = path.join(root, 'config', 'local.yaml');
  return fs.existsSync(local) ? local : undefined;
}

function readYaml(file: string): Tree {
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError([{ field: '(file)', value: JSON.stringify(file), source: file, message: `not valid YAML: ${(e as Error).message.split('\n')[0]}` }]);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError([{ field: '(file)', value: JSON.stringify(file), source: file, message: 'expected a YAML mapping of settings at the top level' }]);
  }
  return doc as Tree;
}

function rejectSecretsInFile(tree: Tree, label: string): void {
  const found = Object.entries(SECRET_KEYS).filter(([key]) => getPath(tree, key.split('.')) !== undefined);
  if (found.length) {
    throw new ConfigError(
      found.map(([key, envName]) => ({
        field: key,
        value: '(hidden)',
        source: label,
        message: `secrets do not belong in a config file: remove it and set ${envName} in the environment or in TRADER_SECRETS_FILE`,
      })),
    );
  }
}

function coerce(raw: string, type: 'string' | 'number' | 'boolean'): unknown {
  if (type === 'number') {
    const n = Number(raw);
    return raw.trim() !== '' && Number.isFinite(n) ? n : raw;
  }
  if (type === 'boolean') {
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    return raw;
  }
  return raw;
}

function isTree(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isTree(v) && isTree(base[k]) ? deepMerge(base[k] as Tree, v) : v;
  }
  return out;
}

function recordSources(tree: Tree, prefix: string[], label: string, sources: Map<string, string>): void {
  for (const [k, v] of Object.entries(tree)) {
    const p = [...prefix, k];
    if (isTree(v)) recordSources(v, p, label, sources);
    else sources.set(p.join('.'), label);
  }
}

function sourceOf(sources: Map<string, string>, p: string[]): string {
  for (let n = p.length; n > 0; n--) {
    const s = sources.get(p.slice(0, n).join('.'));
    if (s) return s;
  }
  return 'config/default.yaml';
}

function getPath(tree: unknown, p: string[]): unknown {
  let cur: unknown = tree;
  for (const k of p) {
    if (!isTree(cur) && !Array.isArray(cur)) return undefined;
    cur = (cur as Tree)[k];
  }
  return cur;
}

function setPath(tree: Tree, p: string[], value: unknown): void {
  let cur = tree;
  for (const k of p.slice(0, -1)) {
    if (!isTree(cur[k])) cur[k] = {};
    cur = cur[k] as Tree;
  }
  cur[p[p.length - 1]] = value;
}

function describe(value: unknown): string {
  return value === undefined ? '(missing)' : JSON.stringify(value);
}
