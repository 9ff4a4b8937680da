import iconv from 'iconv-lite';
import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import { RosterFileError, type RosterEncoding, type RosterFormat } from './roster-file.js';

const SNIFF_BYTES = 64 * 1024;
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** GB18030 is the superset of GBK: names with rare characters decode too. */
export const GBK = 'gb18030';

/** The bytes up to the last complete UTF-8 sequence (a chunk may end inside a character). */
export function completeUtf8(buf: Buffer): number {
  for (let back = 1; back <= Math.min(4, buf.length); back++) {
    const byte = buf[buf.length - back];
    if ((byte & 0xc0) === 0x80) {
      continue; // a continuation byte: look further back for its lead
    }
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? buf.length - back : buf.length;
  }
  return buf.length;
}

/** CSV or XLSX, and for CSV its encoding, from the first bytes; throws RosterFileError for anything else. */
export async function sniffRoster(path: string): Promise<{ format: RosterFormat; encoding: RosterEncoding | null }> {
  const handle = await open(path, 'r');
  let head: Buffer;
  let size: number;
  try {
    size = (await handle.stat()).size;
    const buf = Buffer.alloc(Math.min(SNIFF_BYTES, size));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  if (head.length === 0) {
    throw new RosterFileError('文件是空的');
  }
  if (head.subarray(0, 4).equals(ZIP_MAGIC)) {
    return { format: 'xlsx', encoding: null };
  }
  if (head.subarray(0, 4).equals(OLE_MAGIC)) {
    throw new RosterFileError('文件是旧版 Excel 97–2003 工作簿（.xls），请另存为 .xlsx 或 CSV 后上传');
  }
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new RosterFileError('文件是 UTF-16 编码的文本，请另存为 UTF-8（或 GBK）编码的 CSV 后上传');
  }
  if (head.includes(0)) {
    throw new RosterFileError('文件既不是 CSV 也不是 XLSX（含有二进制内容）');
  }
  const text = head.subarray(head.subarray(0, 3).equals(UTF8_BOM) ? 3 : 0);
  if (text.toString('latin1').trim() === '') {
    throw new RosterFileError('文件是空的');
  }
  const checked = size > head.length ? text.subarray(0, completeUtf8(text)) : text;
  if (isUtf8(checked)) {
    return { format: 'csv', encoding: 'utf8' };
  }
  if (iconv.decode(head, GBK).includes('\uFFFD')) {
    throw new RosterFileError('文件既不是 UTF-8 也不是 GBK 编码的文本，请另存为 UTF-8 编码的 CSV 后上传');
  }
  return { format: 'csv', encoding: 'gbk' };
}
