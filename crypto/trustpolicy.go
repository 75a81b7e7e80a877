package crypto

import (
	"maunium.net/go/mautrix/id"
)

// SetExcludeInsecureDevices switches "exclude insecure devices" (MSC4153) on or off. On, room keys
// go only to devices their owner has cross-signed; others get a withheld notice (m.unverified)
// instead. Received messages carry the sender device's trust either way, so a front end can flag
// messages from devices that are not cross-signed. BOS mode will force this on.
func (m *Machine) SetExcludeInsecureDevices(on bool) {
	if on {
		m.mach.SendKeysMinTrust = id.TrustStateCrossSignedTOFU
	} else {
		m.mach.SendKeysMinTrust = id.TrustStateUnset
	}
}
