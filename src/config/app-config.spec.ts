import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './paths.js';
import { ConfigError, isLoopbackHost, loadConfig, PUBLISHED_JWT_SECRET, trustProxySetting } from './app-config.js';

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

describe('network exposure (issue #12)', () => {
  it('listens on this machine only unless told otherwise', () => {
    expect(loadConfig({}).HOST).toBe('127.0.0.1');
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('::')).toBe(false);
    expect(isLoopbackHost('192.168.1.10')).toBe(false);
  });

  it('refuses a non-loopback HOST without a configured JWT_SECRET, and the published secret anywhere', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/JWT_SECRET[^\n]*HOST/);
    expect(loadConfig({ HOST: '0.0.0.0', JWT_SECRET: 'x'.repeat(32) }).HOST).toBe('0.0.0.0');
    expect(() => loadConfig({ JWT_SECRET: PUBLISHED_JWT_SECRET })).toThrow(/JWT_SECRET/);
    expect(loadConfig({}).JWT_SECRET).toBe('');
  });

  it('trusts proxies by address only: no named ranges, no "true", no hop counts', () => {
    expect(trustProxySetting(loadConfig({}).TRUST_PROXY)).toEqual(['loopback']);
    expect(trustProxySetting(loadConfig({ TRUST_PROXY: 'none' }).TRUST_PROXY)).toBe(false);
    expect(trustProxySetting(loadConfig({ TRUST_PROXY: '172.30.0.10, loopback' }).TRUST_PROXY)).toEqual([
      '172.30.0.10',
      'loopback',
    ]);
    expect(loadConfig({ TRUST_PROXY: '10.1.0.0/16,fd00::1' }).TRUST_PROXY).toBe('10.1.0.0/16,fd00::1');
    for (const bad of ['uniquelocal', 'loopback,uniquelocal', 'linklocal', 'true', '2', '10.0.0.0/33', 'nginx']) {
      expect(() => loadConfig({ TRUST_PROXY: bad })).toThrow(/TRUST_PROXY/);
    }
  });

  it('the compose file trusts its nginx alone, by the fixed address it gives nginx', () => {
    const compose = readFileSync(join(PROJECT_ROOT, 'docker/compose.yaml'), 'utf8');
    const trusted = /^\s*TRUST_PROXY:\s*(\S+)\s*$/m.exec(compose)?.[1];
    const nginx = compose.slice(compose.indexOf('\n  nginx:'));
    const address = /ipv4_address:\s*(\S+)/.exec(nginx)?.[1];
    expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(trusted).toBe(address);
    expect(() => loadConfig({ TRUST_PROXY: trusted })).not.toThrow();
    expect(/^\s*HOST:\s*0\.0\.0\.0\s*$/m.test(compose)).toBe(true);
  });
});
