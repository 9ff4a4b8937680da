import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { hasPermission, Permission } from '../auth/roles.js';
import { TREATMENT_CATEGORIES, TREATMENT_STATUSES } from '../health/condition.entity.js';
import type { ConditionView } from '../health/conditions.service.js';
import { ConditionsService } from '../health/conditions.service.js';
import type { ContractView } from '../health/contracts.service.js';
import type { Disease } from '../health/disease.entity.js';
import { FOLLOW_UP_KINDS } from '../health/follow-up.entity.js';
import { DIABETES, FOLLOW_UP_RESULTS, HYPERTENSION } from '../health/follow-up-rules.js';
import type { HouseholdView } from '../health/health-profile.service.js';
import { formKey, HEALTH_DONE, HEALTH_FORMS, type HealthForm, type HealthRefusal } from './health-forms.js';
import {
  DISEASE_KIND_LABELS,
  FOLLOW_UP_KIND_LABELS,
  FOLLOW_UP_RESULT_LABELS,
  TREATMENT_CATEGORY_LABELS,
  TREATMENT_STATUS_LABELS,
} from './labels.js';

type Member = HouseholdView['members'][number];

interface Choice {
  value: string;
  label: string;
  selected: boolean;
}

/** A form's state: what it shows (the user's refused input, else the record's), its messages, open when refused. */
interface FormState {
  action: string;
  values: Record<string, string>;
  errors: Record<string, string>;
  message: string | null;
  open: boolean;
}

const choices = (table: Readonly<Record<string, string>>, codes: readonly string[], selected: string): Choice[] =>
  codes.map((value) => ({ value, label: table[value], selected: value === selected }));

/** `?health=<form>-<personId>`: the success line to show in that member's block after the redirect. */
function doneOf(done: unknown): { personId: number; text: string } | null {
  const match = typeof done === 'string' ? /^([a-z]+)-(\d{1,9})$/.exec(done) : null;
  if (!match || !(HEALTH_FORMS as readonly string[]).includes(match[1])) {
    return null;
  }
  return { personId: Number(match[2]), text: HEALTH_DONE[match[1] as HealthForm] };
}

/**
 * The health forms of each member's block on the household page (views/partials/member-health.hbs):
 * 新增患病, 变更救治状态 per condition, 家医签约, and 随访登记 and 续签 per contract — for the roles that
 * keep health records, each where the data it changes is shown; `health` is null for the others.
 */
@Injectable()
export class MemberHealthForms {
  constructor(private readonly conditions: ConditionsService) {}

  async decorate(
    user: AuthUser,
    household: HouseholdView,
    options: { done?: unknown; refusal?: HealthRefusal | null } = {},
  ): Promise<HouseholdView & { members: (Member & { health: ReturnType<MemberHealthForms['forms']> | null })[] }> {
    const writes = hasPermission(user.role, Permission.HealthWrite);
    const diseases = writes ? await this.conditions.diseases() : [];
    const done = doneOf(options.done);
    const refusal = options.refusal ?? null;
    return {
      ...household,
      members: household.members.map((m) => ({
        ...m,
        health: writes
          ? this.forms(household.id, m, diseases, refusal, done?.personId === m.id ? done.text : null)
          : null,
      })),
    };
  }

  private forms(
    householdId: number,
    m: Member,
    diseases: Disease[],
    refusal: HealthRefusal | null,
    done: string | null,
  ) {
    const base = `/households/${householdId}`;
    const state = (key: string, action: string, defaults: Record<string, string>): FormState =>
      refusal?.key === key
        ? { action, values: refusal.values, errors: refusal.errors, message: refusal.message, open: true }
        : { action, values: defaults, errors: {}, message: null, open: false };
    const active = m.status === 'active';
    const chronic = m.conditions.filter((c) => c.kind === 'chronic');
    const added = state(formKey('condition', m.id), `${base}/persons/${m.id}/conditions`, {});
    const signing = state(formKey('contract', m.id), `${base}/persons/${m.id}/contracts`, {});
    const ticked = (signing.values.diseaseCodes ?? '').split(',');
    return {
      done,
      addCondition: active
        ? {
            ...added,
            diseaseGroups: (['chronic', 'major'] as const).map((kind) => ({
              label: DISEASE_KIND_LABELS[kind],
              options: diseases
                .filter((d) => d.kind === kind)
                .map((d) => ({ value: d.code, label: d.name, selected: d.code === added.values.diseaseCode })),
            })),
            categories: choices(TREATMENT_CATEGORY_LABELS, TREATMENT_CATEGORIES, added.values.treatmentCategory ?? ''),
            statuses: choices(TREATMENT_STATUS_LABELS, TREATMENT_STATUSES, added.values.treatmentStatus ?? ''),
          }
        : null,
      conditions: m.conditions.map((c) => this.treatmentForm(base, c, state)),
      contract:
        active && chronic.length > 0
          ? {
              ...signing,
              choices: chronic.map((c) => ({
                value: c.diseaseCode,
                label: c.diseaseName,
                selected: signing.open ? ticked.includes(c.diseaseCode) : !covered(m.contracts, c.diseaseCode),
              })),
            }
          : null,
      contracts: m.contracts.map((c) => this.contractForms(base, m, c, state)),
    };
  }

  private treatmentForm(
    base: string,
    c: ConditionView,
    state: (key: string, action: string, defaults: Record<string, string>) => FormState,
  ) {
    const form = state(formKey('treatment', c.id), `${base}/conditions/${c.id}`, {
      treatmentStatus: c.treatmentStatus,
      confirmedOn: c.confirmedOn ?? '',
      hospital: c.hospital ?? '',
      treatmentStartedOn: c.treatmentStartedOn ?? '',
      declineReason: c.declineReason ?? '',
    });
    return {
      ...form,
      diseaseName: c.diseaseName,
      major: c.kind === 'major',
      version: c.version,
      statuses: choices(TREATMENT_STATUS_LABELS, TREATMENT_STATUSES, form.values.treatmentStatus ?? ''),
    };
  }

  private contractForms(
    base: string,
    m: Member,
    c: ContractView,
    state: (key: string, action: string, defaults: Record<string, string>) => FormState,
  ) {
    const open = c.status !== 'expired' && c.endedOn === null;
    const followUp = state(formKey('followup', c.id), `${base}/contracts/${c.id}/follow-ups`, {});
    const renew = state(formKey('renew', c.id), `${base}/contracts/${c.id}/renew`, {});
    return {
      id: c.id,
      title: `${c.institution} · ${c.doctorName}`,
      signedOn: c.signedOn,
      version: c.version,
      followUp:
        open && m.status === 'active'
          ? {
              ...followUp,
              bloodPressure: c.diseaseCodes.includes(HYPERTENSION),
              glucose: c.diseaseCodes.includes(DIABETES),
              kinds: choices(FOLLOW_UP_KIND_LABELS, FOLLOW_UP_KINDS, followUp.values.kind ?? ''),
              results: choices(FOLLOW_UP_RESULT_LABELS, FOLLOW_UP_RESULTS, followUp.values.result ?? 'visited'),
            }
          : null,
      renew: c.renewedById === null && c.endedOn === null && m.status === 'active' ? renew : null,
    };
  }
}

/** Whether a contract in force covers the disease (its box is then not ticked in advance). */
function covered(contracts: ContractView[], code: string): boolean {
  return contracts.some((c) => c.status !== 'expired' && c.diseaseCodes.includes(code));
}
