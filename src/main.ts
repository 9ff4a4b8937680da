import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app/app.module.js';
import { configureApp } from './app/app.setup.js';
import { AppLogger } from './common/app-logger.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { StartupSafety } from './app/startup-safety.js';

async function bootstrap(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = new AppLogger(config.logFormat, config.LOG_LEVEL);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { logger, bufferLogs: true });
  configureApp(app);
  if (config.APP_ROLE === 'worker') {
    await app.init();
    logger.log('worker started (no HTTP listener)', 'Bootstrap');
    return;
  }
  await app.init();
  await app.get(StartupSafety).checkBeforeListening();
  await app.listen(config.PORT, config.HOST);
  logger.log(
    `HPA Tracker listening on http://${config.HOST}:${config.PORT} (${config.DB_TYPE}, role ${config.APP_ROLE})`,
    'Bootstrap',
  );
}

bootstrap().catch((error: unknown) => {
  // A configuration error names the variable; print it plainly and stop.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
