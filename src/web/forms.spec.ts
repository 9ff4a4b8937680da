import { CreateUserDto } from '../auth/dto/create-user.dto.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { CloseItemDto, ProgressItemDto } from '../ledger/dto/item-actions.dto.js';
import { readForm, refusalMessage } from './forms.js';
import { pagerOf, safeNext } from './page-query.js';

const CLOSE = { dto: CloseItemDto, labels: { resolution: '整改情况', version: '版本' }, integers: ['version'] };

describe('page forms through the API DTOs', () => {
  it('accepts a valid form: digits become numbers, text is trimmed, _csrf is left out', () => {
    const form = readForm(CLOSE, { resolution: '  已完成整改  ', version: '3', _csrf: 'token', extra: 'x' });
    expect(form.errors).toEqual({});
    expect(form.dto).toBeInstanceOf(CloseItemDto);
    expect({ ...form.dto }).toEqual({ resolution: '已完成整改', version: 3 });
    expect(form.values).toEqual({ resolution: '  已完成整改  ', version: '3' });
  });

  it('names each bad field in Chinese with the DTO’s own limits', () => {
    expect(readForm(CLOSE, { resolution: '短', version: '3' }).errors).toEqual({
      resolution: '整改情况至少需要 4 个字',
    });
    expect(readForm(CLOSE, { resolution: '', version: 'x' }).errors).toEqual({
      resolution: '请填写整改情况',
      version: '版本必须是整数',
    });
    expect(readForm(CLOSE, { resolution: '很'.repeat(2001), version: '0' }).errors).toEqual({
      resolution: '整改情况不能超过 2000 个字',
      version: '版本不能小于 1',
    });
    const note = readForm({ dto: ProgressItemDto, labels: { note: '整改进展' } }, {});
    expect(note).toMatchObject({ dto: null, errors: { note: '请填写整改进展' }, values: { note: '' } });
  });

  it('uses a form’s own messages for patterns and asks to choose from a list', () => {
    const spec = {
      dto: CreateUserDto,
      labels: { username: '用户名', password: '密码', role: '角色', regionCode: '所属街道' },
      messages: { username: '用户名为 3–32 位字母、数字或 _ . -' },
    };
    const form = readForm(spec, { username: '张三', password: 'Abcdefgh-12', role: '' });
    expect(form.errors).toEqual({ username: '用户名为 3–32 位字母、数字或 _ . -', role: '请选择角色' });
    expect(readForm(spec, { username: 'zs', password: 'Abcdefgh-12', role: 'boss' }).errors.role).toBe(
      '请选择有效的角色',
    );
  });

  it('explains refusals, and rethrows "not found" for the 404 page', () => {
    expect(refusalMessage(new AppError(ErrorCode.VersionConflict, 'stale'))).toContain('已被他人修改');
    expect(() => refusalMessage(AppError.notFound('item 1'))).toThrow('item 1 not found');
  });
});

describe('page query helpers', () => {
  it('returns only to a path of this site after login', () => {
    expect(safeNext('/items/5?status=open')).toBe('/items/5?status=open');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', 'items', '/a b', undefined, 5]) {
      expect(safeNext(bad)).toBe('/');
    }
  });

  it('pages through a list keeping its filters', () => {
    const pager = pagerOf('/items', new URLSearchParams({ status: 'open' }), 2, 20, 45);
    expect(pager).toEqual({
      page: 2,
      pages: 3,
      total: 45,
      prev: '/items?status=open&page=1',
      next: '/items?status=open&page=3',
      first: 21,
      last: 40,
    });
    expect(pagerOf('/items', new URLSearchParams(), 1, 20, 0)).toMatchObject({
      pages: 1,
      prev: null,
      next: null,
      first: 0,
    });
  });
});
