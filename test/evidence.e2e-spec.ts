import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Household } from '../src/households/household.entity.js';
import { Person } from '../src/households/person.entity.js';
import { Attachment } from '../src/ledger/attachment.entity.js';
import { Item } from '../src/ledger/item.entity.js';
import { LedgerEntry } from '../src/ledger/ledger-entry.entity.js';
import { pdfDocument, sha256, storedPath } from './factories/evidence.js';
import { maskedId, newIdNumber } from './factories/households.js';
import { newCampaign, newItem } from './factories/items.js';
import { binaryParser } from './utils/crawl.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { runLedgerVerify } from './utils/ledger.js';

/**
 * Issue #15, evidence (佐证材料): photos and PDFs recognised by their bytes, kept content-addressed
 * in UPLOAD_DIR, each one `attachment_added` ledger entry carrying its sha256; served only to
 * whoever may read the item, thumbnails without location metadata; the item's verify and
 * `npm run ledger:verify` re-hash the files. One app on a database of its own (the CLI reads all of it).
 */

/** A JPEG photo carrying EXIF with a GPS position (as a phone writes it), made by sharp (libvips). */
function photoWithGps(): Promise<Buffer> {
  return sharp({ create: { width: 800, height: 600, channels: 3, background: '#4a8f5c' } })
    .withExif({
      IFD0: { Make: 'HpaTestCam', Model: 'Evidence 1' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '34/1 15/1 30/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '108/1 56/1 10/1',
      },
    })
    .jpeg({ quality: 85 })
    .toBuffer();
}

function photoPng(red = 200): Promise<Buffer> {
  return sharp({ create: { width: 500, height: 700, channels: 4, background: { r: red, g: 60, b: 40, alpha: 0.6 } } })
    .png()
    .toBuffer();
}

/** CRC-32 (as zip writes it). */
function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) {
      crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
    }
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A real zip archive holding one stored (uncompressed) text file. */
function zipOf(name: string, text: string): Buffer {
  const data = Buffer.from(text);
  const fileName = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  const centralAt = local.length + fileName.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(centralAt, 16);
  return Buffer.concat([local, fileName, data, central, fileName, end]);
}

/** The number of tags in the GPS IFD of a JPEG's EXIF segment; 0 without EXIF or without GPS. */
function gpsTags(jpeg: Buffer): number {
  let at = 2;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1];
    const length = jpeg.readUInt16BE(at + 2);
    if (marker === 0xe1 && jpeg.toString('latin1', at + 4, at + 10) === 'Exif\0\0') {
      const tiff = jpeg.subarray(at + 10, at + 2 + length);
      const le = tiff.toString('latin1', 0, 2) === 'II';
      const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
      const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
      const ifd0 = u32(4);
      for (let i = 0; i < u16(ifd0); i++) {
        const entry = ifd0 + 2 + i * 12;
        if (u16(entry) === 0x8825) {
          return u16(u32(entry + 8));
        }
      }
      return 0;
    }
    if (marker === 0xda) {
      break;
    }
    at += 2 + length;
  }
  return 0;
}

