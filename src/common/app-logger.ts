import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { redactIdNumbers } from './id-number.js';

/** Runs of percent-escapes (`%20`, `%E5%BC%A0`): decoded to look for ID numbers they hide. */
const ESCAPED_RUN = /(?:%[0-9A-Fa-f]{2})+/g;

function percentDecoded(text: string): string {
  return text.replace(ESCAPED_RUN, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run; // not UTF-8: left as it was
    }
  });
}

/**
 * Masks ID numbers in a log text, also those a percent-escape hides from the plain pattern
 * (`q=%20610199…`, `%36%31%30…`): when the decoded text holds one, the decoded text is logged,
 * masked; otherwise the text as it was.
 */
export function redactLogText(text: string): string {
  const masked = redactIdNumbers(text);
  if (!text.includes('%')) {
    return masked;
  }
  const decoded = percentDecoded(text);
  const decodedMasked = redactIdNumbers(decoded);
  return decodedMasked === decoded ? masked : decodedMasked;
}

/**
 * Control characters (line breaks, escape sequences), the Unicode line separators and the
 * bidirectional overrides written as escapes: a value a user typed (a username with a newline)
 * cannot start a forged log line or repaint the terminal.
 */
const CONTROL = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/gu;

export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL, (c) => {
    switch (c) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  });
}

function redactValue(value: unknown, escape: boolean): unknown {
  const clean = (text: string) => (escape ? escapeControlCharacters(redactLogText(text)) : redactLogText(text));
  if (typeof value === 'string') {
    return clean(value);
  }
  if (value instanceof Error) {
    const copy = new Error(clean(value.message));
    copy.name = value.name;
    // The stack's own line breaks stay; the message at its head is escaped like any text.
    copy.stack = value.stack && redactLogText(value.stack.replace(value.message, copy.message));
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    try {
      return JSON.parse(redactLogText(JSON.stringify(value))) as unknown;
    } catch {
      return '[unserializable]';
    }
  }
  return value;
}

/**
 * Nest's console logger (JSON lines in production) that never prints a resident ID number:
 * every message, parameter and stack passes through redactLogText, and secrets are masked by key.
 * In text format control characters are escaped, so that every entry stays one line of its own
 * (JSON lines escape them already).
 */
export class AppLogger extends ConsoleLogger {
  private readonly escape: boolean;

  constructor(format: 'json' | 'text', level: LogLevel) {
    const levels: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
    super({
      json: format === 'json',
      colors: format === 'text' && process.stdout.isTTY === true,
      logLevels: levels.slice(0, levels.indexOf(level) + 1),
      redact: ['password', 'passwordHash', 'accessToken', 'authorization', 'idNumber'],
    });
    this.escape = format === 'text';
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
      messages.map((m) => redactValue(m, this.escape)),
      context,
      logLevel,
      writeStreamType,
      typeof errorStack === 'string' ? redactLogText(errorStack) : redactValue(errorStack, false),
      params && (redactValue(params, false) as Record<string, unknown>),
    );
  }
}
