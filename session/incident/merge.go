package incident

// SourcePolicy is the Source of templates from the policy key incident_templates.
const SourcePolicy = "policy"

// Merge combines the templates of the policy (key incident_templates) with the local ones: with a
// managed (enforced) policy its template wins over a local one of the same ID and is marked
// Managed; a recommended policy's template gives way to a local one of the same ID. The policy's
// templates come first, then the local ones, each in their order.
func Merge(fromPolicy []Template, managed bool, local []Template) []Template {
	localIDs := map[string]bool{}
	for _, t := range local {
		localIDs[t.ID] = true
	}
	policyIDs := map[string]bool{}
	var out []Template
	for _, t := range fromPolicy {
		if !managed && localIDs[t.ID] {
			continue
		}
		t.Source, t.Managed = SourcePolicy, managed
		policyIDs[t.ID] = true
		out = append(out, t)
	}
	for _, t := range local {
		if policyIDs[t.ID] {
			continue
		}
		out = append(out, t)
	}
	return out
}

// Find returns the template with the given ID.
func Find(templates []Template, templateID string) (Template, bool) {
	for _, t := range templates {
		if t.ID == templateID {
			return t, true
		}
	}
	return Template{}, false
}
