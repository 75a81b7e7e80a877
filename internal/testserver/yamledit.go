package testserver

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// yamlDoc is a YAML document edited in place (comments and key order kept).
type yamlDoc struct {
	root yaml.Node
}

func parseYAML(data []byte) (*yamlDoc, error) {
	d := &yamlDoc{}
	if err := yaml.Unmarshal(data, &d.root); err != nil {
		return nil, fmt.Errorf("failed to parse YAML: %w", err)
	}
	if d.root.Kind != yaml.DocumentNode || len(d.root.Content) != 1 || d.root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("failed to parse YAML: top level is not a mapping")
	}
	return d, nil
}

func (d *yamlDoc) bytes() ([]byte, error) {
	out, err := yaml.Marshal(&d.root)
	if err != nil {
		return nil, fmt.Errorf("failed to encode YAML: %w", err)
	}
	return out, nil
}

// set replaces (or creates) the value at a dotted path such as
// "client_api.rate_limiting.enabled" with the YAML encoding of v.
func (d *yamlDoc) set(path string, v any) error {
	var val yaml.Node
	if err := val.Encode(v); err != nil {
		return fmt.Errorf("failed to encode %s: %w", path, err)
	}
	node := d.root.Content[0]
	keys := strings.Split(path, ".")
	for i, k := range keys {
		if node.Kind != yaml.MappingNode {
			return fmt.Errorf("failed to set %s: %s is not a mapping", path, strings.Join(keys[:i], "."))
		}
		child := mappingValue(node, k)
		if i == len(keys)-1 {
			if child == nil {
				node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, &val)
			} else {
				*child = val
			}
			return nil
		}
		if child == nil {
			child = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, child)
		}
		node = child
	}
	return nil
}

// get returns the scalar value at a dotted path, or "" when absent.
func (d *yamlDoc) get(path string) string {
	node := d.root.Content[0]
	for _, k := range strings.Split(path, ".") {
		if node == nil || node.Kind != yaml.MappingNode {
			return ""
		}
		node = mappingValue(node, k)
	}
	if node == nil || node.Kind != yaml.ScalarNode {
		return ""
	}
	return node.Value
}

func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// walkScalars calls fn with the dotted path and value of every scalar in the document.
func (d *yamlDoc) walkScalars(fn func(path, value string)) {
	var walk func(prefix string, n *yaml.Node)
	walk = func(prefix string, n *yaml.Node) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(join(prefix, n.Content[i].Value), n.Content[i+1])
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(join(prefix, fmt.Sprint(i)), c)
			}
		case yaml.ScalarNode:
			fn(prefix, n.Value)
		}
	}
	walk("", d.root.Content[0])
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}
