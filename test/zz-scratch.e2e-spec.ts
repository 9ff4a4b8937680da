import { writeFileSync } from 'node:fs';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { pageLogin } from './utils/pages.js';

describe('scratch', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(() => t.close());
  it('renders', async () => {
    const admin = await pageLogin(t.http, 'admin', TEST_ADMIN_PASSWORD);
    for (const [name, path] of [['dash', '/'], ['hh', '/households'], ['hh1', '/households/1'], ['items', '/items'], ['item', '/items/1'], ['bulletin', '/bulletin'], ['users', '/users'], ['items-f', '/items?status=&overdue=true&page=1']]) {
      const res = await admin.get(path);
      writeFileSync(`/tmp/scratch/${name}.html`, res.text);
      console.error(name, res.status, res.text.length);
    }
  });
});
