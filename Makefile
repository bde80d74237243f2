# Build and install dyndns: the four stages, the watcher, the reaper, the pydyndns wrapper, man pages,
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
# What lands on PATH besides the wrapper: the four stages, the watcher and the reaper.
PROGRAMS = dyndns-addrs dyndns-diff dyndns-soa dyndns-send dyndns-watch dyndns-reap

all: build assets

# One build, linked as Debian links programs (dynamically, against the
# system's glibc: the host name is found through its NSS), with GSS-TSIG
# (the default "gss" feature: libkrb5-dev and libclang-dev to build).
build:
	$(CARGO) build --release --locked

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
	for s in $(PROGRAMS); do install -m 755 "target/release/$$s" "$(DESTDIR)$(BINDIR)/$$s"; done
	# Programs of earlier versions that no longer exist (their runs are now the stages' own).
	rm -f "$(DESTDIR)$(BINDIR)/dyndns-helper" "$(DESTDIR)$(BINDIR)/dyndns-send-gss"
	install -m 755 scripts/pydyndns "$(DESTDIR)$(BINDIR)/pydyndns"
	install -m 644 $(ASSETS)/man/*.1 "$(DESTDIR)$(MANDIR)/man1/"
	install -m 644 $(ASSETS)/man/*.5 "$(DESTDIR)$(MANDIR)/man5/"
	install -m 644 $(ASSETS)/man/*.8 "$(DESTDIR)$(MANDIR)/man8/"
	install -m 644 $(ASSETS)/completions/bash/* "$(DESTDIR)$(BASHDIR)/"
	install -m 644 $(ASSETS)/completions/zsh/* "$(DESTDIR)$(ZSHDIR)/"
	install -m 644 $(ASSETS)/completions/fish/* "$(DESTDIR)$(FISHDIR)/"
	install -m 644 $(ASSETS)/systemd/* "$(DESTDIR)$(UNITDIR)/"
	install -m 755 $(ASSETS)/hooks/* "$(DESTDIR)$(HOOKDIR)/"
	chmod 644 "$(DESTDIR)$(HOOKDIR)/dhcpcd"
	install -m 644 dist/pydyndns.conf.example README.md doc/GUIDE.md "$(DESTDIR)$(DOCDIR)/"

uninstall:
	for s in $(PROGRAMS) pydyndns dyndns-helper dyndns-send-gss; do rm -f "$(DESTDIR)$(BINDIR)/$$s"; done
	rm -f "$(DESTDIR)$(MANDIR)"/man1/dyndns-*.1 "$(DESTDIR)$(MANDIR)/man5/pydyndns.conf.5" "$(DESTDIR)$(MANDIR)/man8/pydyndns.8"
	for s in $(PROGRAMS) pydyndns; do rm -f "$(DESTDIR)$(BASHDIR)/$$s" "$(DESTDIR)$(ZSHDIR)/_$$s" "$(DESTDIR)$(FISHDIR)/$$s.fish"; done
	rm -f "$(DESTDIR)$(UNITDIR)"/pydyndns.service "$(DESTDIR)$(UNITDIR)"/pydyndns.timer "$(DESTDIR)$(UNITDIR)"/pydyndns-force.service "$(DESTDIR)$(UNITDIR)"/pydyndns-watch.service \
		"$(DESTDIR)$(UNITDIR)"/dyndns-reap.service "$(DESTDIR)$(UNITDIR)"/dyndns-reap.timer
	rm -rf "$(DESTDIR)$(HOOKDIR)" "$(DESTDIR)$(DOCDIR)"

# The Debian package, laid out for /usr (cargo install cargo-deb first).
deb:
	$(MAKE) build
	$(MAKE) assets PREFIX=/usr
	$(CARGO) run --quiet --locked --example deb-copyright >$(ASSETS)/copyright
	$(CARGO) deb --locked --no-build

.PHONY: all build assets install uninstall deb
