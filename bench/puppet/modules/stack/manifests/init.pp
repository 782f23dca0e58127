# brine's shipped stack (states/ with pillar/) as a Puppet class, for the benchmark only: the
# same resources in the same order, each as Puppet's own types manage it, and the same data
# ($pillar, $secrets and $release come from hiera: the merged pillar brine computes, what its
# secrets.yaml files hold, and the example app's release brine deploys, staged by bench/stage.ts).
# Resources apply in manifest order (Puppet's default ordering), as brine and Ansible run theirs.
class stack (Hash $pillar, Hash $secrets, Hash $release) {
  $devs = $pillar['devs']
  $sudo_devs = $devs.filter |$name, $dev| { $dev['sudo'] }.keys
  $absent = $pillar['devs_absent']

  # --- users (states/users) ---
  if $devs.filter |$name, $dev| { $dev['sudo'] and !empty($dev['public_keys']) }.empty {
    fail('lockout guard: no developer in pillar/devs.yaml has both `sudo: true` and a public key')
  }
  $absent.each |$name| {
    if $name in $devs { fail("'${name}' is listed both in devs and in devs_absent (pillar/devs.yaml): remove one") }
  }

  # As brine's pkg.installed (install_recommends: false): only the packages named and what they
  # depend on (a resource default: every package of this class).
  Package { install_options => ['--no-install-recommends'] }

  package { 'sudo': ensure => installed }

  $devs.each |$name, $dev| {
    # purge_ssh_keys: exactly the keys below, as ssh_auth.manage.
    user { $name:
      ensure         => present,
      shell          => '/bin/bash',
      managehome     => true,
      expiry         => absent,
      purge_ssh_keys => true,
    }
    $dev['public_keys'].each |$line| {
      $parts = split($line, ' ')
      ssh_authorized_key { join($parts[2, -1], ' '):
        ensure => present,
        user   => $name,
        type   => $parts[0],
        key    => $parts[1],
      }
    }
    if $dev['sudo'] {
      file { "/etc/sudoers.d/${name}":
        content      => "# Managed by brine (states/users): ${name} has sudo: true in pillar/devs.yaml\n${name} ALL=(ALL:ALL) NOPASSWD: ALL\n",
        mode         => '0440',
        validate_cmd => '/usr/sbin/visudo -cf %',
        require      => Package['sudo'],
      }
    } else {
      file { "/etc/sudoers.d/${name}": ensure => absent }
    }
  }

  $absent.each |$name| {
    user { $name:
      ensure         => present,
      shell          => '/bin/bash',
      managehome     => true,
      expiry         => '1970-01-02',
      purge_ssh_keys => true,
    }
    exec { "lock ${name}":
      command => ['/usr/sbin/usermod', '-L', $name],
      unless  => "/usr/bin/passwd -S ${name} | /bin/grep -q ' L '",
      require => User[$name],
    }
    file { "/etc/sudoers.d/${name}": ensure => absent }
  }

  # Exact members (auth_membership): Puppet's groupadd provider manages members through libuser.
  group { 'sshusers':
    system          => true,
    members         => $devs.keys,
    auth_membership => true,
  }
  group { 'sshadmins':
    system          => true,
    members         => $sudo_devs,
    auth_membership => true,
  }

  # sudoers files this stack wrote for someone no longer a developer with sudo (as states/users).
  exec { 'stale-sudoers':
    command => ['/bin/sh', '-c', 'for f in $(grep -l "^# Managed by brine (states/users)" /etc/sudoers.d/* 2>/dev/null); do case " $* " in *" ${f##*/} "*) ;; *) rm -f -- "$f" ;; esac; done', 'stale-sudoers'] + $sudo_devs,
    onlyif  => [['/bin/sh', '-c', 'for f in $(grep -l "^# Managed by brine (states/users)" /etc/sudoers.d/* 2>/dev/null); do case " $* " in *" ${f##*/} "*) ;; *) exit 0 ;; esac; done; exit 1', 'stale-sudoers'] + $sudo_devs],
    require => Package['sudo'],
  }

