package exportdoc

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// ErrInvalid: the export does not verify (a changed, missing or extra file, or a signature that is
// not the device's). The message names the file.
var ErrInvalid = errors.New("export does not verify")

// ErrUnknownDevice: the server does not publish the device named in the manifest (deleted, or
// never existed). KeyLookup returns it; Check reports it as ErrInvalid.
var ErrUnknownDevice = errors.New("device not published by the homeserver")

// DeviceKey is a device's key as its homeserver publishes it (/keys/query).
type DeviceKey struct {
	Ed25519     string // unpadded base64
	CrossSigned bool   // signed by its owner's self-signing key
	Verified    bool   // verified by the checking device (SAS, or its owner verified and cross-signed)
}

// KeyLookup fetches the published key of a user's device.
type KeyLookup func(userID, deviceID string) (DeviceKey, error)

// Report is what Check found.
type Report struct {
	Valid          bool        `json:"valid"`
	Problem        string      `json:"problem,omitempty"`
	BadFile        string      `json:"bad_file,omitempty"`
	RoomID         string      `json:"room_id,omitempty"`
	RoomName       string      `json:"room_name,omitempty"`
	UserID         string      `json:"user_id,omitempty"`
	DeviceID       string      `json:"device_id,omitempty"`
	DeviceKey      string      `json:"device_ed25519,omitempty"` // as the server publishes it
	CrossSigned    bool        `json:"cross_signed"`             // the device is signed by its owner's self-signing key
	DeviceVerified bool        `json:"device_verified"`          // we verified the device (or its cross-signed owner)
	CreatedTS      int64       `json:"created_ts,omitempty"`
	SinceTS        *int64      `json:"since_ts,omitempty"`
	UntilTS        *int64      `json:"until_ts,omitempty"`
	Files          []FileCheck `json:"files"`
}

// FileCheck is the result for one file of the manifest.
type FileCheck struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Problem string `json:"problem,omitempty"`
}

// maxManifest bounds what Check reads of manifest.json and manifest.sig.
const maxManifest = 1 << 20

// Check verifies the export in dir: the signature of manifest.json by the device it names, with
// that device's key as lookup fetches it from the homeserver, and the hash and size of every file
// the manifest lists; files the manifest does not list fail too. It returns the report and, when
// the export does not verify, an error matching ErrInvalid that names the bad file. Other errors
// (the server could not be asked) leave the report incomplete.
func Check(dir string, lookup KeyLookup) (*Report, error) {
	r := &Report{Files: []FileCheck{}}
	fail := func(file, format string, args ...any) (*Report, error) {
		r.Valid, r.BadFile, r.Problem = false, file, fmt.Sprintf(format, args...)
		return r, fmt.Errorf("%w: %s: %s", ErrInvalid, file, r.Problem)
	}
	mbytes, err := readSmall(filepath.Join(dir, FileManifest))
	if err != nil {
		return fail(FileManifest, "cannot be read: %v", err)
	}
	var m Manifest
	if err := json.Unmarshal(mbytes, &m); err != nil {
		return fail(FileManifest, "is not valid JSON: %v", err)
	}
	if m.Format != Format || m.Version != Version {
		return fail(FileManifest, "has format %q version %d, expected %q version %d", m.Format, m.Version, Format, Version)
	}
	if m.UserID == "" || m.DeviceID == "" {
		return fail(FileManifest, "names no user or device")
	}
	r.RoomID, r.RoomName, r.UserID, r.DeviceID = m.RoomID, m.RoomName, m.UserID, m.DeviceID
	r.CreatedTS, r.SinceTS, r.UntilTS = m.CreatedTS, m.SinceTS, m.UntilTS
	sbytes, err := readSmall(filepath.Join(dir, FileSignature))
	if err != nil {
		return fail(FileSignature, "cannot be read: %v", err)
	}
	var sig Signature
	if err := json.Unmarshal(sbytes, &sig); err != nil {
		return fail(FileSignature, "is not valid JSON: %v", err)
	}
	if sig.Algorithm != "ed25519" || sig.UserID != m.UserID || sig.KeyID != "ed25519:"+m.DeviceID {
		return fail(FileManifest+"/"+FileSignature, "manifest.sig names %s %s (%s), manifest.json %s ed25519:%s", sig.UserID, sig.KeyID,
			sig.Algorithm, m.UserID, m.DeviceID)
	}
	if _, err := decodeB64(sig.Signature); err != nil {
		return fail(FileSignature, "holds no valid base64 signature")
	}
	key, err := lookup(m.UserID, m.DeviceID)
	if errors.Is(err, ErrUnknownDevice) {
		return fail(FileManifest, "signing device %s of %s is not published by the homeserver (deleted?)", m.DeviceID, m.UserID)
	} else if err != nil {
		r.Problem = err.Error()
		return r, fmt.Errorf("failed to fetch the key of device %s of %s: %w", m.DeviceID, m.UserID, err)
	}
	r.DeviceKey, r.CrossSigned, r.DeviceVerified = key.Ed25519, key.CrossSigned, key.Verified
	if err := VerifySignature(key.Ed25519, mbytes, sig.Signature); err != nil {
		return fail(FileManifest+"/"+FileSignature, "%v: manifest.json or manifest.sig was changed, or it was not signed by device %s of %s (key %s)",
			err, m.DeviceID, m.UserID, key.Ed25519)
	}
	if m.DeviceKey != key.Ed25519 {
		return fail(FileManifest, "names device key %s, the homeserver publishes %s", m.DeviceKey, key.Ed25519)
	}
	listed := map[string]bool{}
	bad := -1
	for _, f := range m.Files {
		fc := FileCheck{Name: f.Name, OK: true}
		switch {
		case !validName(f.Name) || listed[f.Name]:
			fc.OK, fc.Problem = false, "not a valid file name"
		default:
			if p := checkFile(filepath.Join(dir, f.Name), f); p != "" {
				fc.OK, fc.Problem = false, p
			}
		}
		listed[f.Name] = true
		if !fc.OK && bad < 0 {
			bad = len(r.Files)
		}
		r.Files = append(r.Files, fc)
	}
	if bad >= 0 {
		return fail(r.Files[bad].Name, "%s", r.Files[bad].Problem)
	}
	names, err := dirNames(dir)
	if err != nil {
		return fail(".", "cannot be read: %v", err)
	}
	for _, n := range names {
		if n != FileManifest && n != FileSignature && !listed[n] {
			return fail(n, "is not listed in the manifest")
		}
	}
	r.Valid = true
	return r, nil
}

func checkFile(path string, want File) string {
	fi, err := os.Lstat(path)
	if err != nil {
		return fmt.Sprintf("missing: %v", err)
	}
	if !fi.Mode().IsRegular() {
		return "not a regular file"
	}
	if fi.Size() != want.Size {
		return fmt.Sprintf("has %d bytes, the manifest says %d", fi.Size(), want.Size)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("cannot be read: %v", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Sprintf("cannot be read: %v", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want.SHA256 {
		return fmt.Sprintf("SHA-256 %s does not match the manifest's %s (the file was changed)", got, want.SHA256)
	}
	return ""
}

func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxManifest+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxManifest {
		return nil, errors.New("too large")
	}
	return bytes.Clone(b), nil
}

func dirNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	slices.Sort(names)
	return names, err
}
