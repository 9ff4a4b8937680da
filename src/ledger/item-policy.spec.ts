import { ROLES } from '../auth/roles.js';
import { actionsFor, actsOnDepartment, allowsTransition, defaultDepartment, refusalOf } from './item-policy.js';

const open = { status: 'open', responsibleDept: 'health' } as const;
const inProgress = { status: 'in_progress', responsibleDept: 'health' } as const;
const closed = { status: 'closed', responsibleDept: 'health' } as const;

describe('item policy: the life cycle (SPEC §2)', () => {
  it.each([
    ['start', 'open', true],
    ['start', 'in_progress', false],
    ['start', 'closed', false],
    ['progress', 'open', true],
    ['progress', 'in_progress', true],
    ['progress', 'closed', false],
    ['close', 'open', true],
    ['close', 'in_progress', true],
    ['close', 'closed', false],
    ['reopen', 'open', false],
    ['reopen', 'in_progress', false],
    ['reopen', 'closed', true],
    ['reassign', 'in_progress', true],
    ['reassign', 'closed', false],
    ['deadline', 'open', true],
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
});

describe('actionsFor', () => {
  it('a sub-district officer works an open item but neither reopens nor reassigns', () => {
    expect(actionsFor({ id: 1, role: 'subdistrict_officer' }, open)).toEqual(['start', 'progress', 'close']);
    expect(actionsFor({ id: 1, role: 'subdistrict_officer' }, inProgress)).toEqual(['progress', 'close']);
    expect(actionsFor({ id: 1, role: 'subdistrict_officer' }, closed)).toEqual([]);
  });

  it('a caseworker and an admin also manage: reassign and deadline while open, reopen once closed', () => {
    for (const role of ['health_caseworker', 'admin'] as const) {
      expect(actionsFor({ id: 1, role }, open)).toEqual(['start', 'progress', 'close', 'reassign', 'deadline']);
      expect(actionsFor({ id: 1, role }, closed)).toEqual(['reopen']);
    }
  });

  it('insurance staff work insurance items only', () => {
    expect(actionsFor({ id: 1, role: 'insurance_reconciler' }, open)).toEqual([]);
    expect(actionsFor({ id: 1, role: 'insurance_reconciler' }, { ...open, responsibleDept: 'insurance' })).toEqual([
      'start',
      'progress',
      'close',
    ]);
    expect(actionsFor({ id: 1, role: 'insurance_reconciler' }, { ...closed, responsibleDept: 'insurance' })).toEqual(
      [],
    );
  });

  it('a viewer reads only', () => {
    expect(actionsFor({ id: 1, role: 'viewer' }, open)).toEqual([]);
    expect(actionsFor({ id: 1, role: 'viewer' }, closed)).toEqual([]);
  });
});