  # --- sshd (states/sshd) ---
  file { '/etc/ssh/sshd_config.d/10-brine.conf':
    content      => epp('stack/10-brine.conf.epp', { settings => $pillar.dig('sshd', 'settings').lest || { {} } }),
    mode         => '0644',
    validate_cmd => '/usr/sbin/sshd -t -f %',
    notify       => Service['ssh'],
  }
  service { 'ssh':
    ensure  => running,
    enable  => true,
    restart => '/bin/systemctl reload ssh',
  }
  file { ['/etc/ssh/ssh_host_ecdsa_key', '/etc/ssh/ssh_host_ecdsa_key.pub']:
    ensure  => absent,
    require => Service['ssh'],
  }
  exec { 'sshd-moduli-3072':
    command  => "awk '/^#/ || \$5 >= 3071' /etc/ssh/moduli > /etc/ssh/moduli.brine-new && chmod 644 /etc/ssh/moduli.brine-new && mv /etc/ssh/moduli.brine-new /etc/ssh/moduli",
    unless   => "awk '!/^#/ && \$5 < 3071 { found = 1 } END { exit found }' /etc/ssh/moduli",
    provider => shell,
    require  => File['/etc/ssh/sshd_config.d/10-brine.conf'],
  }

  # --- firewall (states/firewall) ---
  # Puppet has no ufw type (Debian ships no ufw module): each change is an exec, guarded by
  # reading ufw's own files, as brine plans from them, rather than running `ufw status`.
  package { 'ufw': ensure => installed }

  exec { 'ufw default deny incoming':
    command => '/usr/sbin/ufw default deny incoming',
    unless  => '/bin/grep -qx \'DEFAULT_INPUT_POLICY="DROP"\' /etc/default/ufw',
    require => Package['ufw'],
  }
  exec { 'ufw default allow outgoing':
    command => '/usr/sbin/ufw default allow outgoing',
    unless  => '/bin/grep -qx \'DEFAULT_OUTPUT_POLICY="ACCEPT"\' /etc/default/ufw',
    require => Package['ufw'],
  }

  $extra = ($pillar.dig('firewall', 'allow').lest || { [] }).map |$rule| {
    $rule ? {
      Hash    => { port => String($rule['port']), proto => $rule.dig('proto').lest || { 'tcp' }, from => $rule.dig('from').lest || { 'any' }, comment => $rule.dig('comment').lest || { 'env pillar firewall.allow (brine)' } },
      default => { port => String($rule), proto => 'tcp', from => 'any', comment => 'env pillar firewall.allow (brine)' },
    }
  }
  $rules = [
    { port => '22', proto => 'tcp', from => 'any', comment => 'ssh (brine)' },
    { port => '80', proto => 'tcp', from => 'any', comment => 'http (brine)' },
    { port => '443', proto => 'tcp', from => 'any', comment => 'https (brine)' },
  ] + $extra

  $rules.each |$r| {
    # ufw keeps each rule as a "### tuple ###" line (comment hex-encoded), IPv6 ones in user6.rules.
    $hex = inline_template('<%= @r["comment"].unpack("H*")[0] %>')
    $v4 = "### tuple ### allow ${r['proto']} ${r['port']} 0.0.0.0/0 any ${r['from'] ? { 'any' => '0.0.0.0/0', default => $r['from'] }} in comment=${hex}"
    $v6 = $r['from'] ? { 'any' => "### tuple ### allow ${r['proto']} ${r['port']} ::/0 any ::/0 in comment=${hex}", default => '' }
    exec { "ufw allow ${r['proto']} ${r['port']} from ${r['from']}":
      command => ['/usr/sbin/ufw', 'allow', 'proto', $r['proto'], 'from', $r['from'], 'to', 'any', 'port', $r['port'], 'comment', $r['comment']],
      unless  => [['/bin/sh', '-c', 'grep -qxF "$1" /etc/ufw/user.rules && { [ -z "$2" ] || grep -qxF "$2" /etc/ufw/user6.rules; }', 'ufw-rule', $v4, $v6]],
      require => Package['ufw'],
      before  => Exec['ufw enable'],
    }
  }

  exec { 'ufw enable':
    command => '/usr/sbin/ufw --force enable',
    unless  => '/bin/grep -qx ENABLED=yes /etc/ufw/ufw.conf',
    require => [Exec['ufw default deny incoming'], Exec['ufw default allow outgoing']],
  }

  # --- app (states/app) ---
  $app = $pillar['project_name']
  $root = "/srv/${app}"
  user { $app:
    ensure     => present,
    system     => true,
    home       => $root,
    managehome => false,
    shell      => '/usr/sbin/nologin',
  }

  # `python3 -m venv` (with the wheels of pip it installs offline), as the gunicorn state.
  package { ['gunicorn', 'python3-venv']: ensure => installed }
  # Debian packages the app needs (app.packages).
  package { $pillar.dig('app', 'packages').lest || { [] }: ensure => installed }
  # Database and cache clients for the example app.
  package { ['python3-psycopg2', 'python3-redis']:
    ensure => installed,
    notify => Service[$app],
  }

