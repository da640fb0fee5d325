package container

import (
	"strconv"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/sandbox"
)

// TestRestored compares a sandbox after a rollback with the one before
// the change: a new container id is back if all else is; data, counts,
// probes, settings and objects that differ are each named.
func TestRestored(t *testing.T) {
	db := func(id string, files int64, hash string, rows int64, probe string) sandbox.ServiceState {
		return sandbox.ServiceState{
			Name: "db", ID: id, Image: "pg", Running: true,
			Volumes: map[string]string{"dbdata": "/var/lib/db"},
			Data:    map[string]sandbox.Fingerprint{"/var/lib/db": {Path: "/var/lib/db", Exists: true, Files: files, Bytes: files * 10, Hash: hash}},
			Counts:  map[string]sandbox.CountResult{"orders": {Unit: "rows", N: rows, Valid: true}},
			Probes:  map[string]sandbox.ProbeResult{"version": {Output: probe}},
		}
	}
	// files is a service without counts: its data paths speak for it.
	files := func(id string, n int64, hash string) sandbox.ServiceState {
		s := db(id, n, hash, 0, "15")
		s.Counts = nil
		return s
	}
	snap := func(svcs ...sandbox.ServiceState) sandbox.Snapshot {
		s := sandbox.Snapshot{Services: map[string]sandbox.ServiceState{}, Volumes: map[string]sandbox.VolumeState{"dbdata": {Name: "dbdata", Nonce: "n1"}}}
		for _, sv := range svcs {
			s.Services[sv.Name] = sv
		}
		return s
	}
	before := snap(db("c1", 1204, "h1", 1204, "15"))
	beforeFiles := snap(files("c1", 1204, "h1"))
	gone := func(s sandbox.ServiceState) sandbox.ServiceState {
		s.Data = map[string]sandbox.Fingerprint{"/var/lib/db": {Path: "/var/lib/db"}}
		return s
	}
	tests := []struct {
		name          string
		before, after sandbox.Snapshot
		want          []string // none: restores
	}{
		{"same", before, snap(db("c1", 1204, "h1", 1204, "15")), nil},
		{"recreated, all else back", before, snap(db("c2", 1204, "h1", 1204, "15")), nil},
		{"files lost", beforeFiles, snap(files("c1", 0, "h0")), []string{"data /var/lib/db 1204→0"}},
		{"same figures, other contents", beforeFiles, snap(files("c1", 1204, "h2")), []string{"data /var/lib/db 1204→1204"}},
		{"rows lost", before, snap(db("c1", 1204, "h1", 0, "15")), []string{"data orders 1204→0"}},
		{"probe differs", before, snap(db("c1", 1204, "h1", 1204, "16")), []string{"change docker_container.db.probe.version"}},
		{"service gone", before, snap(), []string{"object docker_container.db is gone"}},
		{"a database's files differ, its rows are back", before, snap(db("c1", 1206, "h9", 1204, "15")), nil},
		{"a database's data path is gone", before, snap(gone(db("c1", 0, "", 1204, "15"))), []string{"data /var/lib/db 1204→0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rb := Restored(tt.before, tt.after)
			var got []string
			for _, o := range rb.Objects {
				got = append(got, "object "+o)
			}
			for _, d := range rb.Data {
				got = append(got, "data "+d.Path+" "+itoa(d.BeforeFiles)+"→"+itoa(d.AfterFiles))
			}
			for _, c := range rb.Changes {
				got = append(got, "change "+c.Path)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("not back:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if rb.Restores != (len(tt.want) == 0) {
				t.Errorf("restores = %v", rb.Restores)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
