import { ROLES } from '../auth/roles.js';
import {
  actionsFor,
  actsOnDepartment,
  allowsTransition,
  defaultDepartment,
  refusalOf,
  reviewedDepartments,
  reviewsDepartment,
} from './item-policy.js';

const open = { status: 'open', responsibleDept: 'health' } as const;
const inProgress = { status: 'in_progress', responsibleDept: 'health' } as const;
const closed = { status: 'closed', responsibleDept: 'health' } as const;
/** 销号 requested by user 7 (an officer), waiting for review. */
const pending = { status: 'pending_review', responsibleDept: 'health', closeRequestedById: 7 } as const;
const insurancePending = { ...pending, responsibleDept: 'insurance' } as const;

describe('item policy: the life cycle (SPEC §2, §6.2)', () => {
  it.each([
    ['start', 'open', true],
    ['start', 'in_progress', false],
    ['start', 'pending_review', false],
    ['start', 'closed', false],
    ['progress', 'open', true],
    ['progress', 'in_progress', true],
    ['progress', 'pending_review', false],
    ['progress', 'closed', false],
    ['attach', 'in_progress', true],
    ['attach', 'pending_review', false],
    ['attach', 'closed', false],
    ['assign', 'open', true],
    ['assign', 'pending_review', true],
    ['assign', 'closed', false],
    ['close', 'open', true],
    ['close', 'in_progress', true],
    ['close', 'pending_review', false],
    ['close', 'closed', false],
    ['review', 'open', false],
    ['review', 'in_progress', false],
    ['review', 'pending_review', true],
    ['review', 'closed', false],
    ['comment', 'open', true],
    ['comment', 'pending_review', true],
    ['comment', 'closed', true],
    ['reopen', 'open', false],
    ['reopen', 'in_progress', false],
    ['reopen', 'pending_review', false],
    ['reopen', 'closed', true],
    ['reassign', 'in_progress', true],
    ['reassign', 'pending_review', true],
    ['reassign', 'closed', false],
    ['deadline', 'open', true],
    ['deadline', 'pending_review', true],
    ['deadline', 'closed', false],
  ] as const)('%s from %s: %s', (action, status, allowed) => {
    expect(allowsTransition(action, status)).toBe(allowed);
  });
});

describe('item policy: the department rule', () => {
  it('insurance staff act on insurance items only; every other role on both departments', () => {
    for (const role of ROLES) {
      expect(actsOnDepartment(role, 'insurance')).toBe(true);
      expect(actsOnDepartment(role, 'health')).toBe(role !== 'insurance_reconciler');
    }
  });

  it('an item goes to 医保局 for 基本医保 and to 卫健局 otherwise', () => {
    expect(defaultDepartment('insurance')).toBe('insurance');
    expect(defaultDepartment('contract')).toBe('health');
    expect(defaultDepartment('other')).toBe('health');
  });

  it('refuses by department before status', () => {
    expect(refusalOf({ id: 1, role: 'insurance_reconciler' }, closed, 'close')).toBe('department');
    expect(refusalOf({ id: 1, role: 'subdistrict_officer' }, closed, 'close')).toBe('status');
    expect(refusalOf({ id: 1, role: 'subdistrict_officer' }, open, 'close')).toBeNull();
  });

  it('a close is reviewed by its department (卫健局 or 医保局) or an admin, no one else', () => {
    for (const role of ROLES) {
      expect(reviewsDepartment(role, 'health')).toBe(role === 'admin' || role === 'health_caseworker');
      expect(reviewsDepartment(role, 'insurance')).toBe(role === 'admin' || role === 'insurance_reconciler');
    }
    expect(refusalOf({ id: 1, role: 'insurance_reconciler' }, pending, 'review')).toBe('department');
    expect(refusalOf({ id: 1, role: 'health_caseworker' }, insurancePending, 'review')).toBe('department');
    expect(refusalOf({ id: 1, role: 'health_caseworker' }, pending, 'review')).toBeNull();
    expect(refusalOf({ id: 1, role: 'insurance_reconciler' }, insurancePending, 'review')).toBeNull();
    expect(refusalOf({ id: 1, role: 'health_caseworker' }, inProgress, 'review')).toBe('status');
  });

  it("gives each role the departments of its 待审核 list: the admin's both, a reviewer's own, others none", () => {
    expect(reviewedDepartments('admin')).toEqual(['health', 'insurance']);
    expect(reviewedDepartments('health_caseworker')).toEqual(['health']);
    expect(reviewedDepartments('insurance_reconciler')).toEqual(['insurance']);
    expect(reviewedDepartments('subdistrict_officer')).toEqual([]);
    expect(reviewedDepartments('viewer')).toEqual([]);
  });

  it('never by the requester, an admin included', () => {
    for (const role of ['admin', 'health_caseworker'] as const) {
      expect(refusalOf({ id: 7, role }, pending, 'review')).toBe('requester');
      expect(refusalOf({ id: 8, role }, pending, 'review')).toBeNull();
    }
    expect(refusalOf({ id: 7, role: 'insurance_reconciler' }, insurancePending, 'review')).toBe('requester');
  });

  it('anyone comments on any item in any status, whatever its department', () => {
    for (const role of ROLES) {
      for (const item of [open, pending, closed, insurancePending]) {
        expect(refusalOf({ id: 1, role }, item, 'comment')).toBeNull();
      }
    }
  });
});

