package faultproxy

import (
	"strings"
	"time"
)

// rule serves fault to the next `left` requests whose path contains `contains` (left < 0: forever).
type rule struct {
	contains string
	fault    Fault
	left     int
	delay    time.Duration
}

// Inject makes the next `times` requests whose URL path contains
// pathContains get fault f (times < 0: every such request until Clear).
// Rules apply in the order they were injected; a used-up rule is removed.
func (p *Proxy) Inject(pathContains string, f Fault, times int) {
	p.addRule(rule{contains: pathContains, fault: f, left: times, delay: DefaultDelay})
}

// InjectDelay is Inject(pathContains, Delay, times) with the wait d.
func (p *Proxy) InjectDelay(pathContains string, d time.Duration, times int) {
	p.addRule(rule{contains: pathContains, fault: Delay, left: times, delay: d})
}

func (p *Proxy) addRule(r rule) {
	if r.left == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = append(p.rules, &r)
}

// Clear removes all rules (requests seen and faults served stay counted).
func (p *Proxy) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = nil
}

// Count returns how many requests whose URL path contains pathContains the proxy has seen
// (faulted or not; "" counts all).
func (p *Proxy) Count(pathContains string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, path := range p.seen {
		if strings.Contains(path, pathContains) {
			n++
		}
	}
	return n
}

// Faulted returns how many faults the proxy has served (Pass rules not counted).
func (p *Proxy) Faulted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.faulted
}

// Paths returns the URL paths of all requests seen, in arrival order.
func (p *Proxy) Paths() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

// take records a request for path and returns the rule it gets (nil: pass).
func (p *Proxy) take(path string) *rule {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen = append(p.seen, path)
	for i, r := range p.rules {
		if !strings.Contains(path, r.contains) {
			continue
		}
		got := *r
		if r.left > 0 {
			r.left--
			if r.left == 0 {
				p.rules = append(p.rules[:i:i], p.rules[i+1:]...)
			}
		}
		if got.fault != Pass {
			p.faulted++
		}
		return &got
	}
	return nil
}
