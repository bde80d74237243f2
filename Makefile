# Build and install dyndns: the four stages, the pydyndns wrapper, man pages,
# shell completions, systemd units, network hooks and an example config.
#
#   make && sudo make install                  # into /usr/local
#   make install PREFIX=/usr DESTDIR=/tmp/root # staged, for packaging
#   make deb                                   # a Debian package (cargo-deb)

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
DOCDIR ?= $(DATADIR)/doc/dyndns
HOOKDIR ?= $(DATADIR)/dyndns/hooks
UNITDIR ?= $(PREFIX)/lib/systemd/system
BASHDIR ?= $(DATADIR)/bash-completion/completions
ZSHDIR ?= $(DATADIR)/zsh/vendor-completions
FISHDIR ?= $(DATADIR)/fish/vendor_completions.d
CARGO ?= cargo
ASSETS = target/assets
STAGES = dyndns-addrs dyndns-diff dyndns-soa dyndns-send dyndns-send-gss dyndns-helper dyndns-watch
# Static PIEs on musl (no dynamic loader, no shared libraries, and a libc
# of a few dozen KiB: about half the instructions and the memory of a
# dynamic run, BENCHMARKS.md). musl's getaddrinfo asks /etc/hosts, then
# DNS, which is what "hosts: files dns" in /etc/nsswitch.conf says; where
# that line says anything else, dyndns-addrs (the host name's lookup) and
# dyndns-diff (the servers' lookups of --live and --check) hand their run to
# the dynamic dyndns-helper, which follows it through the system's NSS
# (tests/package.rs). dyndns-helper, dyndns-send-gss and dyndns-watch stay
# dynamic. Needs `rustup target add x86_64-unknown-linux-musl` and musl-gcc
# (Debian's musl-tools: ring, under hickory's TSIG code, has C in it).
# STATIC_TARGET=$(HOST) builds them static with glibc instead, which follows
# nsswitch.conf itself for its files and dns modules (2.4 MB a program
# against 1.5 MB, BENCHMARKS.md).
STATIC = dyndns-addrs dyndns-diff dyndns-soa dyndns-send
HOST = $(shell rustc -vV | sed -n 's/^host: //p')
STATIC_TARGET ?= $(subst -gnu,-musl,$(HOST))
# Every program the package ships, side by side (the hand-overs look for
# dyndns-helper and dyndns-send-gss beside dyndns-send).
DIST = target/dist

all: build assets

build:
	$(CARGO) build --release --locked --features gss
	@test -d "$$(rustc --print target-libdir --target $(STATIC_TARGET))/" || { \
		echo "make: no Rust standard library for $(STATIC_TARGET): run rustup target add $(STATIC_TARGET) (or make STATIC_TARGET=$(HOST) for glibc)" >&2; exit 1; }
	RUSTFLAGS="-C target-feature=+crt-static" $(CARGO) build --release --locked \
		--target $(STATIC_TARGET) $(STATIC:%=--bin %)
	rm -rf $(DIST)
	mkdir -p $(DIST)
	for s in $(STAGES); do cp target/release/$$s $(DIST)/; done
	for s in $(STATIC); do cp target/$(STATIC_TARGET)/release/$$s $(DIST)/; done

# Man pages and completions from the clap definitions; units and hooks with
# this installation's paths.
assets:
	rm -rf $(ASSETS)
	$(CARGO) run --quiet --locked --example gen-docs -- $(ASSETS)
	mkdir -p $(ASSETS)/systemd $(ASSETS)/hooks
	for f in dist/systemd/*; do sed 's|@BINDIR@|$(BINDIR)|g' "$$f" >"$(ASSETS)/systemd/$${f##*/}"; done
	for f in dist/hooks/*; do sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@HOOKDIR@|$(HOOKDIR)|g' "$$f" >"$(ASSETS)/hooks/$${f##*/}"; done

install: all
	install -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(MANDIR)/man1" "$(DESTDIR)$(MANDIR)/man5" \
		"$(DESTDIR)$(MANDIR)/man8" "$(DESTDIR)$(DOCDIR)" "$(DESTDIR)$(HOOKDIR)" "$(DESTDIR)$(UNITDIR)" \
		"$(DESTDIR)$(BASHDIR)" "$(DESTDIR)$(ZSHDIR)" "$(DESTDIR)$(FISHDIR)"
	for s in $(STAGES); do install -m 755 "$(DIST)/$$s" "$(DESTDIR)$(BINDIR)/$$s"; done
	install -m 755 scripts/pydyndns "$(DESTDIR)$(BINDIR)/pydyndns"
	install -m 644 $(ASSETS)/man/*.1 "$(DESTDIR)$(MANDIR)/man1/"
	install -m 644 $(ASSETS)/man/*.5 "$(DESTDIR)$(MANDIR)/man5/"
	install -m 644 $(ASSETS)/man/*.8 "$(DESTDIR)$(MANDIR)/man8/"
	install -m 644 $(ASSETS)/completions/bash/* "$(DESTDIR)$(BASHDIR)/"
	install -m 644 $(ASSETS)/completions/zsh/* "$(DESTDIR)$(ZSHDIR)/"
	install -m 644 $(ASSETS)/completions/fish/* "$(DESTDIR)$(FISHDIR)/"
	install -m 644 $(ASSETS)/systemd/* "$(DESTDIR)$(UNITDIR)/"
	install -m 755 $(ASSETS)/hooks/* "$(DESTDIR)$(HOOKDIR)/"
	install -m 644 dist/pydyndns.conf.example README.md "$(DESTDIR)$(DOCDIR)/"

uninstall:
	for s in $(STAGES) pydyndns; do rm -f "$(DESTDIR)$(BINDIR)/$$s"; done
	rm -f "$(DESTDIR)$(MANDIR)"/man1/dyndns-*.1 "$(DESTDIR)$(MANDIR)/man5/pydyndns.conf.5" "$(DESTDIR)$(MANDIR)/man8/pydyndns.8"
	for s in $(STAGES) pydyndns; do rm -f "$(DESTDIR)$(BASHDIR)/$$s" "$(DESTDIR)$(ZSHDIR)/_$$s" "$(DESTDIR)$(FISHDIR)/$$s.fish"; done
	rm -f "$(DESTDIR)$(UNITDIR)"/pydyndns.service "$(DESTDIR)$(UNITDIR)"/pydyndns.timer "$(DESTDIR)$(UNITDIR)"/pydyndns-force.service "$(DESTDIR)$(UNITDIR)"/pydyndns-watch.service
	rm -rf "$(DESTDIR)$(HOOKDIR)" "$(DESTDIR)$(DOCDIR)"

# The Debian package, laid out for /usr (cargo install cargo-deb first).
deb:
	$(MAKE) build
	$(MAKE) assets PREFIX=/usr
	$(CARGO) deb --locked --no-build

.PHONY: all build assets install uninstall deb
