// OpenSSH authorized_keys lines: split into options, type, key and comment, and check that the
// base64 really is a key of the type it claims (a pasted, truncated key fails at compile time).

export const KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;

export interface KeyLine {
  /** The options prefix as written (`from="10.0.0.1",no-pty`), or '' for none. */
  options: string;
  type: string;
  base64: string;
  comment: string;
}

/** What identifies a key: its type and bytes, never its options or comment. */
export const keyId = (k: KeyLine) => `${k.type} ${k.base64}`;

export const formatKeyLine = (k: KeyLine) => [k.options, k.type, k.base64, k.comment].filter(Boolean).join(' ');

// One option: a name, optionally ="value" where the value may hold \" and spaces.
const OPTION = String.raw`[A-Za-z0-9-]+(?:="(?:[^"\\]|\\.)*")?`;
const OPTIONS = new RegExp(`^${OPTION}(?:,${OPTION})*$`);

const NOT_A_KEY = 'not a key line (expected "[options] type base64 [comment]", e.g. "ssh-ed25519 AAAA… user@host")';

/** Parse one line; a string is the reason it is not a valid key line. */
export function parseKeyLine(line: string): KeyLine | string {
  const text = line.replace(/\r$/, '').trim();
  if (!text) return 'empty key line';
  let options = '';
  let rest = text;
  const first = text.split(/\s/, 1)[0];
  if (!(KEY_TYPES as readonly string[]).includes(first)) {
    // Options end at the first blank outside double quotes.
    let i = 0;
    for (let quoted = false; i < text.length && (quoted || !/\s/.test(text[i])); i++) {
      if (text[i] === '\\' && quoted) i++;
      else if (text[i] === '"') quoted = !quoted;
    }
    options = text.slice(0, i);
    rest = text.slice(i).trim();
    if (!rest) return NOT_A_KEY;
    if (!OPTIONS.test(options)) return `malformed options ${JSON.stringify(options)}`;
  }
  const [type = '', base64 = '', ...comment] = rest.split(/\s+/);
  if (!(KEY_TYPES as readonly string[]).includes(type)) {
    // What looked like options was the type when a key ("AAAA…") follows it directly.
    const named = /^AAAA/.test(type) && options ? options : type;
    if (options && rest.split(/\s+/).some((t) => (KEY_TYPES as readonly string[]).includes(t))) {
      return `malformed options: a blank outside double quotes before ${JSON.stringify(type)}`;
    }
    if (!/^[a-z0-9]+-[a-z0-9@.-]+$/.test(named)) return NOT_A_KEY;
    return `unknown key type ${JSON.stringify(named)} (known: ${KEY_TYPES.join(', ')})`;
  }
  const problem = checkBlob(type, base64);
  return problem ?? { options, type, base64, comment: comment.join(' ') };
}

/** The key blob is SSH wire format: a length-prefixed type string, then the key's own fields. */
function checkBlob(type: string, base64: string): string | undefined {
  if (!base64) return `missing the base64 key after ${type}`;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) return `the key after ${type} is not valid base64 (truncated or mangled?)`;
  const blob = Buffer.from(base64, 'base64');
  const len = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  if (len < 0 || 4 + len > blob.length) return `the key after ${type} is too short to be an SSH key`;
  const embedded = blob.subarray(4, 4 + len).toString('latin1');
  if (embedded !== type) return `the key says it is ${JSON.stringify(embedded)}, but the line says ${type}`;
  if (blob.length < 4 + len + 4 + 16) return `the ${type} key is truncated`;
  return undefined;
}

export interface FileLine {
  raw: string;
  /** Set when the line is a key (comments, blanks and unknown lines have none). */
  key?: KeyLine;
}

/** An existing file's lines; what we do not understand is kept as it is. */
export function parseKeysFile(text: string): FileLine[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((raw) => {
    if (!raw.trim() || raw.trim().startsWith('#')) return { raw };
    const key = parseKeyLine(raw);
    return typeof key === 'string' ? { raw } : { raw, key };
  });
}

export const joinLines = (lines: string[]) => (lines.length ? lines.join('\n') + '\n' : '');
