package netns

import "testing"

func TestRunPattern(t *testing.T) {
	for _, c := range []struct{ name, parent, want string }{
		{"TestX", "", "^TestX$"},
		{"TestX", "TestX|TestY", "^TestX$"},
		{"TestX", "TestX/plain/ours", "^TestX$/plain/ours"},
		{"TestX/sub.1", "TestX/sub", `^TestX$/^sub\.1$`},
	} {
		if got := runPattern(c.name, c.parent); got != c.want {
			t.Errorf("runPattern(%q, %q) = %q, want %q", c.name, c.parent, got, c.want)
		}
	}
}
