import type { RegionLevel } from './region.entity.js';

/** Significant digits of each level of a 12-digit division code (省2 市2 县6 乡镇/街道9 村/社区12). */
const LEVEL_LENGTHS = [2, 4, 6, 9, 12];

/** How many significant digits a code of each level has (县 6, 乡镇/街道 9, 村/社区 12). */
export const PREFIX_LENGTH: Record<RegionLevel, number> = { district: 6, subdistrict: 9, village: 12 };

/** The level a region of each level hangs under. */
export const PARENT_LEVEL: Record<RegionLevel, RegionLevel | null> = {
  district: null,
  subdistrict: 'district',
  village: 'subdistrict',
};

/**
 * The significant prefix of a 12-digit division code: 610199000000 → 610199 (the district and
 * everything under it), 610199001000 → 610199001, a village code → itself.
 */
export function regionPrefix(code: string): string {
  for (const length of LEVEL_LENGTHS) {
    if (/^0*$/.test(code.slice(length))) {
      return code.slice(0, length);
    }
  }
  return code;
}

/** The sub-district a 12-digit village or sub-district code belongs to. */
export function subdistrictOf(code: string): string {
  return code.slice(0, 9) + '000';
}

/** Whether a code is the code of a region of this level (its significant prefix has that level's length). */
export function isCodeOfLevel(code: string, level: RegionLevel): boolean {
  return regionPrefix(code).length === PREFIX_LENGTH[level];
}

/** Whether `code` lies under (or is) the region `ancestor`. */
export function isWithin(code: string, ancestor: string): boolean {
  return code.startsWith(regionPrefix(ancestor));
}
