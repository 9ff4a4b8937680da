import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import hbs from 'hbs';
import helmet from 'helmet';
import { join } from 'node:path';
import { redactIdNumbers } from './common/id-number.js';
import { PROJECT_ROOT } from './common/paths.js';
import { AppConfig } from './config/app-config.js';

/** Everything about the HTTP app that is not a module: used by main.ts and by the tests alike. */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  app.enableShutdownHooks();
  app.set('trust proxy', app.get(AppConfig).TRUST_PROXY);
  app.disable('x-powered-by');
  app.use(helmet({ contentSecurityPolicy: false }));
  app.useBodyParser('json', { limit: '1mb' });
  app.useBodyParser('urlencoded', { limit: '1mb', extended: false });

  const views = join(PROJECT_ROOT, 'views');
  app.setBaseViewsDir(views);
  app.setViewEngine('hbs');
  app.set('view options', { layout: 'layouts/main' });
  hbs.registerPartials(join(views, 'partials'));

  const http = new Logger('HTTP');
  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      http.log(`${req.method} ${redactIdNumbers(req.originalUrl)} ${res.statusCode} ${ms.toFixed(1)}ms`);
    });
    next();
  });

  const openApi = new DocumentBuilder()
    .setTitle('HPA Tracker 健康扶贫台账系统')
    .setDescription('Registry of poor households, health records and the remediation ledger.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi));
  return app;
}
