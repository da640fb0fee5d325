package container

import (
	"testing"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/sandbox"
)

func svc(id string, mod func(*sandbox.ServiceState)) sandbox.ServiceState {
	s := sandbox.ServiceState{
		Name: "db", ID: id, Created: "t-" + id, Image: "img:1", ImageID: "sha256:1", Running: true,
		Env:     map[string]string{"MODE": "a"},
		Labels:  map[string]string{"env": "prod"},
		Volumes: map[string]string{},
		Data:    map[string]sandbox.Fingerprint{"/data": {Path: "/data", Exists: true, Files: 1204, Bytes: 5000, Hash: "h1"}},
		Probes:  map[string]sandbox.ProbeResult{"rows": {Output: "1204"}},
	}
	if mod != nil {
		mod(&s)
	}
	return s
}

func snap(svcs map[string]sandbox.ServiceState, vols ...string) sandbox.Snapshot {
	s := sandbox.Snapshot{Services: svcs, Volumes: map[string]sandbox.VolumeState{}}
	for _, v := range vols {
		s.Volumes[v] = sandbox.VolumeState{Name: v, DockerName: "rehearse-x-" + v, Created: "c1", Nonce: "n1"}
	}
	return s
}

func TestObserve(t *testing.T) {
	onVolume := func(s *sandbox.ServiceState) { s.Volumes = map[string]string{"dbdata": "/data"} }
	tests := []struct {
		name        string
		before      sandbox.Snapshot
		after       sandbox.Snapshot
		want        map[string]change.Action
		lost        map[string]bool // address → data lost
		changePaths map[string][]string
		managed     int
	}{
		{
			name:    "unchanged is a no-op",
			before:  snap(map[string]sandbox.ServiceState{"db": svc("a", nil)}),
			after:   snap(map[string]sandbox.ServiceState{"db": svc("a", nil)}),
			want:    map[string]change.Action{"docker_container.db": change.NoOp},
			lost:    map[string]bool{"docker_container.db": false},
			managed: 1,
		},
		{
			name:   "exec emptied the data path",
			before: snap(map[string]sandbox.ServiceState{"db": svc("a", nil)}),
			after: snap(map[string]sandbox.ServiceState{"db": svc("a", func(s *sandbox.ServiceState) {
				s.Data["/data"] = sandbox.Fingerprint{Path: "/data", Exists: true, Hash: "h0"}
				s.Probes["rows"] = sandbox.ProbeResult{Output: "0"}
			})}),
			want:        map[string]change.Action{"docker_container.db": change.Update},
			lost:        map[string]bool{"docker_container.db": true},
			changePaths: map[string][]string{"docker_container.db": {"probe.rows"}},
			managed:     1,
		},
		{
			name:   "recreated without a volume loses data",
			before: snap(map[string]sandbox.ServiceState{"db": svc("a", nil)}),
			after: snap(map[string]sandbox.ServiceState{"db": svc("b", func(s *sandbox.ServiceState) {
				s.Env = map[string]string{"MODE": "b"}
				s.Data["/data"] = sandbox.Fingerprint{Path: "/data"}
				s.Probes["rows"] = sandbox.ProbeResult{Output: "0"}
			})}),
			want:        map[string]change.Action{"docker_container.db": change.Replace},
			lost:        map[string]bool{"docker_container.db": true},
			changePaths: map[string][]string{"docker_container.db": {"probe.rows"}},
			managed:     1,
		},
		{
			name:   "recreated on a volume keeps data",
			before: snap(map[string]sandbox.ServiceState{"db": svc("a", onVolume)}, "dbdata"),
			after: snap(map[string]sandbox.ServiceState{"db": svc("b", func(s *sandbox.ServiceState) {
				onVolume(s)
				s.Env = map[string]string{"MODE": "b"}
			})}, "dbdata"),
			want:    map[string]change.Action{"docker_container.db": change.Replace, "docker_volume.dbdata": change.NoOp},
			lost:    map[string]bool{"docker_container.db": false},
			managed: 2,
		},
		{
			name:    "removed with its volume",
			before:  snap(map[string]sandbox.ServiceState{"db": svc("a", onVolume), "web": svc("w", nil)}, "dbdata"),
			after:   snap(map[string]sandbox.ServiceState{"web": svc("w", nil)}),
			want:    map[string]change.Action{"docker_container.db": change.Delete, "docker_volume.dbdata": change.Delete, "docker_container.web": change.NoOp},
			lost:    map[string]bool{"docker_container.db": true},
			managed: 3,
		},
		{
			name:    "removed, volume kept",
			before:  snap(map[string]sandbox.ServiceState{"db": svc("a", onVolume)}, "dbdata"),
			after:   snap(map[string]sandbox.ServiceState{}, "dbdata"),
			want:    map[string]change.Action{"docker_container.db": change.Delete, "docker_volume.dbdata": change.NoOp},
			lost:    map[string]bool{"docker_container.db": false},
			managed: 2,
		},
		{
			name:    "new service",
			before:  snap(map[string]sandbox.ServiceState{}),
			after:   snap(map[string]sandbox.ServiceState{"db": svc("a", nil)}),
			want:    map[string]change.Action{"docker_container.db": change.Create},
			managed: 0,
		},
		{
			name:   "probe changed only",
			before: snap(map[string]sandbox.ServiceState{"db": svc("a", nil)}),
			after: snap(map[string]sandbox.ServiceState{"db": svc("a", func(s *sandbox.ServiceState) {
				s.Probes["rows"] = sandbox.ProbeResult{Output: "1205"}
			})}),
			want:        map[string]change.Action{"docker_container.db": change.Update},
			lost:        map[string]bool{"docker_container.db": false},
			changePaths: map[string][]string{"docker_container.db": {"probe.rows"}},
			managed:     1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := Observe(tt.before, tt.after, []sandbox.Event{{Type: "container", Object: "db", Action: "destroy", ID: "a"}})
			if set.Source.Kind != change.Observed || set.Source.Tool != "docker" {
				t.Errorf("source = %+v", set.Source)
			}
			if set.Managed != tt.managed {
				t.Errorf("managed = %d, want %d", set.Managed, tt.managed)
			}
			got := map[string]change.Action{}
			for _, r := range set.Resources {
				got[r.Address] = r.Action
				if lost, ok := tt.lost[r.Address]; ok && r.Observed.DataLost() != lost {
					t.Errorf("%s: data lost = %v, want %v (%+v)", r.Address, !lost, lost, r.Observed.Data)
				}
				if want, ok := tt.changePaths[r.Address]; ok {
					var paths []string
					for _, c := range r.Changes {
						paths = append(paths, c.Path)
					}
					if len(paths) != len(want) || (len(want) > 0 && paths[0] != want[0]) {
						t.Errorf("%s: changes %v, want %v", r.Address, paths, want)
					}
				}
				if r.Type == TypeContainer && r.Labels["env"] != "prod" {
					t.Errorf("%s: labels %v", r.Address, r.Labels)
				}
				if r.Action == change.Replace && (r.ReplaceOrder != change.DeleteThenCreate || r.Reason != "recreated") {
					t.Errorf("%s: replace order %q reason %q", r.Address, r.ReplaceOrder, r.Reason)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("resources %v, want %v", got, tt.want)
			}
			for a, w := range tt.want {
				if got[a] != w {
					t.Errorf("%s: %q, want %q", a, got[a], w)
				}
			}
		})
	}
}

