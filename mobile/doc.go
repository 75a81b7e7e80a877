// Package mobile is where Android and iOS specifics go (push, lifecycle, platform policy). It is
// pure Go without Fyne, so it builds and is tested on Linux and cross-compiles for android and
// ios with cgo off (make mobile-check).
//
// Managed configuration: the native side reads the MDM's configuration (Android
// RestrictionsManager.getApplicationRestrictions, iOS UserDefaults "com.apple.configuration.managed")
// and hands it to Go as JSON (ApplyManagedConfig), which turns it into a source of the policy
// package. The schemas the MDMs read (android/app_restrictions.xml, ios/appconfig-specfile.xml)
// are generated from the same key table (schemas.go).
package mobile
