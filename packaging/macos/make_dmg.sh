#!/usr/bin/env bash
# dist/Commissioner.app (from `make package` on a Mac) -> dist/Commissioner-<version>.dmg
#
# Optional, for a release: CODESIGN_IDENTITY="Developer ID Application: …" signs the app with the
# hardened runtime; NOTARY_PROFILE (a `xcrun notarytool store-credentials` profile) notarizes and
# staples the .dmg so Gatekeeper opens it without warnings on a laptop with no internet.
set -euo pipefail
cd "$(dirname "$0")/../.."
app=dist/Commissioner.app
[ -d "$app" ] || { echo "No $app: run 'make package' on macOS first." >&2; exit 1; }
version=$(/usr/libexec/PlistBuddy -c "Print :CFBundleShortVersionString" "$app/Contents/Info.plist")
dmg="dist/Commissioner-$version.dmg"

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --force --deep --timestamp --options runtime \
    --entitlements packaging/macos/entitlements.plist --sign "$CODESIGN_IDENTITY" "$app"
  codesign --verify --deep --strict "$app"
fi

"$app/Contents/MacOS/commissioner-cli" --self-test

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"
rm -f "$dmg"
hdiutil create -volname "Commissioner $version" -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$dmg"

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
  codesign --timestamp --sign "$CODESIGN_IDENTITY" "$dmg"
fi
if [ -n "${NOTARY_PROFILE:-}" ]; then
  xcrun notarytool submit "$dmg" --keychain-profile "$NOTARY_PROFILE" --wait
  xcrun stapler staple "$dmg"
fi
echo "$dmg"
