package badge

import "encoding/json"

// endpoint is the shields.io endpoint badge schema
// (https://shields.io/badges/endpoint-badge), fields in schema order.
type endpoint struct {
	SchemaVersion int    `json:"schemaVersion"`
	Label         string `json:"label"`
	Message       string `json:"message"`
	Color         string `json:"color"`
}

// Endpoint returns b as shields.io endpoint JSON, so shields can restyle it:
// {"schemaVersion":1,"label":…,"message":…,"color":…} on one line, fields
// in that order, then a newline. Label and message are cleaned and
// truncated exactly as SVG draws them; color is the canonical colour name
// or lower-case hex (DefaultColor when b.Color is invalid). "<", ">" and
// "&" are written as \u escapes, so the file is inert if served as HTML.
// The same b always gives the same bytes.
func Endpoint(b Badge) []byte {
	l := newLayout(b)
	out, err := json.Marshal(endpoint{
		SchemaVersion: 1,
		Label:         l.label,
		Message:       l.message,
		Color:         l.colorName,
	})
	if err != nil {
		// Marshal fails only on unsupported types or invalid UTF-8
		// replacement, neither possible for four plain fields.
		panic("badge: encoding endpoint JSON: " + err.Error())
	}
	return append(out, '\n')
}
