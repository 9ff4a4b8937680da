import { Global, Module } from '@nestjs/common';
import { PAGE_ERROR_RENDERER } from '../common/http-exception.filter.js';
import { ErrorPageRenderer } from './error-page.js';

/**
 * Gives the exception filter (common, global) the pages' error rendering. Global, so that the
 * filter finds it without common importing the pages: the dependency runs from web to common only.
 */
@Global()
@Module({
  providers: [{ provide: PAGE_ERROR_RENDERER, useClass: ErrorPageRenderer }],
  exports: [PAGE_ERROR_RENDERER],
})
export class PageErrorsModule {}
