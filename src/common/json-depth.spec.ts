import { nestsDeeperThan } from './json-depth.js';

const nested = (depth: number, open = '{"a":', close = '}') => open.repeat(depth) + '1' + close.repeat(depth);

describe('nestsDeeperThan', () => {
  it('counts objects and arrays, up to the limit and past it', () => {
    expect(nestsDeeperThan(nested(32), 32)).toBe(false);
    expect(nestsDeeperThan(nested(33), 32)).toBe(true);
    expect(nestsDeeperThan(nested(10_000, '[', ']'), 32)).toBe(true);
    expect(nestsDeeperThan('{"a":[1,2,{"b":[]}],"c":{}}', 4)).toBe(false);
    expect(nestsDeeperThan('{"a":[1,2,{"b":[]}],"c":{}}', 3)).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(JSON.stringify({ note: '[[[[[{{{{{' }), 1)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ note: 'say \\"[[[[\\" and \\\\' }), 1)).toBe(false);
    expect(nestsDeeperThan(Buffer.from(JSON.stringify({ 名: '【【[[' })), 1)).toBe(false);
  });
});
