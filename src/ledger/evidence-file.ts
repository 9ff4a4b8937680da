import { fileTypeFromFile } from 'file-type';
import { maskIdLike } from '../common/mask-id-like.js';
import { EVIDENCE_TYPES, type EvidenceType } from './attachment.entity.js';

/** The extension each evidence type is named with when the uploader gave no usable name. */
export const EVIDENCE_EXTENSIONS: Record<EvidenceType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'application/pdf': 'pdf',
};

/** Evidence types a thumbnail is made of (a PDF has none). */
export function hasThumbnail(type: EvidenceType): boolean {
  return type !== 'application/pdf';
}

/**
 * The evidence type of a file by its bytes (file-type reads the signature: JPEG's FF D8 FF, PNG's
 * 8-byte signature, PDF's `%PDF-`), whatever its name or the browser's Content-Type say. Anything
 * else — HTML or SVG (text: no signature), a zip, an empty file, an animated PNG — is null.
 */
export async function recogniseEvidence(path: string): Promise<EvidenceType | null> {
  const found = await fileTypeFromFile(path);
  return EVIDENCE_TYPES.find((type) => type === found?.mime) ?? null;
}

/** The longest name the attachments table holds (varchar(200), counted in characters). */
const NAME_MAX = 200;

/** Control characters, line and paragraph separators, bidi controls, zero-width characters and lone surrogates. */
const UNSHOWABLE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/gu;

/**
 * The name an uploaded file is kept and shown under: the last part of what the browser sent (never
 * a path), without control, bidi-override or zero-width characters, at most 200 characters, and
 * with every ID-number-like run masked (610102********1234) — a photo named after a resident's ID
 * number is common, and the name is shown, logged and written into the ledger for good. A name
 * that leaves nothing is 佐证材料.<ext>.
 */
export function evidenceName(original: string | undefined, type: EvidenceType): string {
  const base = (original ?? '').split(/[/\\]/).pop() ?? '';
  const clean = maskIdLike(base.normalize('NFC').replace(UNSHOWABLE, '')).trim();
  const chars = [...clean];
  if (chars.length === 0 || /^\.+$/.test(clean)) {
    return `佐证材料.${EVIDENCE_EXTENSIONS[type]}`;
  }
  return chars.length <= NAME_MAX ? clean : chars.slice(0, NAME_MAX).join('');
}

/**
 * A Content-Disposition header for a file name (RFC 6266): an ASCII `filename` for old clients
 * (other characters as _) and the UTF-8 `filename*` of RFC 5987 (照片.jpg).
 */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
