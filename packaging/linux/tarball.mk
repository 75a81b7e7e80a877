# Installs BOS Messenger from this unpacked tarball (layout as `fyne package --os linux`).
#   sudo make install            into /usr/local (PREFIX=... DESTDIR=... to change)
#   sudo make uninstall
#   make user-install            into ~/.local (no root)
#   make user-uninstall
PREFIX ?= /usr/local
APPID := de.bos-messenger.client
FILES := bin/bosctl bin/bosmessenger share/applications/$(APPID).desktop \
	share/icons/hicolor/256x256/apps/$(APPID).png share/metainfo/$(APPID).metainfo.xml \
	share/man/man1/bosctl.1.gz share/man/man1/bosmessenger.1.gz share/doc/bosmessenger/sbom.cdx.json

.PHONY: default install uninstall user-install user-uninstall
default:
	@echo "sudo make install | sudo make uninstall | make user-install | make user-uninstall"

install:
	@for f in $(FILES); do \
		case $$f in bin/*) m=0755 ;; *) m=0644 ;; esac; \
		install -Dm$$m usr/local/$$f "$(DESTDIR)$(PREFIX)/$$f"; \
	done
	@if [ -z "$(DESTDIR)" ]; then \
		update-desktop-database -q "$(PREFIX)/share/applications" 2>/dev/null || true; \
		gtk-update-icon-cache -q -t "$(PREFIX)/share/icons/hicolor" 2>/dev/null || true; \
	fi

uninstall:
	for f in $(FILES); do rm -f "$(DESTDIR)$(PREFIX)/$$f"; done
	-rmdir "$(DESTDIR)$(PREFIX)/share/doc/bosmessenger" 2>/dev/null

user-install:
	$(MAKE) install PREFIX="$(HOME)/.local" DESTDIR=

user-uninstall:
	$(MAKE) uninstall PREFIX="$(HOME)/.local" DESTDIR=
