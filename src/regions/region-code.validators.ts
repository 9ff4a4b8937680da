import { Matches } from 'class-validator';

/** A 12-digit statistical division code (省2 市2 县2 乡镇/街道3 村/社区3). */
export const REGION_CODE = /^\d{12}$/;

/** The property holds a 12-digit division code; `described` names it in the message ("regionCode must be …"). */
export const IsRegionCode = (
  property = 'regionCode',
  described = 'a 12-digit statistical division code',
): PropertyDecorator => Matches(REGION_CODE, { message: `${property} must be ${described}` });

/** The property holds the 12-digit code of a sub-district (its village digits 000). */
export const IsSubdistrictCode = (property = 'regionCode'): PropertyDecorator =>
  Matches(/^\d{9}000$/, { message: `${property} must be the 12-digit code of a sub-district (ending in 000)` });
