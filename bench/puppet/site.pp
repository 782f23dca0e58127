# Run on the host itself:
#   puppet apply --modulepath modules:/usr/share/puppet/modules site.pp
include stack
