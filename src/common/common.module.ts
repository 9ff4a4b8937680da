import { Global, Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { Clock } from './clock.js';
import { HttpExceptionFilter } from './http-exception.filter.js';
import { RedisService } from './redis.service.js';

/** The pipe and filter every route goes through, the clock, and Redis. AppConfig comes from AppModule.forRoot. */
@Global()
@Module({
  providers: [
    Clock,
    RedisService,
    {
      provide: APP_PIPE,
      useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
    },
    { provide: APP_FILTER, useClass: HttpExceptionFilter },
  ],
  exports: [Clock, RedisService],
})
export class CommonModule {}
