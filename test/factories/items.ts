import { randomInt } from 'node:crypto';
import request from 'supertest';
import { SUBDISTRICT_A } from './households.js';
import type { TestApp } from '../utils/create-test-app.js';

let counter = randomInt(0, 1_000_000);

/** A unique suffix for names and dedupe keys, so tests on a shared database never meet each other's rows. */
export const unique = (): string => `${Date.now().toString(36)}${(counter++).toString(36)}`;

export interface CampaignBody {
  id: number;
  name: string;
  year: number;
  deadline: string;
  reminderDays: number;
  warningDays: number;
  supervisedDays: number;
  treatmentStartDays: number;
  closeReview: boolean;
  evidenceRequired: boolean;
}

/**
 * A campaign created through the API (needs an admin token). Its closes are direct (closeReview
 * false) unless the test opts in with `closeReview: true`: most tests close items and expect `closed`;
 * the product's default, and the demo campaign, review closes (SPEC §6.2).
 */
export async function newCampaign(
  t: TestApp,
  admin: string,
  body: Record<string, unknown> = {},
): Promise<CampaignBody> {
  const res = await request(t.http)
    .post('/api/campaigns')
    .set('Authorization', admin)
    .send({ name: `测试专项${unique()}`, closeReview: false, ...body })
    .expect(201);
  return res.body as CampaignBody;
}

/** An item body in 城关街道 (officer1's sub-district) unless told otherwise. */
export function itemInput(campaignId: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    campaignId,
    category: 'contract',
    title: `测试问题${unique()}`,
    regionCode: SUBDISTRICT_A,
    ...overrides,
  };
}

/** An item created through the API (caseworker or admin token); answers the created item with its ledger. */
export async function newItem(t: TestApp, token: string, campaignId: number, overrides: Record<string, unknown> = {}) {
  const res = await request(t.http)
    .post('/api/items')
    .set('Authorization', token)
    .send(itemInput(campaignId, overrides));
  if (res.status !== 201) {
    throw new Error(`creating an item failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}
