import { AppLogger, escapeControlCharacters, redactLogText } from './app-logger.js';

describe('log text', () => {
  it('masks ID numbers that a percent-escape hid from the plain pattern', () => {
    const id = '610199198811220777';
    for (const url of [
      `/api/households?q=%20${id}`,
      `/api/households?q=${id}%0A`,
      `/api/households?q=${encodeURIComponent(`张三 ${id}`)}`,
      `/api/households?q=${[...id].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')}`,
    ]) {
      const logged = redactLogText(url);
      expect(logged).not.toContain('19881122');
      expect(logged).toContain('610199********0777');
    }
    expect(redactLogText('/api/items?page=2&q=%E5%BC%A0')).toBe('/api/items?page=2&q=%E5%BC%A0');
    expect(redactLogText('43 % done, %zz stays')).toBe('43 % done, %zz stays');
  });

  it('escapes control characters, line separators and bidi overrides', () => {
    expect(escapeControlCharacters('a\nFAKE [Nest] 1 - LOG\r\u001b[31m\u2028\u202e')).toBe(
      'a\\nFAKE [Nest] 1 - LOG\\r\\u001b[31m\\u2028\\u202e',
    );
    expect(escapeControlCharacters('城关街道 王专干')).toBe('城关街道 王专干');
  });

  it('keeps every text log entry on one line, whatever a user typed', () => {
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (chunk: string) => {
      written.push(String(chunk));
      return true;
    };
    try {
      new AppLogger('text', 'log').warn('failed login for "x\n[Nest] 1  - LOG [AuthService] admin signed in"');
    } finally {
      process.stdout.write = write;
    }
    const output = written.join('');
    expect(output.trimEnd().split('\n')).toHaveLength(1);
    expect(output).toContain('x\\n[Nest]');
  });
});
