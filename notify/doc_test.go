package notify

import (
	"os"
	"strings"
	"testing"
)

// TestDocumentedExample: the example document in docs/notifications.md is
// the message of testSet, byte for byte, so the documentation shows what
// is sent.
func TestDocumentedExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/notifications.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```json\n")
	example, _, ok2 := strings.Cut(rest, "```\n")
	if !ok || !ok2 {
		t.Fatal("docs/notifications.md has no ```json example")
	}
	b, err := FromChanges(testSet()).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if example != string(b) {
		t.Errorf("the documented example is not what is sent; send:\n%s", b)
	}
}
