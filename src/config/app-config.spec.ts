import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('has working defaults: SQLite, port 3000, Shanghai, demo data', () => {
    const config = loadConfig({});
    expect(config.DB_TYPE).toBe('sqlite');
    expect(config.DB_PATH).toBe('data/hpa.sqlite');
    expect(config.PORT).toBe(3000);
    expect(config.APP_TIMEZONE).toBe('Asia/Shanghai');
    expect(config.JWT_TTL).toBe('8h');
    expect(config.demoData).toBe(true);
    expect(config.APP_ROLE).toBe('all');
  });

  it('reads numbers and names every wrong variable', () => {
    expect(loadConfig({ PORT: '8080', DB_TYPE: 'mysql' }).PORT).toBe(8080);
    expect(() => loadConfig({ PORT: 'eighty', DB_TYPE: 'oracle', APP_TIMEZONE: 'Mars/Base' })).toThrow(
      /PORT[\s\S]*DB_TYPE[\s\S]*APP_TIMEZONE/,
    );
    expect(() => loadConfig({ APP_ROLE: 'both' })).toThrow(/APP_ROLE/);
    expect(() => loadConfig({ JWT_TTL: 'forever' })).toThrow(/JWT_TTL/);
    expect(() => loadConfig({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL/);
  });

  it('refuses production with the default secret or without an admin password', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', ADMIN_PASSWORD: 'S3cure-pass' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) })).toThrow(/ADMIN_PASSWORD/);
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), ADMIN_PASSWORD: 'S3cure-pass' });
    expect(config.demoData).toBe(false);
    expect(config.logFormat).toBe('json');
  });
});
