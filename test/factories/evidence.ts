import { createHash } from 'node:crypto';
import { join } from 'node:path';
import sharp from 'sharp';

/** sha256 (hex) of bytes, as the ledger writes it. */
export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Where the content-addressed store keeps a file (UPLOAD_DIR/evidence/ab/<sha256>). */
export const storedPath = (uploadDir: string, hash: string): string =>
  join(uploadDir, 'evidence', hash.slice(0, 2), hash);

/** A real JPEG photo (a coloured frame with a white square, so each one differs), made by sharp. */
export function photoJpeg(background: string, width = 640, height = 480): Promise<Buffer> {
  const square = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect x="${width / 4}" y="${height / 4}" width="${width / 3}" height="${height / 3}" fill="#fff"/></svg>`,
  );
  return sharp({ create: { width, height, channels: 3, background } })
    .composite([{ input: square }])
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** A real PNG image. */
export function photoPng(background: string, width = 480, height = 640): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background } })
    .png()
    .toBuffer();
}

/** A minimal valid one-page PDF with its cross-reference table computed. */
export function pdfDocument(label: string): Buffer {
  const content = `BT /F1 18 Tf 20 50 Td (${label.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}
