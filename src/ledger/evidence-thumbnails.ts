import { Injectable, Logger } from '@nestjs/common';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';
import { EvidenceStore, removeFile } from './evidence-store.js';

/** The longer side of a thumbnail, in pixels. */
export const THUMBNAIL_SIZE = 320;

/**
 * A decoded image may hold at most this many pixels (a 10 MB PNG can claim 30 000 × 30 000 and take
 * gigabytes to decode): 100 megapixels is a large phone camera's photo.
 */
const MAX_INPUT_PIXELS = 100_000_000;

/**
 * Thumbnails of image evidence for the item page: a small JPEG, turned upright by the photo's EXIF
 * orientation and then stripped of ALL metadata — EXIF (GPS position, camera, time), XMP, IPTC and
 * the ICC profile (converted to sRGB) — which sharp writes only when asked (withMetadata/keepExif),
 * and this code never asks. Made once per original (cached in the store by its hash; the bytes of
 * an original never change), written to a temporary file and renamed into place.
 */
@Injectable()
export class EvidenceThumbnails {
  private readonly logger = new Logger(EvidenceThumbnails.name);

  constructor(private readonly store: EvidenceStore) {}

  /** The thumbnail of a stored image, or null when the original is gone or does not decode. */
  async of(sha256: string): Promise<Buffer | null> {
    const path = this.store.thumbnailPathOf(sha256);
    const cached = await readFile(path).catch(() => null);
    if (cached) {
      return cached;
    }
    if (!(await this.store.has(sha256))) {
      return null;
    }
    let thumbnail: Buffer;
    try {
      thumbnail = await makeThumbnail(this.store.pathOf(sha256));
    } catch (error) {
      this.logger.warn(
        `no thumbnail for evidence ${sha256}: ${error instanceof Error ? error.message : String(error)}`,
      );
      return null;
    }
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.${Date.now()}.part`;
    try {
      await writeFile(temp, thumbnail);
      await rename(temp, path);
    } catch (error) {
      await removeFile(temp);
      this.logger.warn(`thumbnail of ${sha256} not cached: ${error instanceof Error ? error.message : String(error)}`);
    }
    return thumbnail;
  }
}

/** A JPEG of at most THUMBNAIL_SIZE pixels a side, upright, on white (PNG transparency), with no metadata. */
export function makeThumbnail(input: string | Buffer): Promise<Buffer> {
  return sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
    .rotate()
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 78 })
    .toBuffer();
}
