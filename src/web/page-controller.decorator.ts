import { applyDecorators, Controller, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageContextInterceptor } from './page-context.interceptor.js';

/** A controller of server-rendered pages: kept out of the OpenAPI document, with the page context (header, navigation, CSRF token). */
export const PageController = (prefix = ''): ClassDecorator =>
  applyDecorators(ApiExcludeController(), Controller(prefix), UseInterceptors(PageContextInterceptor));
