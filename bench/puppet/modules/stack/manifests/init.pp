# brine's shipped stack (states/ with pillar/) as a Puppet class, for the benchmark only: the
# same resources in the same order, each as Puppet's own types manage it, and the same data
# ($pillar and $secrets come from hiera: the merged pillar brine computes and what its
# secrets.yaml files hold, staged by bench/stage.ts).
# Resources apply in manifest order (Puppet's default ordering), as brine and Ansible run theirs.
class stack (Hash $pillar, Hash $secrets) {
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
  user { $app:
    ensure     => present,
    system     => true,
    home       => "/srv/${app}",
    managehome => false,
    shell      => '/usr/sbin/nologin',
  }

  package { 'gunicorn': ensure => installed }
  # Database and cache clients for the example app.
  package { ['python3-psycopg2', 'python3-redis']:
    ensure => installed,
    notify => Service[$app],
  }

  file { "/srv/${app}":
    ensure => directory,
    owner  => 'root',
    group  => 'root',
    mode   => '0755',
  }
  file { "/srv/${app}/app.py":
    source => 'puppet:///modules/stack/app.py',
    mode   => '0644',
  }
  file { "/srv/${app}/static":
    ensure => directory,
    mode   => '0755',
  }
  file { "/srv/${app}/static/hello.txt":
    source => 'puppet:///modules/stack/static/hello.txt',
    mode   => '0644',
  }
  file { "/etc/${app}":
    ensure => directory,
    owner  => 'root',
    group  => 'root',
    mode   => '0700',
  }
  # The pillar's app.env, then every key of the env's secrets (which wins) but tls, db, redis and
  # backups, quoted as systemd reads it. No diff, no filebucket copy.
  $app_env = $pillar.dig('app', 'env') ? { undef => {}, default => $pillar.dig('app', 'env') }
  file { "/etc/${app}/env":
    content   => epp('stack/env.epp', { secrets => $app_env + $secrets }),
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
  # The systemd provider runs daemon-reload itself when the unit file changed.
  service { $app:
    ensure    => running,
    enable    => true,
    require   => User[$app],
    subscribe => [File["/etc/systemd/system/${app}.service"], File["/etc/${app}/env"], File["/srv/${app}/app.py"]],
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
