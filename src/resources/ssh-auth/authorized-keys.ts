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
  // Still OpenSSH's name for DSA keys, which sshd has refused by default since 7.0.
  'ssh-dss',
] as const;

export const isKeyType = (t: string) => (KEY_TYPES as readonly string[]).includes(t);

export const unknownKeyType = (t: string) => `unknown key type ${JSON.stringify(t)} (known: ${KEY_TYPES.join(', ')})`;

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

const ONE_LINE = 'must be one line (it contains a line break)';

const NOT_A_KEY = 'not a key line (expected "[options] type base64 [comment]", e.g. "ssh-ed25519 AAAA… user@host")';

/** Parse one line; a string is the reason it is not a valid key line. */
export function parseKeyLine(line: string): KeyLine | string {
  const text = line.replace(/\r$/, '').trim();
  if (!text) return 'empty key line';
  // A line break inside would write a second line: a key the state never listed.
  if (/[\r\n]/.test(text)) return `a key line ${ONE_LINE}`;
  let options = '';
  let rest = text;
  const first = text.split(/\s/, 1)[0];
  if (!isKeyType(first)) {
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
  if (!isKeyType(type)) {
    // What looked like options was the type when a key ("AAAA…") follows it directly.
    const named = /^AAAA/.test(type) && options ? options : type;
    if (options && rest.split(/\s+/).some(isKeyType)) {
      return `malformed options: a blank outside double quotes before ${JSON.stringify(type)}`;
    }
    if (!/^[a-z0-9]+-[a-z0-9@.-]+$/.test(named)) return NOT_A_KEY;
    return unknownKeyType(named);
  }
  const problem = checkBlob(type, base64);
  return problem ?? { options, type, base64, comment: comment.join(' ') };
}

/**
 * The key blob is SSH wire format: a length-prefixed type string, then the key's own fields.
 * `claim` says where the type came from: the key line, or the state's `enc` for a bare key.
 */
function checkBlob(type: string, base64: string, claim: 'line' | 'enc' = 'line'): string | undefined {
  const key = claim === 'line' ? `the key after ${type}` : 'the key';
  if (!base64) return `missing the base64 key after ${type}`;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) return `${key} is not valid base64 (truncated or mangled?)`;
  const embedded = embeddedType(base64);
  if (embedded === undefined) return `${key} is too short to be an SSH key`;
  if (embedded !== type) return `the key says it is ${JSON.stringify(embedded)}, but ${claim === 'line' ? 'the line' : 'enc'} says ${type}`;
  if (Buffer.from(base64, 'base64').length < 4 + embedded.length + 4 + 16) return `the ${type} key is truncated`;
  return undefined;
}

/** The type a key blob names in its first field, if it is long enough to have one. */
function embeddedType(base64: string): string | undefined {
  const blob = Buffer.from(base64, 'base64');
  const len = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  return len < 0 || 4 + len > blob.length ? undefined : blob.subarray(4, 4 + len).toString('latin1');
}

/** Why one entry of a state's `options` list cannot go into a key line, if it cannot. */
export function checkOption(option: string): string | undefined {
  if (/[\r\n]/.test(option)) return ONE_LINE;
  if ((option.replace(/\\./g, '').match(/"/g) ?? []).length % 2) return `unbalanced double quotes in ${JSON.stringify(option)}`;
  if (!OPTIONS.test(option)) return `malformed option ${JSON.stringify(option)} (expected NAME or NAME="VALUE", e.g. no-pty or from="10.0.0.0/8")`;
  return undefined;
}

/** Why a state's `comment` cannot end a key line, if it cannot. */
export const checkComment = (comment: string) => (/[\r\n]/.test(comment) ? ONE_LINE : undefined);

/** A comment as `parseKeyLine` reads it back: blanks collapsed, so a re-plan finds it unchanged. */
export const normalComment = (comment: string) => comment.trim().split(/\s+/).filter(Boolean).join(' ');

/** What a state's `enc`, `options` and `comment` give to keys that leave them out. */
export interface KeyDefaults {
  /** A known type; null when the state's enc is unknown: the caller reports that once, and a bare key is then left out quietly. */
  enc?: string | null;
  /** The options joined with commas (see `checkOption`), '' or absent for none. */
  options?: string;
  /** Normalised (see `normalComment`), '' or absent for none. */
  comment?: string;
}

// Salt's bare form: the base64 blob, optionally followed by a comment. Every SSH key blob starts
// with a 4-byte length below 2^24, which is "AAAA" in base64.
const BARE = /^(AAAA[A-Za-z0-9+/]*=*)(?:\s+(.*))?$/s;

/**
 * One key as a state gives it (a key line, or a bare blob with an optional comment), completed
 * by the state's defaults. Strings are why it cannot be used; one is a part the key carries
 * itself while the argument says something else: that is reported, not silently resolved.
 */
export function keyFromState(text: string, d: KeyDefaults): KeyLine | string[] {
  const trimmed = text.trim();
  const bare = BARE.exec(trimmed);
  if (bare && /[\r\n]/.test(trimmed)) return [`a key ${ONE_LINE}`];
  if (bare && d.enc === null) return [];
  if (bare && !d.enc) {
    const says = embeddedType(bare[1]);
    return [`a bare key needs its type in enc${says && isKeyType(says) ? ` (this one says it is ${says})` : ''}`];
  }
  const parsed = bare ? { options: '', type: d.enc as string, base64: bare[1], comment: normalComment(bare[2] ?? '') } : parseKeyLine(trimmed);
  if (typeof parsed === 'string') return [parsed];
  const bad = bare ? checkBlob(parsed.type, parsed.base64, 'enc') : undefined;
  if (bad) return [bad];
  const problems: string[] = [];
  if (!bare && d.enc && d.enc !== parsed.type) problems.push(`the line is ${parsed.type}, but enc says ${d.enc}`);
  const merge = (part: 'options' | 'comment') => {
    const given = d[part] ?? '';
    if (given && parsed[part] && given !== parsed[part]) problems.push(`the line has ${part} ${JSON.stringify(parsed[part])}, but ${part} says ${JSON.stringify(given)}`);
    return parsed[part] || given;
  };
  const key = { ...parsed, options: merge('options'), comment: merge('comment') };
  return problems.length ? problems : key;
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
