package badge

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestEndpoint(t *testing.T) {
	got := Endpoint(Badge{"build", "passing", "success"})
	want := `{"schemaVersion":1,"label":"build","message":"passing","color":"brightgreen"}` + "\n"
	if string(got) != want {
		t.Errorf("Endpoint = %s, want %s", got, want)
	}
}

// TestEndpointHostile checks hostile text stays inert in the JSON and
// decodes to exactly what the SVG draws.
func TestEndpointHostile(t *testing.T) {
	b := Badge{"</script><script>x()</script>", "a&b\u202e\x00", "javascript:alert(1)"}
	data := Endpoint(b)
	for _, s := range [][]byte{[]byte("<"), []byte(">"), []byte("&"), []byte("\u202e")} {
		if bytes.Contains(data, s) {
			t.Errorf("endpoint JSON %s contains %q", data, s)
		}
	}
	var e endpoint
	if err := json.Unmarshal(data, &e); err != nil {
		t.Fatalf("endpoint JSON does not decode: %v", err)
	}
	texts := visibleTexts(mustParseSVG(t, SVG(b, Flat)))
	if e.SchemaVersion != 1 || e.Label != texts[0] || e.Message != texts[1] || e.Color != DefaultColor {
		t.Errorf("endpoint = %+v, want label %q, message %q, color %q", e, texts[0], texts[1], DefaultColor)
	}
}
