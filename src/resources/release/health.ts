// The health check after a switch: one GET over gunicorn's socket (or loopback port) with the
// site's Host header. A refused connection is retried until the timeout (workers still
// starting); an HTTP answer outside 2xx/3xx fails at once.
import type { Host } from '../../host/types.js';
import type { HealthCheck } from './spec.js';

const SCRIPT = `
import http.client, socket, sys, time
sock, port, host, path, timeout = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
class UnixConnection(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(sock)
deadline = time.monotonic() + timeout
while True:
    left = max(deadline - time.monotonic(), 1)
    try:
        c = UnixConnection("localhost", timeout=left) if sock else http.client.HTTPConnection("127.0.0.1", int(port), timeout=left)
        c.request("GET", path, headers={"Host": host} if host else {})
        r = c.getresponse()
        body = r.read(2000).decode("utf-8", "replace")
        print(r.status, r.reason)
        print(body)
        sys.exit(0 if 200 <= r.status < 400 else 1)
    except (ConnectionError, FileNotFoundError) as e:
        if time.monotonic() >= deadline:
            print("no answer:", e)
            sys.exit(1)
        time.sleep(0.2)
    except OSError as e:
        print("no answer:", e)
        sys.exit(1)
`;

export async function healthCheck(host: Host, h: HealthCheck): Promise<{ ok: boolean; output: string }> {
  const argv = ['python3', '-c', SCRIPT, h.socket ?? '', String(h.port ?? ''), h.host ?? '', h.path, String(h.timeout)];
  const r = await host.exec(argv, { timeout: (h.timeout + 10) * 1000 });
  return { ok: r.exitCode === 0, output: (r.stdout + r.stderr).trim().slice(0, 2000) };
}
