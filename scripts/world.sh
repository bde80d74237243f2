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
  // DNS over TLS (RFC 7858), for the "transport": "tls" rows.
  listen-on-v6 port 853 tls local-tls { ::1; };
};
tls local-tls { cert-file "$dir/tls/server.crt"; key-file "$dir/tls/server.key"; };
controls { };
zone "example.test" { type primary; file "example.test.db"; allow-update { 127.0.0.1; ::1; }; };
zone "0.1.0.0.8.b.d.0.1.0.0.2.ip6.arpa" { type primary; file "rev10.db"; allow-update { 127.0.0.1; ::1; }; };
zone "0.2.0.0.8.b.d.0.1.0.0.2.ip6.arpa" { type primary; file "rev20.db"; allow-update { 127.0.0.1; ::1; }; };
EOF
	world_pki
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

# A throwaway CA and ns1.example.test's certificate for DNS over TLS, in
# $dir/tls (ca.crt is what a config's "tls.ca" names).
world_pki() {
	mkdir "$dir/tls"
	printf '%s\n' '[ req ]' 'distinguished_name = dn' 'prompt = no' '[ dn ]' 'CN = unused' \
		'[ ca_ext ]' 'basicConstraints = critical,CA:TRUE' 'keyUsage = critical,keyCertSign,cRLSign' \
		'[ server_ext ]' 'basicConstraints = critical,CA:FALSE' 'keyUsage = critical,digitalSignature' \
		'extendedKeyUsage = serverAuth' 'subjectAltName = DNS:ns1.example.test,IP:::1' \
		>"$dir/tls/openssl.cnf"
	(
		cd "$dir/tls" || exit 1
		for key in ca server; do
			openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$key.key" 2>/dev/null
		done
		openssl req -config openssl.cnf -x509 -new -key ca.key -subj "/CN=throwaway CA" \
			-extensions ca_ext -days 2 -out ca.crt
		openssl req -config openssl.cnf -new -key server.key -subj /CN=ns1.example.test -out server.csr
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -set_serial 1 -days 2 \
			-extfile openssl.cnf -extensions server_ext -out server.crt 2>/dev/null
	)
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
