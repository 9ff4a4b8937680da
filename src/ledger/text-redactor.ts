import { hasPermission, Permission, type Role } from '../auth/roles.js';
import { type DiagnosisAccess, diagnosisAccess, SENSITIVE_DISEASE } from '../health/diagnosis-access.js';

/** A catalogue disease, as the redactor needs it. */
export interface CatalogueName {
  name: string;
  sensitive: boolean;
}

/** What an item's texts may say about its subject: the names of its person, or of its household's members. */
export interface SubjectNames {
  names: readonly string[];
}

/** What stands for a hidden name, diagnosis, or masked ID number. */
export const HIDDEN = { name: '某某', diagnosis: '某病种', idNumber: '（身份证号已隐去）' } as const;

const MASKED_ID = /[0-9]{6}\*{4,}[0-9]{3}[0-9Xx]/g;
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** One alternation, longest first (耐多药肺结核 before 肺结核); null for nothing to match. */
const alternation = (words: readonly string[]): RegExp | null => {
  const list = [...new Set(words.filter((w) => w.length >= 2))].sort((a, b) => b.length - a.length);
  return list.length === 0 ? null : new RegExp(list.map(escape).join('|'), 'g');
};

/**
 * Texts about an item (title, description, resolution, ledger notes and payloads, notices) as a role
 * may read them (issue #12). Stored texts are never rewritten — the ledger is immutable — so what a
 * role may not read is taken out on the way out:
 *
 * - a role that may not read persons (the leadership) sees neither the subject's name(s) (某某) nor
 *   a masked ID number, nor — on an item about a person or household — any diagnosis (某病种);
 * - a role that does not treat sensitive diagnoses sees them as 敏感病种, on every item.
 */
export class TextRedactor {
  private readonly hidesNames: boolean;
  private readonly access: DiagnosisAccess;
  private readonly sensitive: RegExp | null;
  private readonly anyDisease: RegExp | null;

  constructor(role: Role, catalogue: readonly CatalogueName[]) {
    this.hidesNames = !hasPermission(role, Permission.PersonsRead);
    this.access = diagnosisAccess(role);
    this.sensitive = alternation(catalogue.filter((d) => d.sensitive).map((d) => d.name));
    this.anyDisease = alternation(catalogue.map((d) => d.name));
  }

  /** Whether this role reads everything as it is stored (nothing to take out). */
  get readsAll(): boolean {
    return !this.hidesNames && this.access === 'all';
  }

  /** `text` as the role may read it; `subject`: the item's person or household, null for none (or a region). */
  text(text: string, subject: SubjectNames | null): string {
    if (this.readsAll || text === '') {
      return text;
    }
    let out = text;
    if (this.access === 'none' && subject && this.anyDisease) {
      out = out.replace(this.anyDisease, HIDDEN.diagnosis);
    } else if (this.access !== 'all' && this.sensitive) {
      out = out.replace(this.sensitive, SENSITIVE_DISEASE.name);
    }
    if (this.hidesNames) {
      const names = subject && alternation(subject.names);
      if (names) {
        out = out.replace(names, HIDDEN.name);
      }
      out = out.replace(MASKED_ID, HIDDEN.idNumber);
    }
    return out;
  }

  /** A value of a ledger payload, its strings (at any depth) as the role may read them. */
  value(value: unknown, subject: SubjectNames | null): unknown {
    if (this.readsAll) {
      return value;
    }
    if (typeof value === 'string') {
      return this.text(value, subject);
    }
    if (Array.isArray(value)) {
      return value.map((v) => this.value(v, subject));
    }
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.value(v, subject)]));
    }
    return value;
  }
}
