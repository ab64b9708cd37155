// Provisioning of the Temporal side: the CLI binary and the search attributes on a server we did not start.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Connection } from '@temporalio/client';
import { ensureTemporalCli, findTemporalCli } from '../stack/temporal-cli';
import { registerSearchAttributes } from '../stack/temporal';
import { testEnv } from './support/harness';

describe('Temporal CLI lookup', () => {
  const saved = process.env.TEMPORAL_CLI_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.TEMPORAL_CLI_PATH;
    else process.env.TEMPORAL_CLI_PATH = saved;
  });

  test('TEMPORAL_CLI_PATH wins over every other place', () => {
    const exe = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trader-cli-')), 'temporal');
    fs.writeFileSync(exe, '#!/bin/sh\n', { mode: 0o755 });
    process.env.TEMPORAL_CLI_PATH = exe;
    expect(findTemporalCli()).toBe(exe);
    expect(ensureTemporalCli()).toBe(exe);
  });

  test('a TEMPORAL_CLI_PATH that is not an executable is refused with the fix', () => {
    process.env.TEMPORAL_CLI_PATH = '/nonexistent/temporal';
    expect(() => ensureTemporalCli()).toThrow(/TEMPORAL_CLI_PATH=\/nonexistent\/temporal is not an executable file: fix or unset it/);
  });

  test('the provisioned CLI is found and runs', () => {
    delete process.env.TEMPORAL_CLI_PATH;
    const exe = findTemporalCli();
    expect(exe).toBeDefined();
    expect(execFileSync(exe!, ['--version'], { encoding: 'utf8' })).toMatch(/temporal version .*\(Server 1\.\d+\.\d+/);
  });
});

test('search attributes are registered on a namespace that lacks them, once', async () => {
  const connection = await Connection.connect({ address: testEnv().address });
  try {
    const namespace = `ns-${randomUUID().slice(0, 8)}`;
    execFileSync(findTemporalCli()!, ['operator', 'namespace', 'create', '--namespace', namespace, '--address', testEnv().address]);
    expect((await registerSearchAttributes(connection, namespace)).sort()).toEqual(
      ['PositionState', 'RealizedPnl', 'Strategy', 'Symbols', 'TradingDate', 'TradingState'],
    );
    expect(await registerSearchAttributes(connection, namespace)).toEqual([]);
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    expect(customAttributes).toMatchObject({ Symbols: 7, RealizedPnl: 4, PositionState: 2 }); // KEYWORD_LIST, DOUBLE, KEYWORD
  } finally {
    await connection.close();
  }
});