/** Every file under a folder, recursively (paths relative to it). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

describe('evidence (佐证材料): upload, storage, serving, thumbnails, verify', () => {
  let t: TestApp;
  let uploads: string;
  let admin: string;
  let caseworker: string;
  let officer1: string;
  let officer2: string;
  let insurance: string;
  let leader: string;
  let campaignId: number;
  /** 城关's health item holding the three uploads. */
  let itemId: number;
  let gpsPhoto: Buffer;
  let png: Buffer;
  let pdf: Buffer;
  const idNumber = newIdNumber();
  const uploaded: Record<'jpeg' | 'png' | 'pdf', { id: number; sha256: string; name: string }> = {} as never;

  const evidencePath = (hash: string) => storedPath(uploads, hash);
  const upload = (token: string, id: number, bytes: Buffer, filename: string, contentType: string) =>
    request(t.http)
      .post(`/api/items/${id}/attachments`)
      .set('Authorization', token)
      .attach('file', bytes, { filename, contentType });
  const get = (token: string, path: string) =>
    request(t.http).get(path).set('Authorization', token).buffer(true).parse(binaryParser);
  const entriesOf = (id: number) =>
    t.app
      .get(DataSource)
      .getRepository(LedgerEntry)
      .find({ where: { itemId: id }, order: { seq: 'ASC' } });
  const runCli = () => runLedgerVerify(t, { UPLOAD_DIR: uploads });

  beforeAll(async () => {
    uploads = mkdtempSync(join(tmpdir(), 'hpa-evidence-'));
    t = await createTestApp({ UPLOAD_DIR: uploads, EVIDENCE_MAX_MB: '1' }, { freshDatabase: true });
    t.clock.set('2020-04-15T02:00:00Z');
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    [caseworker, officer1, officer2, insurance, leader] = await Promise.all(
      ['caseworker', 'officer1', 'officer2', 'insurance', 'leader'].map((u) => t.login(u)),
    );
    campaignId = (await newCampaign(t, admin, { year: 2020 })).id;
    itemId = (await newItem(t, caseworker, campaignId)).id;
    [gpsPhoto, png] = await Promise.all([photoWithGps(), photoPng()]);
    pdf = pdfDocument('evidence 1');
  });

  afterAll(async () => {
    await t.close();
    rmSync(uploads, { recursive: true, force: true });
  });

  it('takes two photos and a PDF: each stored under its sha256, each one attachment_added entry carrying it', async () => {
    const before = (await entriesOf(itemId)).length;
    const jpegRes = await upload(officer1, itemId, gpsPhoto, `入户照片-${idNumber}.jpg`, 'image/jpeg').expect(201);
    const pngRes = await upload(officer1, itemId, png, '签约服务/现场.png', 'image/png').expect(201);
    // The browser's declared type is not what decides: a PDF sent as application/octet-stream is a PDF.
    const pdfRes = await upload(officer1, itemId, pdf, '整改报告.pdf', 'application/octet-stream').expect(201);

    expect(jpegRes.body).toMatchObject({ sha256: sha256(gpsPhoto), type: 'image/jpeg', size: gpsPhoto.length });
    expect(pngRes.body).toMatchObject({ sha256: sha256(png), type: 'image/png', size: png.length, name: '现场.png' });
    expect(pdfRes.body).toMatchObject({ sha256: sha256(pdf), type: 'application/pdf', size: pdf.length });
    expect(pdfRes.body.name).toBe('整改报告.pdf');
    // An ID number in a file name is masked wherever the name goes: the answer, the row, the ledger.
    expect(jpegRes.body.name).toBe(`入户照片-${maskedId(idNumber)}.jpg`);
    uploaded.jpeg = jpegRes.body;
    uploaded.png = pngRes.body;
    uploaded.pdf = pdfRes.body;

    for (const [bytes, body] of [
      [gpsPhoto, jpegRes.body],
      [png, pngRes.body],
      [pdf, pdfRes.body],
    ] as const) {
      expect(readFileSync(evidencePath(body.sha256)).equals(bytes)).toBe(true);
    }
    const added = (await entriesOf(itemId)).slice(before);
    expect(added.map((e) => [e.type, e.actorName])).toEqual([
      ['attachment_added', '城关街道 王专干'],
      ['attachment_added', '城关街道 王专干'],
      ['attachment_added', '城关街道 王专干'],
    ]);
    expect(added.map((e) => JSON.parse(e.payload!))).toEqual(
      [jpegRes.body, pngRes.body, pdfRes.body].map((b) => ({
        attachmentId: b.id,
        sha256: b.sha256,
        name: b.name,
        type: b.type,
        size: b.size,
      })),
    );
    const rows = await t.app
      .get(DataSource)
      .getRepository(Attachment)
      .find({ where: { itemId }, order: { id: 'ASC' } });
    expect(rows.map((r) => r.name)).toEqual([jpegRes.body.name, '现场.png', '整改报告.pdf']);
    const everything = JSON.stringify([rows, added]);
    expect(everything).not.toContain(idNumber);
    expect(everything).not.toContain(idNumber.slice(0, 17));
    // Nothing is left in the receiving folder.
    expect(filesUnder(join(uploads, 'evidence', 'tmp'))).toEqual([]);

    // The item's detail carries the entries too (the masked name included).
    const detail = await request(t.http).get(`/api/items/${itemId}`).set('Authorization', officer1).expect(200);
    expect(JSON.stringify(detail.body)).not.toContain(idNumber);
  });

  it('lists the evidence of an item for whoever may read it, oldest first, with the entry that recorded each', async () => {
    for (const token of [officer1, caseworker, leader, insurance, admin]) {
      const res = await request(t.http).get(`/api/items/${itemId}/attachments`).set('Authorization', token).expect(200);
      expect(res.body.map((a: { id: number }) => a.id)).toEqual([uploaded.jpeg.id, uploaded.png.id, uploaded.pdf.id]);
    }
    const res = await request(t.http)
      .get(`/api/items/${itemId}/attachments`)
      .set('Authorization', officer1)
      .expect(200);
    expect(res.body[0]).toMatchObject({
      itemId,
      thumbnail: true,
      url: `/api/attachments/${uploaded.jpeg.id}`,
      thumbnailUrl: `/api/attachments/${uploaded.jpeg.id}/thumbnail`,
      uploadedByName: '城关街道 王专干',
      uploadedAt: '2020-04-15T02:00:00.000Z',
    });
    expect(res.body[2]).toMatchObject({ type: 'application/pdf', thumbnail: false, thumbnailUrl: null });
    const seqs = res.body.map((a: { seq: number }) => a.seq);
    expect(seqs).toEqual([seqs[0], seqs[0] + 1, seqs[0] + 2]);
  });

  it('serves the original as uploaded: its type, nosniff, inline with an RFC 5987 name, no shared caching', async () => {
    const jpeg = await get(officer1, `/api/attachments/${uploaded.jpeg.id}`).expect(200);
    expect((jpeg.body as Buffer).equals(gpsPhoto)).toBe(true);
    expect(jpeg.headers['content-type']).toBe('image/jpeg');
    expect(jpeg.headers['x-content-type-options']).toBe('nosniff');
    expect(jpeg.headers['cache-control']).toMatch(/\bprivate\b/);
    expect(jpeg.headers['content-disposition']).toBe(
      `inline; filename="____-${maskedId(idNumber)}.jpg"; filename*=UTF-8''${encodeURIComponent('入户照片-')}${maskedId(idNumber).replaceAll('*', '%2A')}.jpg`,
    );
    const pdfRes = await get(caseworker, `/api/attachments/${uploaded.pdf.id}`).expect(200);
    expect((pdfRes.body as Buffer).equals(pdf)).toBe(true);
    expect(pdfRes.headers['content-type']).toBe('application/pdf');
    expect(pdfRes.headers['content-disposition']).toMatch(/^inline; .*filename\*=UTF-8''%E6%95%B4/);
    // The ETag is the content's hash: a browser's copy is revalidated without the bytes.
    expect(jpeg.headers.etag).toBe(`"${uploaded.jpeg.sha256}"`);
    await request(t.http)
      .get(`/api/attachments/${uploaded.jpeg.id}`)
      .set('Authorization', officer1)
      .set('If-None-Match', jpeg.headers.etag)
      .expect(304);
  });

  it('makes thumbnails of the images without any metadata (no EXIF, no GPS position); a PDF has none', async () => {
    // The original keeps what the camera wrote (it is the evidence as taken).
    expect(gpsTags(gpsPhoto)).toBeGreaterThan(0);
    for (const { id } of [uploaded.jpeg, uploaded.png]) {
      const res = await get(officer1, `/api/attachments/${id}/thumbnail`).expect(200);
      const thumb = res.body as Buffer;
      expect(res.headers['content-type']).toBe('image/jpeg');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      const meta = await sharp(thumb).metadata();
      expect(meta.format).toBe('jpeg');
      expect(Math.max(meta.width, meta.height)).toBeLessThanOrEqual(320);
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(meta.iptc).toBeUndefined();
      expect(meta.icc).toBeUndefined();
      expect(gpsTags(thumb)).toBe(0);
      expect(thumb.includes(Buffer.from('Exif\0\0'))).toBe(false);
      expect(thumb.includes(Buffer.from('HpaTestCam'))).toBe(false);
    }
    // A second read is the same picture (cached by the original's hash).
    const again = await get(officer1, `/api/attachments/${uploaded.jpeg.id}/thumbnail`).expect(200);
    const first = await get(caseworker, `/api/attachments/${uploaded.jpeg.id}/thumbnail`).expect(200);
    expect((again.body as Buffer).equals(first.body as Buffer)).toBe(true);
    await request(t.http)
      .get(`/api/attachments/${uploaded.pdf.id}/thumbnail`)
      .set('Authorization', officer1)
      .expect(404);
  });

  it('keeps one file for the same bytes added to two items', async () => {
    const other = (await newItem(t, caseworker, campaignId)).id;
    const res = await upload(officer1, other, png, 'again.png', 'image/png').expect(201);
    expect(res.body.sha256).toBe(uploaded.png.sha256);
    expect(res.body.id).not.toBe(uploaded.png.id);
    expect(filesUnder(join(uploads, 'evidence', uploaded.png.sha256.slice(0, 2)))).toEqual([uploaded.png.sha256]);
    expect(readFileSync(evidencePath(uploaded.png.sha256)).equals(png)).toBe(true);
  });

  describe('refuses what is not a photo or a PDF (415), and what is too large (413), keeping nothing', () => {
    const html = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
    const svg = Buffer.from(
      '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
    );
    const cases: [string, () => Buffer, string, string][] = [
      ['HTML named .jpg', () => html, 'photo.jpg', 'image/jpeg'],
      ['SVG', () => svg, 'drawing.svg', 'image/svg+xml'],
      ['zip', () => zipOf('a.txt', 'hello'), 'evidence.zip', 'application/zip'],
      ['zip named .pdf', () => zipOf('b.txt', 'hello'), 'report.pdf', 'application/pdf'],
      ['empty file', () => Buffer.alloc(0), 'empty.jpg', 'image/jpeg'],
    ];

    it.each(cases)('%s: 415 in Chinese, no row, no file, no ledger entry', async (_label, bytes, filename, type) => {
      const entries = (await entriesOf(itemId)).length;
      const rows = await t.app.get(DataSource).getRepository(Attachment).count();
      const files = filesUnder(join(uploads, 'evidence')).length;
      const res = await upload(officer1, itemId, bytes(), filename, type).expect(415);
      expect(res.body.message).toMatch(/^file: 只能上传 JPEG 或 PNG 照片、PDF 文件/);
      expect(await t.app.get(DataSource).getRepository(Attachment).count()).toBe(rows);
      expect((await entriesOf(itemId)).length).toBe(entries);
      expect(filesUnder(join(uploads, 'evidence')).length).toBe(files);
      expect(existsSync(evidencePath(sha256(bytes())))).toBe(false);
    });

    it('over EVIDENCE_MAX_MB (1 MB here): 413 in Chinese, nothing kept', async () => {
      const entries = (await entriesOf(itemId)).length;
      const rows = await t.app.get(DataSource).getRepository(Attachment).count();
      const files = filesUnder(join(uploads, 'evidence')).length;
      // A JPEG's signature, then a megabyte and a byte more.
      const big = Buffer.concat([gpsPhoto.subarray(0, 4), Buffer.alloc(1024 * 1024 - 3, 7)]);
      const res = await upload(officer1, itemId, big, 'big.jpg', 'image/jpeg').expect(413);
      expect(res.body.message).toMatch(/^file: 文件超过 1 MB/);
      expect(await t.app.get(DataSource).getRepository(Attachment).count()).toBe(rows);
      expect((await entriesOf(itemId)).length).toBe(entries);
      expect(filesUnder(join(uploads, 'evidence')).length).toBe(files);
      // Exactly the limit is accepted.
      const padded = Buffer.concat([gpsPhoto.subarray(0, 4), Buffer.alloc(1024 * 1024 - 4, 7)]);
      await upload(officer1, itemId, padded, 'limit.jpg', 'image/jpeg').expect(201);
    });

    it('no file, or not multipart: 400 naming file', async () => {
      const none = await request(t.http)
        .post(`/api/items/${itemId}/attachments`)
        .set('Authorization', officer1)
        .field('note', 'x')
        .expect(400);
      expect(none.body.message).toMatch(/^file: /);
      const json = await request(t.http)
        .post(`/api/items/${itemId}/attachments`)
        .set('Authorization', officer1)
        .send({ file: 'x' })
        .expect(400);
      expect(json.body.message).toMatch(/^file: /);
    });
  });

  describe('who may add and read evidence', () => {
    it("another sub-district's officer: 404 for the upload, the list, the original and the thumbnail", async () => {
      const entries = (await entriesOf(itemId)).length;
      await upload(officer2, itemId, gpsPhoto, 'x.jpg', 'image/jpeg').expect(404);
      expect((await entriesOf(itemId)).length).toBe(entries);
      await request(t.http).get(`/api/items/${itemId}/attachments`).set('Authorization', officer2).expect(404);
      for (const path of [`/api/attachments/${uploaded.jpeg.id}`, `/api/attachments/${uploaded.jpeg.id}/thumbnail`]) {
        const res = await request(t.http).get(path).set('Authorization', officer2).expect(404);
        // The same answer as an attachment that does not exist.
        const none = await request(t.http)
          .get(path.replace(String(uploaded.jpeg.id), '999999'))
          .set('Authorization', officer2)
          .expect(404);
        expect(res.body.message).toBe(none.body.message.replace('999999', String(uploaded.jpeg.id)));
      }
    });

    it('insurance staff on a health item: 403; the leadership: 403; a closed item: 409; nothing kept', async () => {
      const entries = (await entriesOf(itemId)).length;
      await upload(insurance, itemId, png, 'x.png', 'image/png').expect(403);
      await upload(leader, itemId, png, 'x.png', 'image/png').expect(403);
      expect((await entriesOf(itemId)).length).toBe(entries);
      // An insurance item takes evidence from insurance staff.
      const insuranceItem = (await newItem(t, caseworker, campaignId, { category: 'insurance' })).id;
      await upload(insurance, insuranceItem, pdfDocument('insurance'), '参保凭证.pdf', 'application/pdf').expect(201);

      // Evidence is added while an item is open or in progress: not while its close request waits, nor once closed.
      const closing = await newItem(t, caseworker, campaignId);
      const closedEntries = (await entriesOf(closing.id)).length;
      for (const status of ['pending_review', 'closed'] as const) {
        await t.app.get(DataSource).getRepository(Item).update({ id: closing.id }, { status });
        const res = await upload(officer1, closing.id, png, 'late.png', 'image/png').expect(409);
        expect(res.body.field).toBe('status');
      }
      expect((await entriesOf(closing.id)).length).toBe(closedEntries);
    });
  });

  it("shows the leadership a file name without the item's subject, as it shows the ledger", async () => {
    const person = await t.app
      .get(DataSource)
      .getRepository(Person)
      .createQueryBuilder('p')
      .innerJoin(Household, 'h', 'h.id = p.householdId')
      .where("h.regionCode LIKE '610199001%'")
      .orderBy('p.id')
      .getOneOrFail();
    const item = await newItem(t, caseworker, campaignId, { subjectType: 'person', subjectId: person.id });
    const res = await upload(officer1, item.id, await photoPng(90), `${person.name}家中.png`, 'image/png').expect(201);
    expect(res.body.name).toBe(`${person.name}家中.png`);
    const seen = async (token: string) =>
      (await request(t.http).get(`/api/items/${item.id}/attachments`).set('Authorization', token).expect(200)).body[0]
        .name;
    expect(await seen(caseworker)).toBe(`${person.name}家中.png`);
    expect(await seen(leader)).toBe('某某家中.png');
    const original = await request(t.http)
      .get(`/api/attachments/${res.body.id}`)
      .set('Authorization', leader)
      .expect(200);
    expect(original.headers['content-disposition']).toContain(encodeURIComponent('某某家中.png'));
    const detail = await request(t.http).get(`/api/items/${item.id}`).set('Authorization', leader).expect(200);
    expect(JSON.stringify(detail.body)).not.toContain(person.name);
  });

  describe('verify re-hashes the files', () => {
    it("the item's verify and the CLI pass while the files are intact", async () => {
      const res = await request(t.http)
        .get(`/api/items/${itemId}/ledger/verify`)
        .set('Authorization', officer1)
        .expect(200);
      expect(res.body).toMatchObject({ valid: true, firstBrokenSeq: null, files: { altered: [], missing: [] } });
      expect(res.body.files.checked).toBe(4);
      const cli = runCli();
      expect(cli.stderr).toMatch(
        /\d+ items checked, 0 broken chain\(s\); \d+ evidence file\(s\) checked, 0 altered or missing/,
      );
      expect(cli.status).toBe(0);
    });

    it('one altered byte: the item verify and the CLI name the entry and the sha256; a deleted file is named missing', async () => {
      const entries = await entriesOf(itemId);
      const seqOf = (id: number) => entries.find((e) => JSON.parse(e.payload ?? '{}').attachmentId === id)!.seq;
      const pngPath = evidencePath(uploaded.png.sha256);
      const bytes = readFileSync(pngPath);
      bytes[bytes.length >> 1] ^= 0x01;
      writeFileSync(pngPath, bytes);
      rmSync(evidencePath(uploaded.pdf.sha256));

      const res = await request(t.http)
        .get(`/api/items/${itemId}/ledger/verify`)
        .set('Authorization', caseworker)
        .expect(200);
      expect(res.body).toMatchObject({
        valid: false,
        // The chain itself is intact: the files are what changed.
        firstBrokenSeq: null,
        files: {
          checked: 4,
          altered: [{ seq: seqOf(uploaded.png.id), sha256: uploaded.png.sha256 }],
          missing: [{ seq: seqOf(uploaded.pdf.id), sha256: uploaded.pdf.sha256 }],
        },
      });

      const cli = runCli();
      expect(cli.status).toBe(1);
      expect(cli.stderr).toContain(
        `item ${itemId}: file altered at seq ${seqOf(uploaded.png.id)} (sha256 ${uploaded.png.sha256})`,
      );
      expect(cli.stderr).toContain(
        `item ${itemId}: file missing at seq ${seqOf(uploaded.pdf.id)} (sha256 ${uploaded.pdf.sha256})`,
      );
      // The other item holding the same PNG is named too; the chains themselves are all intact.
      expect(cli.stderr).toMatch(/ 0 broken chain\(s\); \d+ evidence file\(s\) checked, 3 altered or missing/);

      // A missing original is 404 (logged), not a broken answer.
      await request(t.http).get(`/api/attachments/${uploaded.pdf.id}`).set('Authorization', officer1).expect(404);
    });
  });
});