describe('actionsFor', () => {
  it('a sub-district officer works an open item but neither reviews, reopens nor reassigns', () => {
    expect(actionsFor({ id: 1, role: 'subdistrict_officer' }, open)).toEqual([
      'start',
      'progress',
      'attach',
      'assign',
      'close',
      'comment',
    ]);
    expect(actionsFor({ id: 1, role: 'subdistrict_officer' }, inProgress)).toEqual([
      'progress',
      'attach',
      'assign',
      'close',
      'comment',
    ]);
    expect(actionsFor({ id: 7, role: 'subdistrict_officer' }, pending)).toEqual(['assign', 'comment']);
    expect(actionsFor({ id: 1, role: 'subdistrict_officer' }, closed)).toEqual(['comment']);
  });

  it('a caseworker and an admin also manage: reassign and deadline while not closed, reopen once closed', () => {
    for (const role of ['health_caseworker', 'admin'] as const) {
      expect(actionsFor({ id: 1, role }, open)).toEqual([
        'start',
        'progress',
        'attach',
        'assign',
        'close',
        'comment',
        'reassign',
        'deadline',
      ]);
      expect(actionsFor({ id: 1, role }, pending)).toEqual(['assign', 'review', 'comment', 'reassign', 'deadline']);
      expect(actionsFor({ id: 7, role }, pending)).toEqual(['assign', 'comment', 'reassign', 'deadline']);
      expect(actionsFor({ id: 1, role }, closed)).toEqual(['comment', 'reopen']);
    }
  });

  it('insurance staff work and review insurance items only, and comment on any', () => {
    expect(actionsFor({ id: 1, role: 'insurance_reconciler' }, open)).toEqual(['comment']);
    expect(actionsFor({ id: 1, role: 'insurance_reconciler' }, pending)).toEqual(['comment']);
    expect(actionsFor({ id: 1, role: 'insurance_reconciler' }, { ...open, responsibleDept: 'insurance' })).toEqual([
      'start',
      'progress',
      'attach',
      'assign',
      'close',
      'comment',
    ]);
    expect(actionsFor({ id: 1, role: 'insurance_reconciler' }, insurancePending)).toEqual([
      'assign',
      'review',
      'comment',
    ]);
    expect(actionsFor({ id: 1, role: 'insurance_reconciler' }, { ...closed, responsibleDept: 'insurance' })).toEqual([
      'comment',
    ]);
  });

  it('a viewer reads and comments only', () => {
    expect(actionsFor({ id: 1, role: 'viewer' }, open)).toEqual(['comment']);
    expect(actionsFor({ id: 1, role: 'viewer' }, pending)).toEqual(['comment']);
    expect(actionsFor({ id: 1, role: 'viewer' }, closed)).toEqual(['comment']);
  });
});
