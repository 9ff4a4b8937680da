import ExcelJS from 'exceljs';
import { Readable } from 'node:stream';

/** A person as the check needs them: the full number and the birth date it hides. */
export interface PersonFacts {
  idNumber: string;
  birthDate: string; // YYYY-MM-DD
}

const FULL_ID = /(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])/g;
const MASKED_ID = /([0-9]{6})\*{8}([0-9]{3}[0-9X])/g;

/**
 * Whether a text lets a reader rebuild a person's full ID number: the number itself, or a masked
 * number (610199********0777) together with the birth date it hides, in any of the usual spellings
 * (19881122, 1988-11-22, 1988/11/22, 1988.11.22, 1988年11月22日, with or without leading zeros).
 */
export class IdRebuildCheck {
  private readonly full = new Set<string>();
  private readonly byMask = new Map<string, RegExp[]>();

  constructor(persons: readonly PersonFacts[]) {
    for (const p of persons) {
      this.full.add(p.idNumber);
      const key = p.idNumber.slice(0, 6) + p.idNumber.slice(-4);
      this.byMask.set(key, [...(this.byMask.get(key) ?? []), birthDatePattern(p.birthDate)]);
    }
  }

  /** What in `text` rebuilds a number (empty when nothing does), each problem prefixed with `where`. */
  problems(text: string, where: string): string[] {
    const found: string[] = [];
    for (const [match] of text.matchAll(FULL_ID)) {
      if (this.full.has(match.toUpperCase())) {
        found.push(`${where}: a full ID number ${match.slice(0, 6)}…${match.slice(-4)}`);
      }
    }
    const masks = new Set([...text.matchAll(MASKED_ID)].map((m) => m[1] + m[2]));
    for (const mask of masks) {
      for (const pattern of this.byMask.get(mask) ?? []) {
        const hit = pattern.exec(text);
        if (hit) {
          found.push(`${where}: ${mask.slice(0, 6)}********${mask.slice(6)} beside its birth date "${hit[0]}"`);
        }
      }
    }
    return found;
  }
}

function birthDatePattern(birthDate: string): RegExp {
  const [y, m, d] = birthDate.split('-');
  const month = `0?${Number(m)}`;
  const day = `0?${Number(d)}`;
  return new RegExp(`(?<![0-9])${y}(?:${m}${d}|\\s*[-/.年]\\s*${month}\\s*[-/.月]\\s*${day})(?![0-9])`);
}

/** Every cell of every sheet of an XLSX file as text, one line per row (dates as YYYY-MM-DD). */
export async function xlsxText(content: Buffer): Promise<string> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.read(Readable.from([content]));
  const lines: string[] = [];
  workbook.eachSheet((sheet) => {
    sheet.eachRow((row) => {
      const cells: string[] = [];
      row.eachCell((cell) => {
        const value = cell.value;
        cells.push(value instanceof Date ? value.toISOString().slice(0, 10) : cell.text);
      });
      lines.push(cells.join(','));
    });
  });
  return lines.join('\n');
}
