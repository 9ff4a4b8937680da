import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { TypeOrmLogger } from './typeorm-logger.js';

describe('TypeOrmLogger', () => {
  const logged = (fail: (logger: TypeOrmLogger) => void) => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      fail(new TypeOrmLogger());
      return { warn: warn.mock.calls.map((c) => String(c[0])), error: error.mock.calls.map((c) => String(c[0])) };
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  };

  it('logs a deadlock (errno 1213) as a warning, any other failed query as an error', () => {
    const deadlock = Object.assign(new Error('Deadlock found when trying to get lock'), { errno: 1213 });
    expect(logged((l) => l.logQueryError(deadlock, 'UPDATE items SET x = ?'))).toEqual({
      warn: ['deadlock, transaction rolled back: Deadlock found when trying to get lock — UPDATE items SET x = ?'],
      error: [],
    });
    const duplicate = Object.assign(new Error("Duplicate entry 'x'"), { errno: 1062 });
    expect(logged((l) => l.logQueryError(duplicate, 'INSERT INTO persons'))).toEqual({
      warn: [],
      error: ["query failed: Duplicate entry 'x' — INSERT INTO persons"],
    });
    expect(logged((l) => l.logQueryError('SQLITE_BUSY', 'SELECT 1')).error).toEqual([
      'query failed: SQLITE_BUSY — SELECT 1',
    ]);
  });
});
