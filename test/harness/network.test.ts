// Who made a bridge: read from its alias, so only its maker (or the sweep, once it is gone) deletes it.
import { describe, expect, it } from 'vitest';
import { parseBridgeAlias, slot } from './network.js';

describe('bridge ownership', () => {
  it('reads the maker from the alias; an older plain alias is ours but of unknown maker; others are not ours', () => {
    expect(parseBridgeAlias('brine-testhost 4242-987654')).toEqual({ pid: 4242, start: 987654 });
    expect(parseBridgeAlias('brine-testhost')).toBe('unknown');
    expect(parseBridgeAlias('')).toBeNull();
    expect(parseBridgeAlias('docker bridge')).toBeNull();
    expect(parseBridgeAlias('brine-testhost 4242')).toBeNull();
  });

  it('names the slot’s veth as systemd-nspawn does', () => {
    expect(slot(7)).toMatchObject({ name: 'th7', bridge: 'th7-br', veth: 'vb-th7' });
  });
});
