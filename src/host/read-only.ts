// A view of a host with only its read side: what planning gets, so a plan cannot write.
import type { HostView } from './types.js';

export function readOnlyView(host: HostView): HostView {
  // A new object holding bound read methods only: no cast can reach exec or writeFile.
  return Object.freeze({
    name: host.name,
    facts: host.facts,
    readFile: host.readFile.bind(host),
    readBytes: host.readBytes.bind(host),
    stat: host.stat.bind(host),
    readdir: host.readdir.bind(host),
    hashFile: host.hashFile.bind(host),
    query: host.query.bind(host),
    scratch: host.scratch.bind(host),
    ...(host.predicted ? { predicted: host.predicted.bind(host) } : {}),
  });
}
