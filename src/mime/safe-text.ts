// Text from a message or the network on its way to a terminal or into a
// header field we write. A bare CR in a DKIM d= can redraw a terminal line
// (a fake "[OK]"), and one in an EHLO name copied into a Received field ends
// that field for a parser that splits on CR (Python's email does): such
// characters never go out raw.
//
// - For a terminal: C0 and C1 controls, DEL, and the Unicode line separators
//   and bidirectional overrides (which reorder what is shown) are written as
//   visible escapes: \r, \n, \t, \xHH, \u{HHHH}.
// - For a header field: the same characters become '?', as Postfix does with
//   a HELO name (smtpd's printable()), so the field stays one field with the
//   meaning of its other characters.
// - For JSON: JSON.stringify already escapes C0; the others are escaped as
//   \uHHHH, which is the same JSON value.

/** Characters that control a terminal or reorder what it shows. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_ONE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** Those JSON.stringify leaves raw (it escapes U+0000-U+001F itself). */
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\r': '\\r', '\n': '\\n', '\t': '\\t' };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** Whether TEXT holds a character that must not reach a terminal or a header raw. */
export function hasUnsafeText(text: string): boolean {
  return UNSAFE_ONE.test(text);
}

/** TEXT for a terminal: unsafe characters as visible escapes (`\r`, `\x1b`, `\u{202e}`). */
export function terminalSafe(text: string): string {
  return UNSAFE_ONE.test(text) ? text.replace(UNSAFE, escapeOne) : text;
}

/** TEXT for a header field we write: unsafe characters (CR, LF, TAB included) as '?'. */
export function headerSafe(text: string): string {
  return UNSAFE_ONE.test(text) ? text.replace(UNSAFE, '?') : text;
}

/** JSON.stringify with the characters it leaves raw (C1, DEL, bidi, line separators) escaped too. */
export function safeJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