  # The code belongs to root: the app may read it, never change it.
  file { $root:
    ensure => directory,
    owner  => 'root',
    group  => 'root',
    mode   => '0755',
  }
  # Data outside the releases, owned by the app (the release hooks' migrate writes here).
  $data_dirs = ($pillar.dig('app', 'data_dirs').lest || { [] }).map |$d| { "/var/lib/${app}/${d}" }
  file { ["/var/lib/${app}"] + $data_dirs:
    ensure  => directory,
    owner   => $app,
    group   => $app,
    mode    => '0750',
    require => User[$app],
  }
  file { "/etc/${app}":
    ensure => directory,
    owner  => 'root',
    group  => 'root',
    mode   => '0700',
  }
  # The pillar's app.env, then every key of the env's secrets (which wins) but tls, db, redis and
  # backups, quoted as systemd reads it. No diff, no filebucket copy.
  $app_env = (($pillar.dig('app', 'env').lest || { {} }) + $secrets).filter |$key, $value| { !($key in ['tls', 'db', 'redis', 'backups']) }
  file { "/etc/${app}/env":
    content   => epp('stack/env.epp', { env => $app_env }),
    owner     => 'root',
    group     => 'root',
    mode      => '0600',
    show_diff => false,
    backup    => false,
  }
  # No validate_cmd: systemd-analyze wants the unit under its own name, validate_cmd gets a temp file.
  file { "/etc/systemd/system/${app}.service":
    content => epp('stack/app.service.epp', { pillar => $pillar }),
    mode    => '0644',
    require => Package['gunicorn'],
  }
  # The deploy below may start the service before the service resource would reload systemd.
  exec { 'systemctl daemon-reload':
    command     => ['/bin/systemctl', 'daemon-reload'],
    refreshonly => true,
    subscribe   => File["/etc/systemd/system/${app}.service"],
  }

  # --- the release (release.deployed in states/app: src/resources/release) ---
  # brine's layout: /srv/<app>/releases/<id> (root's, readable by the app), the virtualenv of its
  # requirements in /srv/<app>/venvs/<key> (pillar.json names it as brine does: one per distinct
  # requirements and pip options), `<release>/.venv` → it, and `current` → releases/<id>.
  # brine's own records (.brine-release.json, deploys.jsonl) and its pruning of old releases
  # (keep_releases) have no counterpart here: the benchmark deploys one release per host.
  $id = $release['id']
  $dir = "${root}/releases/${id}"
  $unpack = "${root}/releases/.unpack-${id}"
  $venv = $release['venv']
  $complete = "${venv}/.brine-complete"
  file { ["${root}/releases", "${root}/venvs"]:
    ensure => directory,
    owner  => 'root',
    group  => 'root',
    mode   => '0755',
  }

  # Unpacked whole or not at all, as brine: into a scratch directory, renamed into place. Stored
  # owners and modes are dropped (umask 022): root's files, readable by everyone, writable by
  # nobody else (brine's seal).
  exec { "unpack release ${id}":
    command => ['/bin/tar', '-x', '--no-same-owner', '--no-same-permissions', '-f', $release['archive'], '-C', "${root}/releases", "--one-top-level=.unpack-${id}"],
    creates => $dir,
    umask   => '0022',
    require => File["${root}/releases"],
  }
  exec { "release ${id}: .venv → ${venv}":
    command => ['/bin/ln', '-sfn', $venv, "${unpack}/.venv"],
    creates => $dir,
  }
  exec { "release ${id} in place":
    command => ['/bin/mv', '-T', $unpack, $dir],
    creates => $dir,
  }

