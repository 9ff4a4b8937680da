// The demo campaign's 佐证材料, made by code (no binary files in the repository): photos as coloured
// cards with their text drawn by sharp from an SVG overlay, and scanned forms as small PDFs. They
// are plainly marked as demo material (示范数据). The same description gives the same bytes.
import sharp from 'sharp';
import type { EvidenceType } from '../../ledger/attachment.entity.js';

/** A demo photo (a card standing for one) or a demo PDF (a one-page form). */
export type DemoEvidence =
  | { kind: 'photo'; name: string; title: string; caption: string; colour: string; takenOn: string }
  | { kind: 'pdf'; name: string; title: string; lines: string[] };

export interface DemoFile {
  name: string;
  type: EvidenceType;
  bytes: Buffer;
}

const escapeXml = (text: string): string =>
  text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

const FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";

/** An 800 × 600 JPEG: a coloured card with a simple scene, the title, the caption and the date. */
async function photo(e: Extract<DemoEvidence, { kind: 'photo' }>): Promise<Buffer> {
  const [width, height] = [800, 600];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <rect x="0" y="380" width="${width}" height="220" fill="#000" fill-opacity="0.18"/>
  <rect x="120" y="150" width="300" height="230" fill="#fff" fill-opacity="0.85" stroke="#333" stroke-width="4"/>
  <polygon points="100,160 270,60 440,160" fill="#b3261e" fill-opacity="0.85"/>
  <rect x="240" y="270" width="60" height="110" fill="#5d4037"/>
  <rect x="150" y="190" width="60" height="50" fill="#90caf9" stroke="#333" stroke-width="3"/>
  <rect x="330" y="190" width="60" height="50" fill="#90caf9" stroke="#333" stroke-width="3"/>
  <rect x="470" y="110" width="270" height="150" rx="10" fill="#fff" fill-opacity="0.9"/>
  <text x="605" y="170" font-family="${FONT}" font-size="26" text-anchor="middle" fill="#1f2933">示范数据</text>
  <text x="605" y="215" font-family="${FONT}" font-size="20" text-anchor="middle" fill="#616e7c">非真实照片</text>
  <text x="40" y="450" font-family="${FONT}" font-size="40" font-weight="bold" fill="#fff">${escapeXml(e.title)}</text>
  <text x="40" y="500" font-family="${FONT}" font-size="26" fill="#fff">${escapeXml(e.caption)}</text>
  <text x="${width - 40}" y="565" font-family="${FONT}" font-size="24" text-anchor="end" fill="#ffeb3b">${escapeXml(e.takenOn)}</text>
</svg>`;
  return sharp({ create: { width, height, channels: 3, background: e.colour } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .jpeg({ quality: 82 })
    .toBuffer();
}

/** UTF-16BE hex of a text, for the CJK font's UCS-2 encoding. */
const ucs2 = (text: string): string =>
  [...text].map((c) => c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()).join('');

/**
 * A one-page A5 PDF (a form, as a scan of it would read): the title and lines in Adobe's predefined
 * Chinese font STSong-Light (viewers supply it; nothing is embedded), a frame, and the demo mark.
 * Cross-reference offsets computed, so readers need not repair it.
 */
function pdf(e: Extract<DemoEvidence, { kind: 'pdf' }>): Buffer {
  const text = (x: number, y: number, size: number, line: string) =>
    `BT /F1 ${size} Tf ${x} ${y} Td <${ucs2(line)}> Tj ET`;
  const content = [
    '0.6 w 30 30 360 535 re S',
    text(50, 520, 18, e.title),
    ...e.lines.map((line, i) => text(50, 480 - i * 26, 12, line)),
    '0.5 0.5 0.5 rg',
    text(50, 50, 10, '示范数据，非真实文件'),
  ].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 420 595] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>',
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 /W [1 95 500] >>',
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** The file a demo description makes. */
export async function demoFile(e: DemoEvidence): Promise<DemoFile> {
  return e.kind === 'photo'
    ? { name: e.name, type: 'image/jpeg', bytes: await photo(e) }
    : { name: e.name, type: 'application/pdf', bytes: pdf(e) };
}
