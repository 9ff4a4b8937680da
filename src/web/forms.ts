import { type ClassConstructor, plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';
import { AppError, ErrorCode } from '../common/app-error.js';
import { LedgerError } from '../ledger/ledger.errors.js';
import { LEDGER_REFUSALS, REFUSALS } from './error-messages.js';

/** A message per form field, in Chinese, for re-rendering the form next to each field. */
export type FieldErrors = Record<string, string>;

export interface FormSpec<T extends object> {
  /** The API's DTO: the page validates exactly what the API does. */
  dto: ClassConstructor<T>;
  /** The form's fields (the API's names) and how the page calls them. */
  labels: Record<string, string>;
  /** Fields the DTO wants as numbers (a form sends text). */
  integers?: readonly string[];
  /** Fields the DTO wants as decimal numbers (a reading such as 7.8). */
  decimals?: readonly string[];
  /** A field's message instead of the generic one (e.g. the rule of a pattern). */
  messages?: Record<string, string>;
  /** Fields the DTO wants as booleans (a select of 是 `true` / 否 `false`). */
  booleans?: readonly string[];
  /** Fields the page asks for though the API leaves them optional (the reason of a 移交). */
  required?: readonly string[];
}

export interface FormResult<T> {
  /** What the user typed, for the re-rendered form. */
  values: Record<string, string>;
  /** The validated DTO, or null when `errors` is not empty. */
  dto: T | null;
  errors: FieldErrors;
}

const ORDER = ['isIn', 'isInt', 'matches', 'minLength', 'maxLength', 'min', 'max'];

function constraintArgs(dto: ClassConstructor<object>, field: string, name: string): unknown[] {
  const meta = getMetadataStorage()
    .getTargetValidationMetadatas(dto, '', true, false)
    .find((m) => m.propertyName === field && m.name === name);
  return meta?.constraints ?? [];
}

/** The Chinese message for a field's first failed constraint. */
export function fieldMessage(dto: ClassConstructor<object>, error: ValidationError, label: string): string {
  const keys = Object.keys(error.constraints ?? {});
  if (error.value === undefined || error.value === null || error.value === '') {
    return keys.includes('isIn') ? `请选择${label}` : `请填写${label}`;
  }
  const key = [...ORDER, ...keys].find((k) => keys.includes(k)) ?? '';
  const [n] = constraintArgs(dto, error.property, key);
  switch (key) {
    case 'isIn':
      return `请选择有效的${label}`;
    case 'isInt':
      return `${label}必须是整数`;
    case 'minLength':
      return `${label}至少需要 ${String(n)} 个字`;
    case 'maxLength':
      return `${label}不能超过 ${String(n)} 个字`;
    case 'min':
      return `${label}不能小于 ${String(n)}`;
    case 'max':
      return `${label}不能大于 ${String(n)}`;
    case 'isCalendarDate':
      return `${label}必须是有效日期（年-月-日）`;
    case 'hasVisibleText':
      return `${label}至少需要 ${String(n)} 个可见的字`;
    default:
      return `${label}格式不正确`;
  }
}

/**
 * Reads a posted form through the API's DTO: takes only the form's fields (the `_csrf` field and
 * anything else is left out), treats an empty field as not given, turns digits (or decimals) into
 * numbers where the DTO wants them, and validates with the DTO's rules; each failed field gets a
 * Chinese message.
 */
export function readForm<T extends object>(spec: FormSpec<T>, body: unknown): FormResult<T> {
  const posted = (body ?? {}) as Record<string, unknown>;
  const values: Record<string, string> = {};
  const plain: Record<string, unknown> = {};
  for (const field of Object.keys(spec.labels)) {
    const raw = posted[field];
    const text = typeof raw === 'string' ? raw : '';
    values[field] = text;
    if (text.trim() === '') {
      continue;
    }
    const value = text.trim();
    const number =
      (spec.integers?.includes(field) && /^\d{1,9}$/.test(value)) ||
      (spec.decimals?.includes(field) && /^\d{1,6}(\.\d{1,6})?$/.test(value));
    plain[field] = number
      ? Number(value)
      : spec.booleans?.includes(field) && (text === 'true' || text === 'false')
        ? text === 'true'
        : text;
  }
  const dto = plainToInstance(spec.dto, plain);
  const errors: FieldErrors = {};
  for (const error of validateSync(dto, { whitelist: true })) {
    errors[error.property] =
      spec.messages?.[error.property] ?? fieldMessage(spec.dto, error, spec.labels[error.property] ?? error.property);
  }
  for (const field of spec.required ?? []) {
    if (!(field in errors) && values[field].trim() === '') {
      errors[field] = `请填写${spec.labels[field]}`;
    }
  }
  return { values, dto: Object.keys(errors).length === 0 ? dto : null, errors };
}

/**
 * What to tell the user when a service refused a page's action (error-messages.ts). "Not found" is
 * not a form error: it is rethrown and becomes the 404 page.
 */
export function refusalMessage(error: AppError): string {
  if (error.code === ErrorCode.NotFound) {
    throw error;
  }
  return error instanceof LedgerError ? LEDGER_REFUSALS[error.reason] : REFUSALS[error.code];
}

/** Runs a page's action; a refusal becomes a message for the form, anything else propagates. */
export async function attempt(action: () => Promise<unknown>): Promise<AppError | null> {
  try {
    await action();
    return null;
  } catch (error) {
    if (error instanceof AppError && error.code !== ErrorCode.NotFound) {
      return error;
    }
    throw error;
  }
}
