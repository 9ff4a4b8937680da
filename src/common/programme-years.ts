/**
 * The first years of the programme, each in one place (every DTO bound, check and page uses these).
 * 建档立卡 registration began in 2013: the first registered year of a household and of a campaign.
 */
export const FIRST_REGISTERED_YEAR = 2013;

/** The first insurance year (资助参保 of the registered households began in 2014): enrollments and reconciliations. */
export const FIRST_INSURANCE_YEAR = 2014;
