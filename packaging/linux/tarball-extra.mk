
# --- BOS Messenger: appended to fyne's Makefile by scripts/package.sh (tarball). ---
# fyne's targets above install the desktop app (binary, desktop file, icon in pixmaps); these add
# bosctl, the hicolor icon, the AppStream metadata, the man pages and the SBOM to each of them.
#   sudo make install            into /usr/local (/usr without it; PREFIX=... DESTDIR=... to change)
#   sudo make uninstall
#   make user-install            into ~/.local (no root)
#   make user-uninstall
BOS_FILES := bin/bosctl share/icons/hicolor/256x256/apps/de.bos-messenger.client.png \
	share/metainfo/de.bos-messenger.client.metainfo.xml share/man/man1/bosctl.1.gz \
	share/man/man1/bosmessenger.1.gz share/doc/bosmessenger/sbom.cdx.json

.PHONY: default install uninstall user-install user-uninstall bos-install bos-uninstall bos-user-install bos-user-uninstall
install: bos-install
uninstall: bos-uninstall
user-install: bos-user-install
user-uninstall: bos-user-uninstall

# bos_install ROOT: installs BOS_FILES below ROOT.
define bos_install
	@for f in $(BOS_FILES); do \
		case $$f in bin/*) m=0755 ;; *) m=0644 ;; esac; \
		install -Dm$$m @LOCAL@/$$f "$(1)/$$f"; \
	done
endef

# bos_uninstall ROOT: removes BOS_FILES below ROOT.
define bos_uninstall
	@for f in $(BOS_FILES); do rm -f "$(1)/$$f"; done
	-@rmdir "$(1)/share/doc/bosmessenger" 2>/dev/null
endef

bos-install:
	$(call bos_install,$(DESTDIR)$(PREFIX))
bos-uninstall:
	$(call bos_uninstall,$(DESTDIR)$(PREFIX))
bos-user-install:
	$(call bos_install,$(DESTDIR)$(HOME)/.local)
bos-user-uninstall:
	$(call bos_uninstall,$(DESTDIR)$(HOME)/.local)
