import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { AuthUser } from '../auth/auth-user.js';
import { hasPermission, Permission } from '../auth/roles.js';
import { PageQuery } from '../common/pagination.js';
import { HealthProfileService } from '../health/health-profile.service.js';
import {
  HOUSEHOLD_STATUS_LABELS,
  PERSON_STATUS_LABELS,
  POVERTY_CAUSE_LABELS,
  RELATION_LABELS,
} from '../households/household-labels.js';
import { ItemQueries } from '../ledger/item-queries.service.js';
import { REGISTRY_CHANGE_LABELS, registryStateText } from '../reconciliation/registry-change-labels.js';
import { RegistryChangesService } from '../reconciliation/registry-changes.service.js';
import { ChoicesService } from './choices.service.js';
import type { FieldErrors } from './forms.js';
import type { HealthRefusal } from './health-forms.js';
import { optionsOf } from './labels.js';
import { MemberHealthForms } from './member-health.js';

/** The registry changes a household page lists (the newest; the API pages through all of them). */
const CHANGES_SHOWN = 50;
/** The open items a household page lists (by deadline; the 整改台账 holds them all). */
const ITEMS_SHOWN = 50;

/** The household page's forms. */
export type HouseholdForm = 'household' | 'member' | 'status' | 'reveal';

/** A refused form of the household page: which (and for which member), what the user typed, and why. */
export interface HouseholdRefusal {
  form: HouseholdForm;
  personId?: number;
  values: Record<string, string>;
  errors: FieldErrors;
  message: string | null;
}

export interface HouseholdPageState {
  status?: number;
  refusal?: HouseholdRefusal;
  /** A full ID number just read with a reason (shown in place of the masked one, this response only). */
  revealed?: { personId: number; idNumber: string };
  done?: string | null;
  /** A health form's success (`?health=`) or refusal, shown in that member's block. */
  health?: { done?: unknown; refusal?: HealthRefusal | null };
}

/** What a successful form says after the redirect (`?done=`). */
const DONE: Record<string, string> = {
  created: '贫困户已登记。',
  updated: '户信息已保存。',
  member: '已新增家庭成员。',
  status: '成员状态已保存。',
};

const blank = { values: {}, errors: {}, message: null };

/**
 * The household page (户主姓名 · 户编号): the household, its open items, its registry changes, each
 * member with their health records; and the forms of the roles that may use them: 修改户信息,
 * 新增成员, each member's 状态变更 and 查看完整身份证号. A refused form comes back with what was typed.
 */
@Injectable()
export class HouseholdPage {
  constructor(
    private readonly profiles: HealthProfileService,
    private readonly registryChanges: RegistryChangesService,
    private readonly items: ItemQueries,
    private readonly choices: ChoicesService,
    private readonly healthForms: MemberHealthForms,
  ) {}

  async render(res: Response, user: AuthUser, id: number, state: HouseholdPageState = {}): Promise<void> {
    res.status(state.status ?? 200).render('households/show', await this.model(user, id, state));
  }

  private async model(user: AuthUser, id: number, state: HouseholdPageState) {
    const household = await this.healthForms.decorate(user, await this.profiles.forHousehold(user, id), state.health);
    const [changes, openItems, regions] = await Promise.all([
      this.registryChanges.ofHousehold(user, id, Object.assign(new PageQuery(), { page: 1, pageSize: CHANGES_SHOWN })),
      this.items.openAbout(
        user,
        id,
        household.members.map((m) => m.id),
        ITEMS_SHOWN,
      ),
      this.choices.regionChoices(user, true),
    ]);
    const editable = hasPermission(user.role, Permission.HouseholdsWrite);
    const refusal = state.refusal;
    const formOf = (form: HouseholdForm, personId?: number) =>
      refusal && refusal.form === form && refusal.personId === personId ? refusal : null;
    // The reconciliation is a link for those who work with the poverty register; the others read its number.
    const linked = hasPermission(user.role, Permission.PovertyReconciliationsRun);
    const head = household.headName ?? '（未登记户主）';
    return {
      title: `${head} · 户编号 ${household.registryNo}`,
      head,
      household,
      done: state.done && Object.hasOwn(DONE, state.done) ? DONE[state.done] : null,
      patients: household.members.filter((m) => m.conditions.length > 0).length,
      openItems,
      openItemsMore: openItems.length === ITEMS_SHOWN,
      can: { edit: editable, reveal: hasPermission(user.role, Permission.IdNumberReadFull) },
      options: {
        regions,
        causes: optionsOf(POVERTY_CAUSE_LABELS),
        statuses: optionsOf(HOUSEHOLD_STATUS_LABELS),
        relations: optionsOf(RELATION_LABELS),
        personStatuses: optionsOf(PERSON_STATUS_LABELS),
      },
      householdForm: formOf('household') ?? {
        ...blank,
        values: {
          regionCode: household.regionCode,
          povertyCause: household.povertyCause,
          status: household.status,
          registeredYear: String(household.registeredYear),
        },
      },
      // A refused form's version is the fresh record's: a resubmission after 已被他人修改 is deliberate.
      version: household.version,
      memberForm: formOf('member') ?? { ...blank, values: { relation: '' } },
      members: household.members.map((m) => ({
        ...m,
        statusForm: formOf('status', m.id) ?? {
          ...blank,
          values: { status: m.status, statusChangedOn: m.statusChangedOn ?? '' },
        },
        revealForm: formOf('reveal', m.id) ?? blank,
        fullIdNumber: state.revealed?.personId === m.id ? state.revealed.idNumber : null,
      })),
      registryChanges: changes.items.map((c) => ({
        ...c,
        linked,
        changeLabel: c.direction === 'out' ? '迁出本户' : REGISTRY_CHANGE_LABELS[c.change],
        beforeText: registryStateText(c.change, c.before),
        afterText: registryStateText(c.change, c.after),
        who: c.changedByName ?? `用户 #${c.changedById}`,
      })),
      registryChangesMore: changes.total > changes.items.length ? changes.total : null,
    };
  }
}
