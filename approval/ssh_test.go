package approval

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// needSSH fails the test when an OpenSSH tool it runs is missing, unless
// REHEARSE_SKIP_SSH=1 says to skip: the signatures are checked against
// the real ssh-keygen, not a copy of its format.
func needSSH(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range append([]string{"ssh-keygen"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("REHEARSE_SKIP_SSH") == "1" {
				t.Skipf("%s not installed and REHEARSE_SKIP_SSH=1", tool)
			}
			t.Fatalf("%s not found: install openssh-client (apt-get install openssh-client), or set REHEARSE_SKIP_SSH=1 to skip", tool)
		}
	}
}

// run runs an OpenSSH tool and returns its combined output; it fails the
// test on a non-zero exit.
func run(t *testing.T, stdin []byte, env []string, name string, args ...string) string {
	t.Helper()
	out, err := runErr(stdin, env, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func runErr(stdin []byte, env []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// newKey makes an ed25519 key pair with ssh-keygen, unencrypted unless a
// passphrase is given, and returns the private key's path.
func newKey(t *testing.T, dir, name, passphrase string) string {
	t.Helper()
	file := filepath.Join(dir, name)
	run(t, nil, nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", name, "-f", file)
	return file
}

func pubKey(t *testing.T, priv string) string {
	t.Helper()
	b, err := os.ReadFile(priv + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func writeFile(t *testing.T, file, content string) string {
	t.Helper()
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// startAgent runs the real ssh-agent in the foreground on a socket in a
// temporary directory and stops it when the test ends.
func startAgent(t *testing.T) string {
	t.Helper()
	needSSH(t, "ssh-agent", "ssh-add")
	// Unix socket paths are short; t.TempDir can be long.
	dir, err := os.MkdirTemp("", "rh-agent")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "s")
	cmd := exec.Command("ssh-agent", "-D", "-a", sock)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for i := 0; i < 100; i++ {
		if _, err := os.Stat(sock); err == nil {
			return sock
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("ssh-agent did not create its socket")
	return ""
}

// sshAdd adds a key to the agent; askpass answers a passphrase prompt.
func sshAdd(t *testing.T, sock, key, passphrase string) {
	t.Helper()
	env := []string{"SSH_AUTH_SOCK=" + sock}
	if passphrase != "" {
		askpass := writeFile(t, filepath.Join(t.TempDir(), "askpass"), "#!/bin/sh\necho '"+passphrase+"'\n")
		if err := os.Chmod(askpass, 0o700); err != nil {
			t.Fatal(err)
		}
		env = append(env, "SSH_ASKPASS="+askpass, "SSH_ASKPASS_REQUIRE=force", "DISPLAY=none")
	}
	cmd := exec.Command("ssh-add", key)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = nil
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ssh-add %s: %v\n%s", key, err, out)
	}
}
