#!/usr/bin/env bash
# CI signing: makes a throwaway self-signed code-signing certificate (openssl) in DIR, builds the
# packages signed with it (make package with BOS_SIGN_CERT/BOS_SIGN_KEY), and checks every signature
# with osslsigncode verify. Real releases give their own certificate through the same variables.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-dist/ci-cert}
mkdir -p "$dir"
openssl req -x509 -newkey rsa:3072 -nodes -days 2 -subj "/CN=BOS Messenger CI (throwaway)" \
	-addext "extendedKeyUsage=codeSigning" -addext "keyUsage=digitalSignature" \
	-keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
export BOS_SIGN_CERT="$dir/cert.pem" BOS_SIGN_KEY="$dir/key.pem"
make --no-print-directory package
# shellcheck source=buildinfo.sh
. scripts/buildinfo.sh
for f in dist/windows/bosctl.exe dist/windows/bosmessenger.exe "dist/BOSMessenger-${PKG_VERSION%%[-+]*}-x64.msi"; do
	if ! out=$(osslsigncode verify -CAfile "$dir/cert.pem" -in "$f" 2>&1); then
		echo "$out" >&2
		echo "ci-sign: signature of $f does not verify" >&2
		exit 1
	fi
	grep -q "Signature verification: ok" <<<"$out" || { echo "$out" >&2; exit 1; }
	echo "ci-sign: $f: Authenticode signature ok"
done
