package livekittest

import (
	"os/exec"
	"testing"

	"bosmessenger/internal/netns"
)

// ClientAddr is the address AddClientInterface gives the namespace.
const ClientAddr = "10.99.0.1"

// AddClientInterface gives the test's own network namespace (netns.Enter) a veth pair with
// ClientAddr. LiveKit's Go SDK gathers no loopback ICE candidates (pion's default, which the SDK
// does not let us change), so inside a namespace with only lo it would have none; with this
// address it has one, and its packets to the server's 127.0.0.1 candidate never leave the
// namespace. Outside a namespace made by netns.Enter it fails the test: it never touches the
// machine's own interfaces.
func AddClientInterface(t testing.TB) {
	t.Helper()
	if !netns.Inside() {
		t.Fatal("livekittest: AddClientInterface runs only inside netns.Enter's namespace")
	}
	for _, args := range [][]string{
		{"link", "add", "bosv0", "type", "veth", "peer", "name", "bosv1"},
		{"addr", "add", ClientAddr + "/24", "dev", "bosv0"},
		{"link", "set", "bosv0", "up"},
		{"link", "set", "bosv1", "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("livekittest: ip %v: %v\n%s", args, err, out)
		}
	}
}
