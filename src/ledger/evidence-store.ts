import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, type ReadStream } from 'node:fs';
import { type FileHandle, mkdir, open as openFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config.js';

/** A sha256 as the ledger and the attachments table write it: 64 lower-case hex digits. */
const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isSha256(value: unknown): value is string {
  return typeof value === 'string' && SHA256_HEX.test(value);
}

/** What re-hashing a stored file found: its bytes as recorded, other bytes, or no file. */
export type StoredFileState = 'ok' | 'altered' | 'missing';

/** sha256 (hex) and size of a file, read once as a stream. */
export async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    size += chunk.length;
    hash.update(chunk);
  }
  return { sha256: hash.digest('hex'), size };
}

const isMissing = (error: unknown): boolean => (error as { code?: string } | null)?.code === 'ENOENT';

/** Removes a file nobody will read (ignores one that is already gone). */
export async function removeFile(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/**
 * 佐证材料 on disk, content-addressed: `<UPLOAD_DIR>/evidence/ab/<sha256>` (the first two hex digits
 * as a folder, so no folder holds millions of files). UPLOAD_DIR is a volume the API replicas share.
 * A file is written under a random name in `evidence/tmp/` (the same volume) and renamed into place,
 * so a reader never sees half a file; the same bytes uploaded twice are one file. Files are never
 * changed or removed by the service: the ledger names them by hash, and verify re-hashes them.
 */
@Injectable()
export class EvidenceStore {
  readonly root: string;
  /** Where uploads are received before they are recognised and hashed. */
  readonly incoming: string;
  /** Derived thumbnails (no metadata), cached by the original's hash. */
  readonly thumbnails: string;

  constructor(config: AppConfig) {
    this.root = join(config.UPLOAD_DIR, 'evidence');
    this.incoming = join(this.root, 'tmp');
    this.thumbnails = join(this.root, 'thumbnails');
  }

  /** Creates the receiving folder (the upload interceptor calls it once at start). */
  ensureIncoming(): void {
    mkdirSync(this.incoming, { recursive: true });
  }

  /** The path of the file with this hash (which must be a sha256: never a path a caller chose). */
  pathOf(sha256: string): string {
    if (!isSha256(sha256)) {
      throw new Error(`not a sha256: ${JSON.stringify(sha256).slice(0, 80)}`);
    }
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  /** The cached thumbnail's path for the original with this hash. */
  thumbnailPathOf(sha256: string): string {
    this.pathOf(sha256); // validates the hash
    return join(this.thumbnails, sha256.slice(0, 2), `${sha256}.jpg`);
  }

  /**
   * Moves a received file (in `incoming`, hashed by the caller) to its place. When the same bytes
   * are stored already, that file is kept and the received one removed. Answers whether the file
   * is new.
   */
  async put(receivedPath: string, sha256: string): Promise<boolean> {
    const target = this.pathOf(sha256);
    if (await this.exists(target)) {
      await removeFile(receivedPath);
      return false;
    }
    await mkdir(join(this.root, sha256.slice(0, 2)), { recursive: true });
    // Atomic on one file system; two uploads of the same bytes at once rename the same content.
    await rename(receivedPath, target);
    return true;
  }

  /** Re-hashes the stored file against the hash it is stored under. */
  async state(sha256: string): Promise<StoredFileState> {
    if (!isSha256(sha256)) {
      return 'missing';
    }
    try {
      return (await hashFile(this.pathOf(sha256))).sha256 === sha256 ? 'ok' : 'altered';
    } catch (error) {
      if (isMissing(error) || (error as { code?: string }).code === 'EISDIR') {
        return 'missing';
      }
      throw error;
    }
  }

  /** The stored file, opened (so a missing file is known before any header is sent), and its size; null when it is gone. */
  async open(sha256: string): Promise<{ stream: ReadStream; size: number } | null> {
    let handle: FileHandle;
    try {
      handle = await openFile(this.pathOf(sha256), 'r');
    } catch (error) {
      if (isMissing(error)) {
        return null;
      }
      throw error;
    }
    try {
      const { size } = await handle.stat();
      return { stream: handle.createReadStream(), size };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Whether a file is stored under this hash (not whether its bytes still match: see state). */
  has(sha256: string): Promise<boolean> {
    return this.exists(this.pathOf(sha256));
  }

  private async exists(path: string): Promise<boolean> {
    try {
      await stat(path);
      return true;
    } catch (error) {
      if (isMissing(error)) {
        return false;
      }
      throw error;
    }
  }
}