  # Debian's `python3 -m venv` (app.system_site_packages), then pip install -r with
  # app.pip.extra_args (--no-index); index URLs reach pip through its environment, never argv.
  # brine marks a finished virtualenv (.brine-complete) and builds one without the mark anew.
  $pip = $pillar.dig('app', 'pip').lest || { {} }
  # find_links relative to the release name its directories (a wheelhouse), as in brine.
  $find_links = ($pip['find_links'].lest || { [] }).map |$f| { $f =~ /^([a-z]+:|\/)/ ? { true => $f, default => "${dir}/${f}" } }
  $pip_env = ($pip['index_url'] ? { undef => [], default => ["PIP_INDEX_URL=${pip['index_url']}"] }) + ($find_links.empty ? {
    true    => [],
    default => ["PIP_FIND_LINKS=${find_links.join(' ')}"],
  })
  $site_packages = $pillar.dig('app', 'system_site_packages') ? { true => ['--system-site-packages'], default => [] }
  exec { "virtualenv ${venv}":
    command => ['/usr/bin/python3', '-m', 'venv'] + $site_packages + [$venv],
    creates => $complete,
    umask   => '0022',
    require => File["${root}/venvs"],
  }
  if $release['requirements'] {
    exec { "pip install -r ${release['requirements']} into ${venv}":
      command     => ["${venv}/bin/python", '-m', 'pip', 'install', '--no-input', '--disable-pip-version-check'] + ($pip['extra_args'].lest || { [] }).map |$a| { split($a, ' ') }.flatten + ['-r', "${dir}/${release['requirements']}"],
      environment => $pip_env,
      creates     => $complete,
      umask       => '0022',
      timeout     => 600,
      require     => Exec["virtualenv ${venv}"],
      before      => File[$complete],
    }
  }
  file { $complete:
    ensure  => file,
    owner   => 'root',
    group   => 'root',
    mode    => '0644',
    require => Exec["virtualenv ${venv}"],
  }

