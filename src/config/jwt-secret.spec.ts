import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './app-config.js';
import { dataDirectorySecret, ensureJwtSecret, SECRET_FILE } from './jwt-secret.js';

const dataDir = () => mkdtempSync(join(tmpdir(), 'hpa-secret-'));

describe('the generated JWT secret', () => {
  it('is created once per data directory, mode 0600, and read back on the next start', () => {
    const dir = dataDir();
    const config = ensureJwtSecret(loadConfig({ DB_PATH: join(dir, 'hpa.sqlite') }));
    expect(config.jwtSecretGenerated).toBe(true);
    expect(config.JWT_SECRET.length).toBeGreaterThanOrEqual(32);
    const file = join(dir, SECRET_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(config.JWT_SECRET);
    const again = ensureJwtSecret(loadConfig({ DB_PATH: join(dir, 'hpa.sqlite') }));
    expect(again.JWT_SECRET).toBe(config.JWT_SECRET);
    const elsewhere = ensureJwtSecret(loadConfig({ DB_PATH: join(dataDir(), 'hpa.sqlite') }));
    expect(elsewhere.JWT_SECRET).not.toBe(config.JWT_SECRET);
  });

  it('leaves a configured secret alone and writes nothing', () => {
    const dir = dataDir();
    const config = ensureJwtSecret(loadConfig({ DB_PATH: join(dir, 'hpa.sqlite'), JWT_SECRET: 's'.repeat(32) }));
    expect(config.JWT_SECRET).toBe('s'.repeat(32));
    expect(config.jwtSecretGenerated).toBe(false);
    expect(() => statSync(join(dir, SECRET_FILE))).toThrow();
  });

  it('refuses a file that holds no secret rather than sign with it', () => {
    const file = join(dataDir(), SECRET_FILE);
    writeFileSync(file, 'short\n');
    expect(() => dataDirectorySecret(file)).toThrow(/does not hold a secret/);
  });
});
