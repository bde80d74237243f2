# shellcheck shell=sh
# What scripts/demo, scripts/test and scripts/bench check before they install
# or build anything, sourced by each: root, and a Rust toolchain.

# Exits unless running as root (network namespaces need it). The servers
# and ip live in the sbin directories, which a user's PATH kept through
# sudo lacks.
need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "scripts/$1: needs root (ip netns); run it as root, or: sudo env PATH=\"\$PATH\" scripts/$1" >&2
		exit 1
	fi
	for dir in /usr/local/sbin /usr/sbin /sbin; do
		case :$PATH: in
		*:"$dir":*) ;;
		*) PATH=$PATH:$dir ;;
		esac
	done
	export PATH
}

# Puts a working cargo on PATH, or exits with one line saying how to get
# one. Besides PATH it looks where rustup installs: root's own
# ~/.cargo/bin, and, under sudo (whose secure_path drops the invoking user's
# ~/.cargo/bin, and which sets HOME to root's), the invoking user's, whose
# toolchains then come from their ~/.rustup.
need_cargo() {
	user_home=
	if [ -n "${SUDO_USER-}" ] && [ -z "${RUSTUP_HOME-}" ] && [ ! -d "$HOME/.rustup" ]; then
		user_home=$(getent passwd "$SUDO_USER" | cut -d: -f6)
		if [ -d "$user_home/.rustup" ]; then
			RUSTUP_HOME=$user_home/.rustup
			export RUSTUP_HOME
		fi
	fi
	if ! command -v cargo >/dev/null 2>&1; then
		for bin in "${CARGO_HOME:-$HOME/.cargo}/bin" ${user_home:+"$user_home/.cargo/bin"}; do
			if [ -x "$bin/cargo" ]; then
				PATH=$bin:$PATH
				export PATH
				break
			fi
		done
	fi
	if ! cargo --version >/dev/null 2>&1; then
		echo "scripts/$1: no working cargo; install Rust $(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml) or later with rustup (https://rustup.rs; Debian's own cargo is too old), then run it again" >&2
		exit 1
	fi
}