func TestObserveVolumeInheritsLabels(t *testing.T) {
	before := snap(map[string]sandbox.ServiceState{"db": svc("a", func(s *sandbox.ServiceState) { s.Volumes = map[string]string{"dbdata": "/data"} })}, "dbdata")
	set := Observe(before, snap(map[string]sandbox.ServiceState{}), nil)
	for _, r := range set.Resources {
		if r.Type == TypeVolume && r.Labels["env"] != "prod" {
			t.Errorf("volume labels = %v, want env=prod from its service", r.Labels)
		}
	}
}

// TestObserveIdentity: an object is recreated when its id or rehearse's
// nonce changes, never because a creation time moved.
func TestObserveIdentity(t *testing.T) {
	vol := func(created, nonce string) sandbox.VolumeState {
		return sandbox.VolumeState{Name: "dbdata", DockerName: "rehearse-x-dbdata", Created: created, Nonce: nonce}
	}
	withVol := func(v sandbox.VolumeState, svcID, svcCreated string) sandbox.Snapshot {
		s := svc(svcID, func(s *sandbox.ServiceState) { s.Created, s.Nonce = svcCreated, "c-"+svcID })
		return sandbox.Snapshot{Services: map[string]sandbox.ServiceState{"db": s}, Volumes: map[string]sandbox.VolumeState{"dbdata": v}}
	}
	tests := []struct {
		name          string
		before, after sandbox.Snapshot
		vol, ctr      change.Action
	}{
		{"volume created time moves", withVol(vol("t1", "n1"), "a", "t1"), withVol(vol("t2", "n1"), "a", "t1"), change.NoOp, change.NoOp},
		{"container created time moves", withVol(vol("t1", "n1"), "a", "t1"), withVol(vol("t1", "n1"), "a", "t9"), change.NoOp, change.NoOp},
		{"volume nonce changes", withVol(vol("t1", "n1"), "a", "t1"), withVol(vol("t1", "n2"), "a", "t1"), change.Replace, change.NoOp},
		{"volume nonce gone (implicitly recreated)", withVol(vol("t1", "n1"), "a", "t1"), withVol(vol("t1", ""), "a", "t1"), change.Replace, change.NoOp},
		{"container id changes", withVol(vol("t1", "n1"), "a", "t1"), withVol(vol("t1", "n1"), "b", "t1"), change.NoOp, change.Replace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]change.Action{}
			for _, r := range Observe(tt.before, tt.after, nil).Resources {
				got[r.Address] = r.Action
			}
			if got["docker_volume.dbdata"] != tt.vol || got["docker_container.db"] != tt.ctr {
				t.Errorf("volume %s, container %s; want %s, %s", got["docker_volume.dbdata"], got["docker_container.db"], tt.vol, tt.ctr)
			}
		})
	}
}
