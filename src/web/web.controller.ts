import { Controller, Get, Render } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/auth-user.js';

/** Server-rendered pages (Handlebars, Simplified Chinese). */
@ApiExcludeController()
@Controller()
export class WebController {
  @Public()
  @Get()
  @Render('home')
  home() {
    return { title: '首页' };
  }
}
