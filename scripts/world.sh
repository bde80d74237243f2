# shellcheck shell=sh
# The throwaway world of scripts/demo and scripts/bench, sourced by both: a
# network namespace whose host is host1.example.test, with an interface eth0
# (one end of a veth pair), its own resolv.conf and hosts, and a BIND 9 named
# on ::1 that accepts updates to example.test, and to the reverse zones of
# 2001:db8:10::/48 and 2001:db8:20::/48, from loopback. world_up sets
# $ns, $dir and $named_pid; everything goes again on exit.

world_up() {
	ns=dyndns-$1-$$
	dir=$(mktemp -d "/tmp/dyndns-$1.XXXXXX")
	named_pid=
	trap world_down EXIT
	trap 'exit 130' INT TERM

	ip netns add "$ns"
	netns_made=
	[ -d /etc/netns ] || netns_made=1
	mkdir -p "/etc/netns/$ns"
	echo "nameserver ::1" >"/etc/netns/$ns/resolv.conf"
	printf '127.0.0.1 localhost\n127.0.1.1 host1.example.test host1\n' >"/etc/netns/$ns/hosts"
	ip -n "$ns" link set lo up
	ip -n "$ns" link add eth0 type veth peer name peer0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" link set peer0 up

	cat >"$dir/named.conf" <<EOF
options {
  directory "$dir"; pid-file none;
  session-keyfile "$dir/session.key"; managed-keys-directory "$dir";
  listen-on { 127.0.0.1; }; listen-on-v6 { ::1; };
  recursion no; dnssec-validation no; notify no;
  // BIND 9.18.28 and later refuse RRsets of over 100 records; the benchmark
  // registers up to 1000 addresses.
  max-records-per-type 0;
};
controls { };
zone "example.test" { type primary; file "example.test.db"; allow-update { 127.0.0.1; ::1; }; };
zone "0.1.0.0.8.b.d.0.1.0.0.2.ip6.arpa" { type primary; file "rev10.db"; allow-update { 127.0.0.1; ::1; }; };
zone "0.2.0.0.8.b.d.0.1.0.0.2.ip6.arpa" { type primary; file "rev20.db"; allow-update { 127.0.0.1; ::1; }; };
EOF
	# The reverse zones of 2001:db8:10::/48 and 2001:db8:20::/48, for "ptr".
	for z in rev10 rev20; do
		cat >"$dir/$z.db" <<'EOF'
$TTL 300
@ IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300
@ IN NS ns1.example.test.
EOF
	done
	cat >"$dir/example.test.db" <<'EOF'
$TTL 300
@   IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 300
@   IN NS  ns1
ns1 IN AAAA ::1
EOF
	ip netns exec "$ns" named -g -n 1 -c "$dir/named.conf" >"$dir/named.log" 2>&1 &
	named_pid=$!
	tries=0
	until ip netns exec "$ns" dig +short +time=1 +tries=1 @::1 example.test SOA | grep -q ns1; do
		tries=$((tries + 1))
		if [ "$tries" -gt 100 ]; then
			cat "$dir/named.log" >&2
			exit 1
		fi
		sleep 0.1
	done
}

world_down() {
	# Wait for named, so that it leaves no zombie.
	if [ -n "${named_pid-}" ]; then
		kill "$named_pid" 2>/dev/null || true
		wait "$named_pid" 2>/dev/null || true
	fi
	if [ -n "${ns-}" ]; then
		ip netns del "$ns" 2>/dev/null || true
		rm -rf "/etc/netns/$ns"
		if [ -n "${netns_made-}" ]; then rmdir /etc/netns 2>/dev/null || true; fi
	fi
	if [ -n "${dir-}" ]; then rm -rf "$dir"; fi
}

# Runs a command as the host would: in the namespace, named host1.
on_host() {
	ip netns exec "$ns" unshare --uts -- sh -c 'hostname host1 && exec "$@"' sh "$@"
}
