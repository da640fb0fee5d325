package sandbox_test

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moby/moby/client"

	"github.com/rehearse-dev/rehearse/internal/testimage"
	"github.com/rehearse-dev/rehearse/sandbox"
)

const fixture = "testdata/compose/nginx-flask-mysql"

func loadCompose(t *testing.T, o sandbox.ComposeOptions) *sandbox.Environment {
	t.Helper()
	env, err := sandbox.LoadCompose(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// TestLoadCompose: the awesome-compose model read as docker compose
// would: .env and interpolation, profiles, builds, healthcheck as
// readiness, depends_on conditions, named volumes as data paths, networks
// and x-rehearse extras; the host environment only when trusted.
func TestLoadCompose(t *testing.T) {
	t.Setenv("LOG_LEVEL", "trace")
	file := filepath.Join(fixture, "compose.yaml")
	env := loadCompose(t, sandbox.ComposeOptions{File: file, Change: filepath.Join(fixture, "change-wipe.yaml")})
	if env.Name != "nginx-flask-mysql" {
		t.Errorf("project name %q", env.Name)
	}
	if got := slices.Sorted(maps.Keys(env.Services)); strings.Join(got, ",") != "backend,db,proxy" {
		t.Errorf("services %v: debug is in a profile that is off", got)
	}
	db, be := env.Services["db"], env.Services["backend"]
	if db.Env["MYSQL_ROOT_PASSWORD"] != "example-only-not-a-secret" {
		t.Errorf("db env %v: DB_PASSWORD comes from .env", db.Env)
	}
	if be.Env["LOG_LEVEL"] != "info" {
		t.Errorf("backend LOG_LEVEL %q: an untrusted file must not read the host environment", be.Env["LOG_LEVEL"])
	}
	if db.Volumes["db-data"] != "/var/lib/mysql" || !slices.Equal(db.Data, []string{"/var/lib/mysql"}) {
		t.Errorf("db volumes %v data %v: a named volume is a data path", db.Volumes, db.Data)
	}
	if db.Ready == nil || !db.Ready.Healthy || db.Opts.Health == nil {
		t.Errorf("db ready %+v: the healthcheck is its readiness", db.Ready)
	}
	if _, ok := db.Probes["rows"]; !ok || db.Labels["env"] != "prod" {
		t.Errorf("db probes %v labels %v", db.Probes, db.Labels)
	}
	if be.Conditions["db"] != "service_healthy" || be.Build.Target != "builder" || be.Ready.Port != 8000 {
		t.Errorf("backend conditions %v target %q ready %+v", be.Conditions, be.Build.Target, be.Ready)
	}
	if got := slices.Sorted(maps.Keys(be.Networks)); strings.Join(got, ",") != "backnet,frontnet" {
		t.Errorf("backend networks %v", be.Networks)
	}
	if len(env.Change) != 1 || env.Change[0].Exec == nil {
		t.Errorf("change %+v", env.Change)
	}

	trusted := loadCompose(t, sandbox.ComposeOptions{File: file, TrustEnvFile: true, Profiles: []string{"debug"}})
	if got := trusted.Services["backend"].Env["LOG_LEVEL"]; got != "trace" {
		t.Errorf("trusted LOG_LEVEL %q, want the host's", got)
	}
	if trusted.Services["debug"] == nil {
		t.Error("--profile debug did not enable debug")
	}
}

// TestComposeRun runs the model end to end on Docker: builds, the
// healthcheck gating the backend, the named volume created with the
// run's labels before any container, published ports on 127.0.0.1, a
// wipe of the volume's files observed, and a converge on the changed
// compose file that recreates the backend alone. Nothing is left.
func TestComposeRun(t *testing.T) {
	testimage.Require(t)
	ctx := context.Background()
	file := filepath.Join(fixture, "compose.yaml")
	env := loadCompose(t, sandbox.ComposeOptions{File: file, Change: filepath.Join(fixture, "change-wipe.yaml")})
	s := up(t, ctx, env)

	cli, err := client.New(client.FromEnv)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	vols, err := cli.VolumeList(ctx, client.VolumeListOptions{Filters: client.Filters{}.Add("label", sandbox.LabelRun+"="+s.RunID())})
	if err != nil || len(vols.Items) != 1 || vols.Items[0].Labels[sandbox.LabelNonce] == "" || vols.Items[0].Labels["tier"] != "data" {
		t.Errorf("volumes of the run: %+v %v, want db-data with its nonce and its own label", vols.Items, err)
	}
	nets, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: client.Filters{}.Add("label", sandbox.LabelRun+"="+s.RunID())})
	if err != nil || len(nets.Items) != 2 {
		t.Errorf("networks of the run: %d %v, want backnet and frontnet", len(nets.Items), err)
	}
	r, err := cli.ContainerInspect(ctx, s.Containers()["proxy"], client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for port, bs := range r.Container.NetworkSettings.Ports {
		for _, b := range bs {
			if b.HostIP.String() != "127.0.0.1" || b.HostPort == "80" {
				t.Errorf("%s published on %s:%s, want 127.0.0.1 on a random port", port, b.HostIP, b.HostPort)
			}
		}
	}

	before, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := before.Services["proxy"].Probes["backend"].Output; got != "backend-ok" {
		t.Errorf("proxy reaches the backend over frontnet: %q", got)
	}
	if _, err := s.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, a := before.Services["db"], after.Services["db"]
	if b.Probes["rows"].Output != "100" || a.Probes["rows"].Output != "0" {
		t.Errorf("rows %v → %v, want 100 → 0", b.Probes["rows"], a.Probes["rows"])
	}
	if b.Data["/var/lib/mysql"].Files != 101 || a.Data["/var/lib/mysql"].Files != 0 {
		t.Errorf("data %+v → %+v", b.Data["/var/lib/mysql"], a.Data["/var/lib/mysql"])
	}
}

// TestComposeConverge: an update to the changed compose file recreates
// the service whose configuration changed and leaves the others, their
// containers and the volume's data as they were.
func TestComposeConverge(t *testing.T) {
	testimage.Require(t)
	ctx := context.Background()
	env := loadCompose(t, sandbox.ComposeOptions{File: filepath.Join(fixture, "compose.yaml"), Change: filepath.Join(fixture, "change-upgrade.yaml")})
	s := up(t, ctx, env)
	before, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range []string{"db", "proxy", "backend"} {
		same := before.Services[svc].ID == after.Services[svc].ID
		if same != (svc != "backend") {
			t.Errorf("%s: kept %v (ids %s → %s); only the backend changed", svc, same, before.Services[svc].ID, after.Services[svc].ID)
		}
	}
	if got := after.Services["backend"].Env["LOG_LEVEL"]; got != "debug" {
		t.Errorf("backend LOG_LEVEL %q after converging", got)
	}
	if b, a := before.Services["db"].Data["/var/lib/mysql"], after.Services["db"].Data["/var/lib/mysql"]; b.Hash != a.Hash {
		t.Errorf("db data changed: %+v → %+v", b, a)
	}
}

// TestComposeFixtureIsCompose: the fixture parses with docker-compose v1
// too, when it is installed, so it is a compose file and not only one
// that compose-go accepts.
func TestComposeFixtureIsCompose(t *testing.T) {
	if _, err := os.Stat("/usr/bin/docker-compose"); err != nil {
		t.Skip("docker-compose is not installed")
	}
	for _, f := range []string{"compose.yaml", "compose.v2.yaml"} {
		cmd := exec.Command("/usr/bin/docker-compose", "-f", f, "config", "-q")
		cmd.Dir = fixture
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("docker-compose -f %s config: %v\n%s", f, err, out)
		}
	}
}

