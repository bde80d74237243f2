#!/bin/sh
# What an administrator would write instead of pydyndns, with BIND's tools:
# register this host's stable global IPv6 addresses of IFACE with dig and
# nsupdate. The benchmark's third contender (scripts/bench).
set -eu
iface=$1
fqdn=$(hostname -f)
# ip's own flags leave out temporary, deprecated, tentative and DAD-failed addresses.
addrs=$(ip -6 -o addr show dev "$iface" scope global -temporary -deprecated -tentative -dadfailed |
	awk '{ sub(/\/.*/, "", $4); print $4 }' | grep -v -i -e '^f[cd]' -e '^2001:0*:' || true)
# The SOA that covers the name: its owner is the zone, its MNAME the primary.
soa=$(dig +noall +answer +authority "$fqdn" SOA | awk '$4 == "SOA" { print $1, $5; exit }')
zone=${soa% *}
primary=${soa#* }
{
	echo "server $primary"
	echo "zone $zone"
	echo "update delete $fqdn."
	for a in $addrs; do echo "update add $fqdn. 300 IN AAAA $a"; done
	echo "send"
} | nsupdate
