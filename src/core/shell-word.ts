// One POSIX shell word: a value quoted so that /bin/sh reads back exactly that value.

export function shellWord(value: unknown): string {
  if (value === undefined || value === null || typeof value === 'object') {
    throw new Error(`sh: expected a string or number, got ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a mapping' : 'nothing'}`);
  }
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}
