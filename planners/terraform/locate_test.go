package terraform

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

func TestLocate(t *testing.T) {
	dir := filepath.Join("testdata", "locate")
	got := Locate(dir)
	want := map[string]change.Location{
		"terraform_data.net":             {File: filepath.Join(dir, "main.tf"), Line: 1},
		"data.terraform_remote_state.x":  {File: filepath.Join(dir, "main.tf"), Line: 9},
		"module.db.aws_db_instance.main": {File: filepath.Join(dir, "modules", "db", "main.tf"), Line: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Locate = %v, want %v", got, want)
	}
	if Locate(filepath.Join("testdata", "nope")) != nil {
		t.Error("a missing directory gave locations")
	}
}
