export { loadConfig, ConfigError, type Secrets, type LoadedConfig, type ConfigIssue } from './load';
export { configSchema, LIVE_TRADING_CONFIRMATION, marketHours, type TraderConfig } from './schema';
export { projectRoot } from './paths';
