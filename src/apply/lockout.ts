import type { HostView } from '../host/types.js';
import type { PredictedHost } from '../host/predicted.js';

export interface Lockout {
  refused?: string;
  notes: string[];
}

export async function checkLockout(_real: HostView, _after: PredictedHost, _o: { user?: string }): Promise<Lockout> {
  return { notes: [] };
}
