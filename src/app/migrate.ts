import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../config/app-config.js';
import { ensureDatabase } from '../database/connection-options.js';
import { dataSourceOptions } from './data-source.js';

/** `npm run migration:run`: applies pending migrations and exits (the app also does it at start). */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  await ensureDatabase(config);
  const db = await new DataSource(dataSourceOptions(config)).initialize();
  try {
    const applied = await db.runMigrations({ transaction: 'each' });
    // eslint-disable-next-line no-console -- a command-line tool reports on stdout
    console.log(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'no pending migrations');
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
