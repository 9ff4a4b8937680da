import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { redactIdNumbers } from './id-number.js';

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') {
    return redactIdNumbers(value);
  }
  if (value instanceof Error) {
    const copy = new Error(redactIdNumbers(value.message));
    copy.name = value.name;
    copy.stack = value.stack && redactIdNumbers(value.stack);
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    try {
      return JSON.parse(redactIdNumbers(JSON.stringify(value))) as unknown;
    } catch {
      return '[unserializable]';
    }
  }
  return value;
}

/**
 * Nest's console logger (JSON lines in production) that never prints a resident ID number:
 * every message, parameter and stack passes through redactIdNumbers, and secrets are masked by key.
 */
export class AppLogger extends ConsoleLogger {
  constructor(format: 'json' | 'text', level: LogLevel) {
    const levels: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
    super({
      json: format === 'json',
      colors: format === 'text' && process.stdout.isTTY === true,
      logLevels: levels.slice(0, levels.indexOf(level) + 1),
      redact: ['password', 'passwordHash', 'accessToken', 'authorization', 'idNumber'],
    });
  }

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
    params?: Record<string, unknown>,
  ): void {
    super.printMessages(
      messages.map(redactValue),
      context,
      logLevel,
      writeStreamType,
      redactValue(errorStack),
      params && (redactValue(params) as Record<string, unknown>),
    );
  }
}
