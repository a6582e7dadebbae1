// Charset conversion to UTF-8 (RFC 2045 charset parameter, RFC 2047 words,
// RFC 2231 parameters). iconv-lite does the tables; this file names the
// charsets mail actually carries, adds ISO-2022-JP (which iconv-lite lacks),
// and guarantees the contract: bad bytes become U+FFFD, nothing throws, an
// unknown charset is read as UTF-8.

import iconv from 'iconv-lite';

const utf8Lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Names mail clients write that iconv-lite does not know, mapped to ones it does. */
const ALIASES: Record<string, string> = {
  'x-euc-jp': 'euc-jp',
  'x-euc': 'euc-jp',
  'x-sjis': 'shift_jis',
  'x-mac-roman': 'macintosh',
  'x-mac-cyrillic': 'maccyrillic',
  'x-windows-949': 'cp949',
  uhc: 'cp949',
  'ks_c_5601': 'cp949',
  'ks_c_5601-1987': 'cp949',
  'ks_c_5601-1989': 'cp949',
  'ksc5601': 'cp949',
  'ksc_5601': 'cp949',
  'euc-kr': 'cp949', // a superset; Outlook labels cp949 text euc-kr
  'x-gbk': 'gbk',
  gb2312: 'gbk', // a superset; real gb2312 mail often carries gbk bytes
  'gb_2312-80': 'gbk',
  'x-unicode-2-0-utf-7': 'utf-7',
  'unicode-1-1-utf-7': 'utf-7',
  'x-utf-7': 'utf-7',
  'x-user-defined': 'windows-1252',
  'iso-8859-8-i': 'iso-8859-8',
  'iso-8859-6-i': 'iso-8859-6',
  'iso-8859-8-e': 'iso-8859-8',
  'iso-8859-6-e': 'iso-8859-6',
  'tis620': 'tis-620',
  'ansi_x3.4-1968': 'windows-1252',
  // US-ASCII labelled mail very often carries Latin-1/Windows-1252 bytes; reading
  // them as windows-1252 keeps the text instead of turning it into U+FFFD.
  'us-ascii': 'windows-1252',
  ascii: 'windows-1252',
  'iso-8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'iso_8859-1': 'windows-1252',
  'iso8859-1': 'windows-1252',
};

/** Lower-cases, trims and unquotes a charset label; strips an RFC 2231 `*lang` suffix. */
export function normalizeCharsetName(charset: string | undefined): string {
  if (!charset) return '';
  let name = charset.trim().toLowerCase();
  if (name.length >= 2 && name.startsWith('"') && name.endsWith('"')) name = name.slice(1, -1).trim();
  const star = name.indexOf('*');
  if (star >= 0) name = name.slice(0, star);
  return name;
}

function isUtf8Name(name: string): boolean {
  return name === '' || name === 'utf-8' || name === 'utf8' || name === 'x-unknown' || name === 'unknown-8bit';
}

/** True when `charset` is one we convert from (rather than falling back to UTF-8). */
export function isKnownCharset(charset: string | undefined): boolean {
  const name = normalizeCharsetName(charset);
  if (isUtf8Name(name) || name.startsWith('iso-2022-jp') || name === 'csiso2022jp') return true;
  return iconv.encodingExists(ALIASES[name] ?? name);
}

/** Decodes `bytes` written in `charset` to a string. Never throws; bad bytes give U+FFFD. */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const name = normalizeCharsetName(charset);
  try {
    if (isUtf8Name(name)) return utf8Lenient.decode(bytes);
    if (name.startsWith('iso-2022-jp') || name === 'csiso2022jp') return decodeIso2022Jp(bytes);
    if (name === 'utf-16' || name === 'utf16' || name === 'ucs-2' || name === 'unicode') {
      return decodeUtf16(bytes);
    }
    const target = ALIASES[name] ?? name;
    if (!iconv.encodingExists(target)) return utf8Lenient.decode(bytes);
    return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), target, { stripBOM: true });
  } catch {
    return utf8Lenient.decode(bytes);
  }
}