  # Hooks, switch and health check only for a release that is not current yet, as brine.
  $is_current = [['/usr/bin/test', "${root}/current", '-ef', $dir]]
  exec { "release ${id} belongs to ${app} while its hooks run":
    command => ['/bin/chown', '-R', "${app}:", '--', $dir],
    unless  => $is_current,
    require => [Exec["release ${id} in place"], File[$complete]],
  }
  # migrate, collectstatic: in the release, as the app user (runuser: its shell is nologin), with
  # the app's environment file's variables and APP_ENVIRONMENT, the virtualenv first on PATH; a
  # first word naming a file of the release runs that file.
  $hooks = $pillar.dig('app', 'release_hooks').lest || { [] }
  $hooks.each |$hook| {
    $words = split(strip($hook), /\s+/)
    $program = ($words[0] =~ /\// or !($words[0] in $release['files'])) ? { true => $words[0], default => "./${words[0]}" }
    exec { "release hook: ${hook}":
      command     => ['/usr/sbin/runuser', '-u', $app, '--', '/usr/bin/env', "PATH=${venv}/bin:/usr/local/bin:/usr/bin:/bin", "VIRTUAL_ENV=${venv}", $program] + $words[1, -1],
      cwd         => $dir,
      environment => $app_env.map |$key, $value| { "${key}=${value}" } + ["APP_ENVIRONMENT=${pillar['environment']}"],
      umask       => '0022',
      timeout     => 600,
      unless      => $is_current,
      require     => Exec["release ${id} belongs to ${app} while its hooks run"],
    }
  }
  $hooks_ran = $hooks.map |$hook| { Exec["release hook: ${hook}"] }
  # Root's again, hooks failed or not (manifest order, no dependency on them).
  exec { "release ${id} is root's again":
    command => ['/bin/chown', '-R', 'root:root', '--', $dir],
    unless  => $is_current,
  }
  exec { "release ${id} read-only to others":
    command => ['/bin/chmod', '-R', 'u+rwX,go+rX,go-w', '--', $dir],
    unless  => $is_current,
  }

  # The switch, only after every hook succeeded: the current release becomes previous, and
  # current moves atomically (a new link renamed over the old one).
  exec { "previous is the release before ${id}":
    command => ['/bin/cp', '-P', '-T', '--remove-destination', "${root}/current", "${root}/previous"],
    onlyif  => [['/usr/bin/test', '-L', "${root}/current"]],
    unless  => $is_current,
    require => $hooks_ran,
  }
  exec { "new link to release ${id}":
    command => ['/bin/ln', '-sfn', "releases/${id}", "${root}/.current.new"],
    unless  => $is_current,
    require => $hooks_ran,
  }
  exec { "current is release ${id}":
    command => ['/bin/mv', '-T', "${root}/.current.new", "${root}/current"],
    unless  => $is_current,
    require => $hooks_ran,
  }
  # Started if stopped, else reloaded (gunicorn's HUP). brine restarts instead when the virtualenv
  # changed; Puppet cannot tell which one the old release had (the benchmark's deploy is a start).
  exec { "${app} onto release ${id}":
    command     => ['/bin/systemctl', 'reload-or-restart', "${app}.service"],
    refreshonly => true,
    subscribe   => Exec["current is release ${id}"],
  }
  # One GET over gunicorn's socket (or port) with the site's Host, retried while the connection is
  # refused (workers still starting); an answer outside 2xx/3xx fails. Puppet cannot switch back
  # on failure as brine does: the run fails, and the release stays current.
  if $pillar.dig('app', 'healthcheck') {
    $health = @(PY)
      import http.client, socket, sys, time
      sock, port, host, path, timeout = sys.argv[1:6]
      class Unix(http.client.HTTPConnection):
          def connect(self):
              self.sock = socket.socket(socket.AF_UNIX)
              self.sock.settimeout(self.timeout)
              self.sock.connect(sock)
      deadline = time.monotonic() + float(timeout)
      while True:
          try:
              c = Unix("localhost", timeout=float(timeout)) if sock else http.client.HTTPConnection("127.0.0.1", int(port), timeout=float(timeout))
              c.request("GET", path, headers={"Host": host})
              r = c.getresponse()
              print(r.status, r.reason, r.read(2000).decode("utf-8", "replace"))
              sys.exit(0 if 200 <= r.status < 400 else 1)
          except (ConnectionError, FileNotFoundError) as e:
              if time.monotonic() >= deadline:
                  sys.exit(f"no answer: {e}")
              time.sleep(0.2)
      | PY
    $port = $pillar.dig('app', 'port')
    exec { "health check ${pillar['app']['healthcheck']}":
      command     => ['/usr/bin/python3', '-c', $health, $port ? { undef => "/run/${app}/gunicorn.sock", default => '' }, String($port.lest || { '' }), $pillar['domain'], $pillar['app']['healthcheck'], String($pillar.dig('app', 'healthcheck_timeout').lest || { 30 })],
      refreshonly => true,
      logoutput   => on_failure,
      subscribe   => Exec["${app} onto release ${id}"],
    }
  }

  # The systemd provider runs daemon-reload itself when the unit file changed.
  service { $app:
    ensure    => running,
    enable    => true,
    require   => [User[$app], Exec["current is release ${id}"]],
    subscribe => [File["/etc/systemd/system/${app}.service"], File["/etc/${app}/env"]],
  }

  # nginx serves /static/ from here: the current release's collected static files.
  file { "${root}/static":
    ensure => link,
    target => "current/${pillar.dig('app', 'static').lest || { 'static' }}",
  }

  # --- nginx (states/nginx) ---
  $domain = $pillar['domain']
  package { 'nginx':
    ensure => installed,
    name   => $pillar.dig('nginx', 'package').lest || { 'nginx-light' },
  }
  service { 'nginx':
    ensure  => running,
    enable  => true,
    restart => '/bin/systemctl reload nginx',
    require => Package['nginx'],
  }
  file { '/etc/nginx/tls':
    ensure  => directory,
    mode    => '0700',
    require => Package['nginx'],
  }
  if $pillar['tls'] {
    file { "/etc/nginx/tls/${domain}.crt":
      content => $pillar['tls']['cert'],
      mode    => '0644',
      before  => File["/etc/nginx/sites-enabled/${app}"],
      notify  => Service['nginx'],
    }
    file { "/etc/nginx/tls/${domain}.key":
      content   => $pillar['tls']['key'],
      mode      => '0600',
      show_diff => false,
      backup    => false,
      before    => File["/etc/nginx/sites-enabled/${app}"],
      notify    => Service['nginx'],
    }
  } else {
    exec { 'self-signed-certificate':
      command => ['/bin/sh', '-c', 'umask 077 && exec openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 -subj "/CN=$1" -addext "subjectAltName=DNS:$1" -keyout "$2" -out "$3"', 'self-signed-certificate', $domain, "/etc/nginx/tls/${domain}.key", "/etc/nginx/tls/${domain}.crt"],
      creates => "/etc/nginx/tls/${domain}.crt",
      require => File['/etc/nginx/tls'],
      before  => File["/etc/nginx/sites-enabled/${app}"],
    }
  }
  file { "/etc/nginx/sites-enabled/${app}":
    content => epp('stack/site.conf.epp', { pillar => $pillar }),
    mode    => '0644',
    require => Package['nginx'],
  }
  # nginx -t checks the whole configuration with the site in place, only when it changed; a
  # failure stops the reload.
  exec { 'nginx -t':
    command     => ['/usr/sbin/nginx', '-t', '-q'],
    refreshonly => true,
    subscribe   => File["/etc/nginx/sites-enabled/${app}"],
    notify      => Service['nginx'],
  }
  file { '/etc/nginx/sites-enabled/default':
    ensure  => absent,
    require => File["/etc/nginx/sites-enabled/${app}"],
    notify  => Service['nginx'],
  }
}
