import { describe, expect, it } from 'vitest';
import { lex, readComment } from '../../src/mime/lexer.ts';

const kinds = (s: string) => lex(s).tokens.map((t) => `${t.kind}:${t.value}`);

describe('lex', () => {
  it('splits atoms, specials, quoted strings and literals', () => {
    expect(kinds('a.b@[1.2.3.4]')).toEqual(['atom:a', 'special:.', 'atom:b', 'special:@', 'literal:[1.2.3.4]']);
    expect(kinds('"x \\" y" <z>')).toEqual(['quoted:x " y', 'special:<', 'atom:z', 'special:>']);
  });

  it('skips nested comments and keeps them on the next token', () => {
    const { tokens, trailingComments } = lex('a (one (two) three) b (end)');
    expect(tokens.map((t) => t.value)).toEqual(['a', 'b']);
    expect(tokens[1].comments).toEqual(['one (two) three']);
    expect(tokens[1].space).toBe(true);
    expect(trailingComments).toEqual(['end']);
  });

  it('marks whether whitespace came before a token', () => {
    expect(lex('a.b c').tokens.map((t) => t.space)).toEqual([false, false, false, true]);
  });

  it('unfolds inside quoted strings and literals', () => {
    expect(kinds('"John\r\n Doe" [1.2.\r\n 3.4]')).toEqual(['quoted:John Doe', 'literal:[1.2.3.4]']);
  });

  it('reads UTF-8 as atext (RFC 6532)', () => {
    expect(kinds('J\u00f6rg@b\u00fccher.example')).toEqual(['atom:J\u00f6rg', 'special:@', 'atom:b\u00fccher', 'special:.', 'atom:example']);
  });

  it('runs unterminated constructs to the end and says so', () => {
    expect(lex('"abc').errors[0]).toMatch(/unterminated quoted string/);
    expect(lex('(abc').errors[0]).toMatch(/unterminated comment/);
    expect(lex('[1.2').errors[0]).toMatch(/unterminated domain literal/);
    expect(kinds('"abc')).toEqual(['quoted:abc']);
  });

  it('handles quoted-pairs in comments', () => {
    expect(readComment('(a \\) b)', 0)).toEqual({ text: 'a ) b', end: 8, closed: true });
  });

  it('survives deep nesting without recursion', () => {
    const deep = '('.repeat(100000) + ')'.repeat(100000) + 'x';
    expect(kinds(deep)).toEqual(['atom:x']);
  });
});
