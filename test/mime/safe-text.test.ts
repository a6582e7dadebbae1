// src/mime/safe-text.ts: what may reach a terminal, a generated header field
// or a JSON document from a message. Expectations written by hand from the
// character tables (C0, DEL, C1, the bidi and line-separator controls).
import { describe, expect, it } from 'vitest';
import { hasUnsafeText, headerSafe, safeJson, terminalSafe } from '../../src/mime/safe-text.ts';

describe('terminalSafe', () => {
  it('writes CR, LF, TAB by name and other controls as \\xHH or \\u{HHHH}', () => {
    expect(terminalSafe('a\rb\nc\td')).toBe('a\\rb\\nc\\td');
    expect(terminalSafe('\x1b[2J\x00\x7f')).toBe('\\x1b[2J\\x00\\x7f');
    expect(terminalSafe('\u009b31m')).toBe('\\x9b31m');
    expect(terminalSafe('abc\u202egpj.exe')).toBe('abc\\u{202e}gpj.exe');
    expect(terminalSafe('x\u2028y')).toBe('x\\u{2028}y');
  });
  it('leaves printable text, UTF-8 and backslashes alone', () => {
    expect(terminalSafe('Ünïcødé ✓ a\\b')).toBe('Ünïcødé ✓ a\\b');
    expect(hasUnsafeText('plain text')).toBe(false);
    expect(hasUnsafeText('plain\rtext')).toBe(true);
  });
});

describe('headerSafe', () => {
  it('turns every control (CR, LF and TAB too) into ?', () => {
    expect(headerSafe('sel\rX-Injected: yes')).toBe('sel?X-Injected: yes');
    expect(headerSafe('a\r\n\tb\x1b\u0085')).toBe('a???b??');
    expect(headerSafe('mail.example.org')).toBe('mail.example.org');
  });
});

describe('safeJson', () => {
  it('escapes what JSON.stringify leaves raw and stays the same JSON value', () => {
    const v = { a: 'x\u009by\u202ez\u2028', b: ['\x7f'] };
    const text = safeJson(v, 0);
    expect(text).toBe('{"a":"x\\u009by\\u202ez\\u2028","b":["\\u007f"]}');
    expect(JSON.parse(text)).toEqual(v);
    expect(safeJson({ cr: '\r' }, 0)).toBe('{"cr":"\\r"}');
  });
});
