import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import hbs from 'hbs';
import helmet from 'helmet';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { isApiPath } from '../common/api-path.js';
import { redactLogText } from '../common/app-logger.js';
import { PROJECT_ROOT } from '../config/paths.js';
import { refuseDeepJson } from '../common/json-depth.js';
import { AppConfig, trustProxySetting } from '../config/app-config.js';
import { mountQueueDashboard } from './queue-dashboard.js';
import { CsrfService } from '../web/csrf.service.js';
import { registerHelpers, registerPartialsFrom } from '../web/handlebars-helpers.js';

/**
 * The pages' content security policy: scripts, styles, images and form targets from the app itself
 * only; no inline script or style (the SVG charts use classes). No upgrade-insecure-requests:
 * district networks often serve plain HTTP, where it would break every stylesheet.
 */
const pageCsp = helmet.contentSecurityPolicy({
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
  },
});

/** Everything about the HTTP app that is not a module: used by main.ts and by the tests alike. */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  app.enableShutdownHooks();
  limitIdleRequests(app.getHttpServer(), app.get(AppConfig));
  app.set('trust proxy', trustProxySetting(app.get(AppConfig).TRUST_PROXY));
  app.disable('x-powered-by');
  // The API keeps helmet's headers without a CSP (Swagger UI at /api/docs runs inline scripts); pages get theirs.
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use((req: Request, res: Response, next: NextFunction) =>
    isApiPath(req.path) ? next() : pageCsp(req, res, next),
  );
  app.use(cookieParser());
  mountQueueDashboard(app, app.get(CsrfService, { strict: false }));
  // Nesting is bounded on the raw bytes, before parsing and validation (a deep body would otherwise recurse).
  // (Nest's type leaves `verify` out, keeping it for its rawBody option, which this app does not use.)
  app.useBodyParser('json', { limit: '1mb', verify: refuseDeepJson } as { limit: string });
  app.useBodyParser('urlencoded', { limit: '1mb', extended: false });

  const views = join(PROJECT_ROOT, 'views');
  app.useStaticAssets(join(views, 'assets'), { prefix: '/assets/', maxAge: '1h', index: false });
  app.setBaseViewsDir(views);
  app.setViewEngine('hbs');
  app.set('view options', { layout: 'layouts/main' });
  registerPartialsFrom(hbs.handlebars, join(views, 'partials'));
  registerHelpers(hbs.handlebars, { timeZone: app.get(AppConfig).APP_TIMEZONE });

  const http = new Logger('HTTP');
  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      http.log(`${req.method} ${redactLogText(req.originalUrl)} ${res.statusCode} ${ms.toFixed(1)}ms`);
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

/**
 * How long a client may take, in place of Node's defaults (whose `requestTimeout` of 300 s drops a
 * slow upload of a big roster while it is still arriving): no cap on a request's total time, the
 * headers within HTTP_HEADERS_SECONDS, and a connection that sends nothing for HTTP_IDLE_SECONDS
 * while its request is not yet complete (a stalled upload, a slow-loris) is dropped. Once a request
 * is received, the time the app takes to answer it is not the client's: its connection stays.
 */
export function limitIdleRequests(server: Server, config: AppConfig): void {
  server.requestTimeout = 0;
  server.headersTimeout = config.HTTP_HEADERS_SECONDS * 1000;
  const current = new WeakMap<Socket, { req: IncomingMessage; res: ServerResponse }>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => current.set(req.socket, { req, res }));
  // A 'timeout' listener replaces Node's default (destroy the socket), for this idle time and for the
  // keep-alive timeout alike: only a request that is received and still being answered keeps its connection.
  server.setTimeout(config.HTTP_IDLE_SECONDS * 1000, (socket: Socket) => {
    const exchange = current.get(socket);
    if (!exchange || !exchange.req.complete || exchange.res.writableEnded) {
      socket.destroy();
    }
  });
}
