import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';

describe('passwords', () => {
  it('verifies the hashes bcryptjs wrote before the native binding ($2b$ and $2a$)', async () => {
    const written = '$2b$10$QGs/sw3GAYi9CyBn3NR6meK3Q7hQ/xJK3XITQONMLARQOP0VLa1g2'; // bcryptjs 3, "Demo2020"
    await expect(verifyPassword('Demo2020', written)).resolves.toBe(true);
    await expect(verifyPassword('Demo2020', written.replace('$2b$', '$2a$'))).resolves.toBe(true);
    await expect(verifyPassword('Demo2021', written)).resolves.toBe(false);
    const fresh = await hashPassword('Fresh-pass-2020');
    expect(fresh).toMatch(/^\$2b\$10\$/);
    await expect(verifyPassword('Fresh-pass-2020', fresh)).resolves.toBe(true);
  });

  it.each([
    ['password1', 'length'],
    ['Short1', 'length'],
    ['x'.repeat(70) + '12', null],
    ['密'.repeat(24) + '1', 'length'], // 73 bytes: bcrypt would cut it
    ['no-digits-at-all', 'letters_and_digits'],
    ['1234567890123', 'letters_and_digits'],
    ['password123', 'common'],
    ['PASSWORD123', 'common'],
    ['Woaini1314', 'common'],
    ['Demo2020-x', null],
    ['城关街道工作2020', null],
    ['Right-pass1', null],
  ])('%s → %s', (password, problem) => {
    expect(passwordProblem(password)).toBe(problem);
  });

  it('wants at least 6 characters beside the username', () => {
    expect(passwordProblem('officer1-2020', 'officer1')).toBe('username');
    expect(passwordProblem('Admin-pass-2020', 'admin')).toBeNull();
  });
});
