import type { LogLevel, LogMetadata, Logger as TemporalLoggerPort } from '@temporalio/common';
import pino, { type DestinationStream } from 'pino';
import type { Secrets, TraderConfig } from '../config';
import { secretRedactor } from './redact';

export type Logger = pino.Logger;

export interface LoggerOptions {
  level: TraderConfig['observability']['logLevel'];
  secrets: Secrets;
  /** Where the JSON lines go; standard output by default. */
  destination?: DestinationStream;
}

/**
 * Structured JSON logs. Every configured secret is removed from each finished line, whatever
 * field, message or error text carries it: redaction by key would miss a password inside a
 * URL or an exception message.
 */
export function createLogger(options: LoggerOptions): Logger {
  const redact = secretRedactor(options.secrets);
  return pino(
    {
      level: options.level,
      base: { service: 'trader' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // The Temporal SDK passes errors as `error`; pino serializes only `err` by default.
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
      hooks: { streamWrite: redact },
    },
    options.destination ?? pino.destination(1),
  );
}

const LEVELS: Record<LogLevel, pino.Level> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** The Temporal SDK's Logger port on pino: worker, workflow (sinks), activity and forwarded Core logs. */
export class TemporalLogger implements TemporalLoggerPort {
  constructor(private readonly logger: Logger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.logger[LEVELS[level]]({ ...meta }, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
