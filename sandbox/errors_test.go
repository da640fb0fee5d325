package sandbox_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/sandbox"
)

// goWords are what a message in a Go type's words looks like; a user's
// file error must have none of them.
var goWords = regexp.MustCompile(`interface \{\}|map\[|\[\]string|int64|uint|!!|unmarshal|(^|\s)yaml: |\*types\.|struct`)

// TestFileErrors: a bad environment, compose or change file exits with
// every problem at once, each naming the file, the line and the key as
// the file spells it, in the user's words. Host access in an untrusted
// compose file is refused the same way, before any Docker object exists.
func TestFileErrors(t *testing.T) {
	const env = "apiVersion: rehearse/v1\nkind: Environment\nname: x\n"
	const svc = "services:\n  db:\n    image: busybox\n"
	const change = "apiVersion: rehearse/v1\nkind: Change\n"
	tests := []struct {
		name string
		kind string // env, compose, change (against a good compose file), up
		src  string
		want []string // every line, in order, after "FILE: "
	}{
		{"env: keys and values", "env", env + "services:\n  db:\n    imagee: a\n    ports: [http]\nchange:\n  - remove: {service: web}\n    timeout: soon\n", []string{
			"line 6: services.db.imagee: unknown key; did you mean image?",
			`line 7: services.db.ports[0]: want a whole number, got "http"`,
			`line 10: change[0].timeout: want a duration such as 30s or 5m, got "soon"`,
		}},
		{"env: checks after decoding", "env", env + "services:\n  db:\n    image: a\n    ports: [0]\n    data: [rel]\nchange:\n  - remove: {service: web}\n", []string{
			`line 8: services.db.data[0]: data path "rel" is not absolute`,
			"line 7: services.db.ports[0]: 0 is not a port",
			`line 10: change[0].remove.service: step 1 names unknown service "web"`,
		}},
		{"compose: keys the sandbox does not run", "compose", svc + "    secrets: [pw]\n    devices: [\"/dev/sda:/dev/sda\"]\n    deploy: {replicas: 2}\nsecrets:\n  pw: {file: pw.txt}\n", []string{
			"line 4: services.db.secrets: not supported by the sandbox: secrets are host files mounted into the container; put the value in .env or environment",
			"line 5: services.db.devices: not supported by the sandbox: a device gives the container the host",
			"line 6: services.db.deploy: not supported by the sandbox: deploy is for a swarm",
			"line 7: secrets: not supported by the sandbox: secrets are host files mounted into the container; put the value in .env or environment",
		}},
		{"compose: nested keys", "compose", "services:\n  db:\n    build: {context: ., ssh: [default]}\n    healthcheck: {test: [CMD, ok], intervall: 1s}\n    networks:\n      back: {ipv4_address: 10.0.0.2}\nnetworks:\n  back: {ipam: {}}\n", []string{
			"line 3: services.db.build.ssh: not supported by the sandbox",
			"line 4: services.db.healthcheck.intervall: not supported by the sandbox",
			"line 6: services.db.networks.back.ipv4_address: not supported by the sandbox",
			"line 8: networks.back.ipam: not supported by the sandbox",
		}},
		{"compose: a value of the wrong shape", "compose", svc + "    restart: [always]\n", []string{
			"line 4: services.db.restart must be a string",
		}},
		{"compose: host files", "compose", "services:\n  db:\n    build: /etc\n  web:\n    image: busybox\n    env_file: ../secret.env\n", []string{
			`line 3: services.db.build: context "/etc" is outside the file's directory (it resolves to /etc); an environment or compose file may only read files beside it`,
			`line 6: services.web.env_file[0]: "SECRET_ENV" is outside the file's directory (it resolves to SECRET_ENV); an environment or compose file may only read files beside it`,
		}},
		{"compose: outside volumes and networks", "compose", svc + "    volumes: [data:/data]\nvolumes:\n  data: {external: true}\n  logs: {driver: nfs, driver_opts: {o: bind}}\n", []string{
			"line 6: volumes.data.external: an external volume is data outside the sandbox: refused",
			"line 7: volumes.logs.driver: driver nfs: only local volumes run in the sandbox",
			"line 7: volumes.logs.driver_opts: driver options can mount a host path: refused",
		}},
		{"compose: x-rehearse", "compose", svc + "    x-rehearse:\n      probes: {rows: {a: b}}\n      ready: {port: http}\n      dat: [/x]\n", []string{
			"line 5: services.db.x-rehearse.probes.rows: a command is a string or a list of strings",
			`line 6: services.db.x-rehearse.ready.port: want a whole number, got "http"`,
			"line 7: services.db.x-rehearse.dat: unknown key; did you mean data?",
		}},
		{"compose: host access", "up", svc + "    volumes: [\"/etc:/host\", \"/var/run/docker.sock:/var/run/docker.sock\"]\n    privileged: true\n    cap_add: [SYS_ADMIN]\n", []string{
			"line 4: services.db.volumes[0]: mounts the host path /etc; refused in an untrusted compose file (pass --trust-env-file to allow it)",
			"line 4: services.db.volumes[1]: mounts the Docker socket; refused in an untrusted compose file (pass --trust-env-file to allow it)",
			"line 5: services.db.privileged: a privileged container controls the host; refused in an untrusted compose file (pass --trust-env-file to allow it)",
			"line 6: services.db.cap_add: adds capabilities SYS_ADMIN; refused in an untrusted compose file (pass --trust-env-file to allow it)",
		}},
		{"change: unknown key", "change", change + "chnage: []\n", []string{
			"line 3: chnage: unknown key; did you mean change?",
		}},
		{"change: services and steps", "change", change + "services:\n  dbb:\n    probes: {rows: ls}\nchange:\n  - exec: {service: web, command: ls}\n  - update: {service: db, compose: compose.yaml}\n  - update: {compose: ../elsewhere.yaml}\n", []string{
			"line 4: services.dbb: the compose file has no service dbb (is it in a profile that is not enabled? --profile enables one)",
			`line 7: change[0].exec.service: step 1 names unknown service "web"`,
			"line 8: change[1].update: step 2: an update to a compose file takes nothing else",
			"line 9: change[2].update.compose: ../elsewhere.yaml does not exist",
		}},
		{"change: wrong kind", "change", "apiVersion: rehearse/v1\nkind: Environment\nchange: []\n", []string{
			`line 2: kind: is "Environment", want "Change"`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			top := t.TempDir()
			secret := filepath.Join(top, "secret.env")
			os.WriteFile(secret, []byte("TOKEN=x\n"), 0o644)
			dir := filepath.Join(top, "project")
			os.Mkdir(dir, 0o755)
			file := filepath.Join(dir, "file.yaml")
			os.WriteFile(file, []byte(tt.src), 0o644)
			var err error
			switch tt.kind {
			case "env":
				_, err = sandbox.Load(file)
			case "compose":
				_, err = sandbox.LoadCompose(context.Background(), sandbox.ComposeOptions{File: file})
			case "up":
				var env *sandbox.Environment
				if env, err = sandbox.LoadCompose(context.Background(), sandbox.ComposeOptions{File: file}); err == nil {
					_, err = sandbox.Up(context.Background(), env, "refused")
				}
			case "change":
				compose := filepath.Join(dir, "compose.yaml")
				os.WriteFile(compose, []byte(svc), 0o644)
				_, err = sandbox.LoadCompose(context.Background(), sandbox.ComposeOptions{File: compose, Change: file})
			}
			if err == nil {
				t.Fatal("accepted")
			}
			var want []string
			for _, w := range tt.want {
				want = append(want, file+": "+strings.ReplaceAll(w, "SECRET_ENV", secret))
			}
			if got := err.Error(); got != strings.Join(want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
			}
			if m := goWords.FindString(err.Error()); m != "" {
				t.Errorf("%q in the Go type's words: %s", m, err)
			}
		})
	}
}
