import * as fs from 'node:fs';
import { Client, Connection, isGrpcServiceError, type ConnectionLike, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import type { TraderConfig, Secrets } from '../config';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

/** Connection settings shared by clients (CLI, start-up) and workers; the API key stays out of logs. */
export function connectionOptions(config: TraderConfig, secrets: Secrets, address: string): ConnectionOptions & NativeConnectionOptions {
  const t = config.temporal.tls;
  const read = (p: string) => (p ? fs.readFileSync(p) : undefined);
  const tls = t.enabled
    ? {
        serverNameOverride: t.serverName || undefined,
        serverRootCACertificate: read(t.caCertPath),
        clientCertPair: t.clientCertPath ? { crt: read(t.clientCertPath)!, key: read(t.clientKeyPath)! } : undefined,
      }
    : secrets.temporalApiKey
      ? true // an API key is only ever sent over TLS
      : undefined;
  return { address, tls, apiKey: secrets.temporalApiKey };
}

export async function connectClient(config: TraderConfig, secrets: Secrets, address: string): Promise<Client> {
  const connection = await Connection.connect({ ...connectionOptions(config, secrets, address), connectTimeout: '5s' });
  return new Client({ connection, namespace: config.temporal.namespace });
}

export async function connectWorker(config: TraderConfig, secrets: Secrets, address: string): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config, secrets, address));
}

/** Types as the dev server's --search-attribute flag spells them. */
const CLI_TYPE_NAMES: Record<string, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

export function devServerSearchAttributeArgs(): string[] {
  return SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${CLI_TYPE_NAMES[k.type]}`]);
}

/** Registers the custom search attributes on a server we did not start; existing ones are left alone. */
export async function registerSearchAttributes(connection: ConnectionLike, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = existing.customAttributes ?? {};
  const missing = SEARCH_ATTRIBUTES.filter((k) => !(k.name in known));
  if (missing.length === 0) return [];
  const searchAttributes = Object.fromEntries(missing.map((k) => [k.name, encodeSearchAttributeIndexedValueType(k.type)!]));
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (e) {
    const ALREADY_EXISTS = 6; // another process registered them between list and add
    if (!isGrpcServiceError(e) || e.code !== ALREADY_EXISTS) throw e;
  }
  return missing.map((k) => k.name);
}
