import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { devServerSearchAttributeArgs } from './temporal';

export interface DevServerOptions {
  exe: string;
  ip: string;
  port: number;
  uiPort: number;
  /** SQLite file: workflows survive a restart of the server. */
  dbFile: string;
  namespace: string;
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` with its Web UI and our search attributes, and waits until it answers. */
export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  for (const p of [o.port, o.uiPort]) {
    if (await portInUse(o.ip, p)) {
      throw new Error(
        `Port ${o.ip}:${p} is already in use, so the Temporal dev server cannot start. ` +
          `Stop whatever holds it (an earlier 'npm start'?), change temporal.devServer.port/uiPort, or set TEMPORAL_ADDRESS to use that server.`,
      );
    }
  }
  fs.mkdirSync(path.dirname(o.dbFile), { recursive: true });
  const args = [
    'server', 'start-dev',
    '--ip', o.ip,
    '--port', String(o.port),
    '--ui-port', String(o.uiPort),
    '--db-filename', o.dbFile,
    '--namespace', o.namespace,
    '--log-level', 'warn',
    ...devServerSearchAttributeArgs(),
  ];
  const child = spawn(o.exe, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const onOutput = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      o.log?.(line);
    }
  };
  child.stdout!.on('data', onOutput);
  child.stderr!.on('data', onOutput);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) => child.once('exit', (code) => ((exited = code), resolve())));

  const address = `${o.ip}:${o.port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`Temporal dev server exited with code ${exited}:\n${tail.join('\n')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Temporal dev server did not become ready within 90 s:\n${tail.join('\n')}`);
    }
    if (await ready(address, o.namespace)) break;
    await new Promise((r) => setTimeout(r, 500));
  }

  return {
    address,
    uiUrl: `http://${o.ip === '0.0.0.0' ? 'localhost' : o.ip}:${o.uiPort}`,
    process: child,
    async stop() {
      if (exited !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

async function ready(address: string, namespace: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1000 });
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

function portInUse(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