/** Header bytes with no declared charset (RFC 6532): UTF-8 when valid, else Windows-1252. */
export function decodeHeaderBytes(bytes: Uint8Array): string {
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'windows-1252');
  }
}

/** UTF-16 with a BOM, or big-endian without one (RFC 2781 §4.3). */
function decodeUtf16(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return iconv.decode(buf.subarray(2), 'utf-16le');
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return iconv.decode(buf.subarray(2), 'utf-16be');
  return iconv.decode(buf, 'utf-16be');
}

const ESC = 0x1b;

/**
 * ISO-2022-JP (RFC 1468) and the common extensions (-1: JIS X 0212, half-width
 * katakana via ESC ( I or SO/SI). Each JIS double-byte set maps to EUC-JP by
 * setting the high bit, so the tables come from iconv-lite's euc-jp.
 */
function decodeIso2022Jp(bytes: Uint8Array): string {
  type Mode = 'ascii' | 'roman' | 'x0208' | 'x0212' | 'kana';
  let mode: Mode = 'ascii';
  let shiftOut = false;
  let out = '';
  let run: number[] = []; // EUC-JP bytes awaiting conversion
  const flush = (): void => {
    if (run.length) {
      out += iconv.decode(Buffer.from(run), 'euc-jp');
      run = [];
    }
  };
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b === ESC) {
      const s = String.fromCharCode(...bytes.subarray(i + 1, i + 4));
      let len = 0;
      if (s.startsWith('(B')) (mode = 'ascii'), (len = 3);
      else if (s.startsWith('(J') || s.startsWith('(H')) (mode = 'roman'), (len = 3);
      else if (s.startsWith('(I')) (mode = 'kana'), (len = 3);
      else if (s.startsWith('$@') || s.startsWith('$B')) (mode = 'x0208'), (len = 3);
      else if (s.startsWith('$(D')) (mode = 'x0212'), (len = 4);
      else if (s.startsWith('$(B') || s.startsWith('$(Q') || s.startsWith('$(O')) (mode = 'x0208'), (len = 4);
      else if (s.startsWith('&@')) len = 3; // JIS X 0208-1990 announcer, followed by ESC $ B
      if (len) {
        i += len;
        continue;
      }
      flush();
      out += '\ufffd';
      i++;
      continue;
    }
    if (b === 0x0e) {
      shiftOut = true;
      i++;
      continue;
    }
    if (b === 0x0f) {
      shiftOut = false;
      i++;
      continue;
    }
    if (b === 0x0a || b === 0x0d) {
      // A line end resets to ASCII in practice; be lenient and keep going.
      flush();
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    if (b >= 0x80) {
      flush();
      out += '\ufffd';
      i++;
      continue;
    }
    if (shiftOut || mode === 'kana') {
      if (b >= 0x21 && b <= 0x5f) run.push(0x8e, b | 0x80);
      else {
        flush();
        out += String.fromCharCode(b);
      }
      i++;
      continue;
    }
    if (mode === 'x0208' || mode === 'x0212') {
      if (b < 0x21 || b > 0x7e) {
        flush();
        out += String.fromCharCode(b);
        i++;
        continue;
      }
      const b2 = bytes[i + 1];
      if (b2 === undefined || b2 < 0x21 || b2 > 0x7e) {
        flush();
        out += '\ufffd';
        i++;
        continue;
      }
      if (mode === 'x0212') run.push(0x8f);
      run.push(b | 0x80, b2 | 0x80);
      i += 2;
      continue;
    }
    flush();
    if (mode === 'roman' && b === 0x5c) out += '\u00a5';
    else if (mode === 'roman' && b === 0x7e) out += '\u203e';
    else out += String.fromCharCode(b);
    i++;
  }
  flush();
  return out;
}
