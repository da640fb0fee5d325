package verdict

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

// TestEvaluateIncomplete: a change that stopped part way keeps its
// verdict only when that blocks; a pass or warn on half a change is
// "could not judge".
func TestEvaluateIncomplete(t *testing.T) {
	t.Parallel()
	stopped := errors.New("step migrate: exit status 1\nsecond line")
	blocking := change.Set{Managed: 50, Resources: []change.Resource{res("aws_db_instance.a", "aws_db_instance", change.Delete, prod)}}
	warning := change.Set{Managed: 50, Resources: []change.Resource{res("aws_instance.a", "aws_instance", change.Delete, nil)}}
	passing := change.Set{Managed: 50, Resources: []change.Resource{res("aws_instance.a", "aws_instance", change.Update, nil)}}
	tests := []struct {
		name       string
		set        change.Set
		stopped    error
		want       Decision
		incomplete bool
	}{
		{"complete pass", passing, nil, Pass, false},
		{"complete warn", warning, nil, Warn, false},
		{"complete block", blocking, nil, Block, false},
		{"stopped block stands", blocking, stopped, Block, false},
		{"stopped warn cannot be judged", warning, stopped, Warn, true},
		{"stopped pass cannot be judged", passing, stopped, Pass, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			notes := []string{"given"}
			v, err := EvaluateIncomplete(tt.set, DefaultPolicy(), Options{Origin: OriginInfo{Origin: OriginHuman}, Notes: notes}, tt.stopped)
			if v.Decision != tt.want {
				t.Errorf("decision %s, want %s", v.Decision, tt.want)
			}
			var ie *IncompleteError
			if got := errors.As(err, &ie); got != tt.incomplete {
				t.Fatalf("err = %v, want incomplete %v", err, tt.incomplete)
			}
			if tt.incomplete && (!errors.Is(err, stopped) || !strings.HasPrefix(err.Error(), "the change did not complete: step migrate")) {
				t.Errorf("err = %q does not wrap why the change stopped", err)
			}
			noted := slices.Contains(v.Notes, "the change did not complete: step migrate: exit status 1 second line")
			if noted != (tt.stopped != nil) {
				t.Errorf("notes %q", v.Notes)
			}
			if len(notes) != 1 {
				t.Errorf("the caller's notes were changed: %q", notes)
			}
		})
	}
}