// TestComposeCompletedSuccessfully: a job a service waits for with
// service_completed_successfully runs to its end first (its anonymous
// volume created and labelled like a named one); a job that fails stops
// the run with its output, and leaves nothing.
func TestComposeCompletedSuccessfully(t *testing.T) {
	testimage.Require(t)
	const head = "services:\n  migrate:\n    image: " + testimage.Busybox + "\n    volumes: [data:/data, /scratch]\n"
	tests := []struct {
		name, job, wantErr string
	}{
		{"completes", `    command: ["sh", "-c", "sleep 1; echo v2 > /data/schema"]` + "\n", ""},
		{"fails", `    command: ["sh", "-c", "echo migration failed; exit 4"]` + "\n", "migrate did not complete successfully (exit 4): migration failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "compose.yaml")
			src := head + tt.job + "  app:\n    image: " + testimage.Busybox + "\n" +
				`    command: ["sh", "-c", "cat /data/schema; exec sleep 600"]` + "\n" +
				"    volumes: [data:/data]\n    depends_on:\n      migrate: {condition: service_completed_successfully}\n" +
				"    x-rehearse: {probes: {schema: cat /data/schema}}\nvolumes:\n  data:\n"
			os.WriteFile(file, []byte(src), 0o644)
			env := loadCompose(t, sandbox.ComposeOptions{File: file})
			ctx := context.Background()
			if tt.wantErr != "" {
				id := testimage.RunID()
				_, err := sandbox.Up(ctx, env, id)
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Up = %v, want %q", err, tt.wantErr)
				}
				if left, _ := sandbox.Leftovers(ctx, id); len(left) > 0 {
					t.Errorf("after a failed job: %v", left)
				}
				return
			}
			s := up(t, ctx, env)
			snap, err := s.Snapshot(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := snap.Services["app"].Probes["schema"].Output; got != "v2" {
				t.Errorf("app started before the job completed: schema %q", got)
			}
			if snap.Services["migrate"].Running {
				t.Error("the job is still running")
			}
			if len(snap.Volumes) != 2 {
				t.Errorf("volumes %v, want data and the anonymous one, both created by the sandbox", snap.Volumes)
			}
		})
	}
}
