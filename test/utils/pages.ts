import request from 'supertest';
import type { App } from 'supertest/types.js';
import { DEMO_PASSWORD } from '../../src/app/demo/demo-loader.service.js';

export type PageAgent = request.Agent;

/** The CSRF token of the first form on a page. */
export function csrfOf(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) {
    throw new Error('the page has no CSRF token');
  }
  return token;
}

/** A cookie-keeping client signed in through the login form, as a browser would. */
export async function pageLogin(http: App, username: string, password = DEMO_PASSWORD): Promise<PageAgent> {
  const agent = request.agent(http);
  const form = await agent.get('/').expect(200);
  const res = await agent
    .post('/login')
    .type('form')
    .send({ username, password, _csrf: csrfOf(form.text) });
  if (res.status !== 303) {
    throw new Error(`page login of ${username} failed: ${res.status}`);
  }
  return agent;
}
